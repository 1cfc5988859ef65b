"""Thin HTTP layer: parse, authorize, call a service, shape the answer."""
