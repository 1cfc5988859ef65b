"""Who may do what: API clients, OAuth 2.0 client-credentials tokens, scopes."""
