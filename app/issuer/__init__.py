"""Issuing: issuers and their keys, credential building, signing, status lists."""
