"""Endorsements: issued here or imported, listed, withdrawn."""
