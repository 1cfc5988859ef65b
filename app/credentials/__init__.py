"""The pure core of credential handling: pinned JSON-LD contexts, strict expansion, JSON Schemas,
key encodings and DIDs.

Nothing here imports the web framework or the database layer, so the CLI and the tests can use
it directly, and every loader or key it needs is handed in by the caller.
"""
