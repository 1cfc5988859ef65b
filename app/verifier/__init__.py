"""Verification: resolving issuer keys, running the checks, and reporting them."""
