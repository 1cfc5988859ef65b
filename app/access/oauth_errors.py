"""Errors of the OAuth endpoints (``/oauth/token``, ``/oauth/revoke``).

OAuth client libraries read the RFC 6749 §5.2 members ``error`` and ``error_description``; the
rest of the API speaks RFC 9457. These errors are both: a problem document with a stable ``code``
that also carries the two OAuth members, so neither kind of client has to special-case us.
"""

from __future__ import annotations

from typing import Any

from app.problems import Problem

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Problem):
    error: str = "invalid_request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, headers={**NO_STORE, **(headers or {})})

    def as_dict(self, instance: str | None = None) -> dict[str, Any]:
        return {**super().as_dict(instance), "error": self.error, "error_description": self.detail}


class InvalidOAuthRequest(OAuthError):
    status, code, title = 400, "invalid-request", "The OAuth request is not valid"
    error = "invalid_request"


class InvalidClient(OAuthError):
    """Client authentication failed; RFC 6749 §5.2 asks for 401 and the scheme the client used
    (we accept Basic, and form fields as an alternative)."""

    status, code, title = 401, "unauthenticated", "Authentication required"
    error = "invalid_client"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Basic realm="xqbadges"'})


class InvalidScope(OAuthError):
    """403 rather than §5.2's 400: the status this endpoint has always answered with."""

    status, code, title = 403, "forbidden", "Not allowed"
    error = "invalid_scope"


class UnsupportedGrantType(OAuthError):
    status, code, title = 400, "unsupported-grant-type", "Unsupported grant type"
    error = "unsupported_grant_type"
