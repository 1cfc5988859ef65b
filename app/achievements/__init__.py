"""Achievements: publishing them, pathways, importing a catalog into the database."""
