"""Issuing identity: issuers and their keys, DIDs, signing, status lists."""
