"""Webhooks: the outbox of events and their dispatch."""
