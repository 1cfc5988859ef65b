"""Errors raised by the outbound HTTP client (:mod:`app.net`).

Every refusal or failure of an outbound fetch is a :class:`FetchError` with a stable,
machine-readable ``code`` (callers map it to a problem+json type or a verification result),
a ``message`` a person can act on, and the ``url`` being fetched when it is known.

    FetchError                 fetch_error          (base; never raised as is)
    ├── InvalidUrl             invalid_url          not an absolute URL with a host, or it
    │                                               carries credentials (user:password@)
    ├── SchemeNotAllowed       scheme_not_allowed   not https (plain http only for trusted hosts)
    ├── AddressNotAllowed      address_not_allowed  the host is, or resolves to, an address
    │                                               that is not public (loopback, private, ...)
    ├── DnsFailed              dns_failed           the host name does not resolve
    ├── RedirectRefused        redirect_refused     a redirect to another scheme, host or port
    ├── TooManyRedirects       too_many_redirects   more redirects than the policy allows
    ├── ResponseTooLarge       response_too_large   the body (declared or received) is over
    │                                               the limit
    ├── FetchTimeout           timeout              connect, read or total time limit reached
    ├── ConnectionFailed       connection_failed    no connection, TLS failure, broken response
    ├── BadResponse            bad_response         a response the client cannot decode
    └── HttpStatusError        http_status          not 2xx (raised by
                                                    FetchResult.raise_for_status only)
"""

from __future__ import annotations


class FetchError(Exception):
    """Base of every error of the outbound HTTP client."""

    code: str = "fetch_error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def with_url(self, url: str) -> FetchError:
        """Record the URL being fetched when the raiser (deep in the transport) did not know it."""
        if self.url is None:
            self.url = url
        return self

    def __str__(self) -> str:
        return self.message if self.url is None else f"{self.message} (fetching {self.url})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidUrl(FetchError):
    code = "invalid_url"


class SchemeNotAllowed(FetchError):
    code = "scheme_not_allowed"


class AddressNotAllowed(FetchError):
    code = "address_not_allowed"


class DnsFailed(FetchError):
    code = "dns_failed"


class RedirectRefused(FetchError):
    code = "redirect_refused"


class TooManyRedirects(FetchError):
    code = "too_many_redirects"


class ResponseTooLarge(FetchError):
    code = "response_too_large"


class FetchTimeout(FetchError):
    code = "timeout"


class ConnectionFailed(FetchError):
    code = "connection_failed"


class BadResponse(FetchError):
    code = "bad_response"


class HttpStatusError(FetchError):
    code = "http_status"

    def __init__(self, message: str, *, status: int, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status
