"""Persistence: SQLAlchemy models, the engine, and every query the service runs."""
