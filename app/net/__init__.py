"""Outbound HTTP: the one SSRF-safe client every outbound request goes through.

See :mod:`app.net.safe_client` for the rules and :mod:`app.net.errors` for the error codes.
"""

from app.net.errors import (
    AddressNotAllowed,
    BadResponse,
    ConnectionFailed,
    DnsFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    InvalidUrl,
    RedirectRefused,
    ResponseTooLarge,
    SchemeNotAllowed,
    TooManyRedirects,
)
from app.net.policy import FetchPolicy
from app.net.result import FetchResult
from app.net.safe_client import SafeClient

__all__ = [
    "AddressNotAllowed",
    "BadResponse",
    "ConnectionFailed",
    "DnsFailed",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "FetchTimeout",
    "HttpStatusError",
    "InvalidUrl",
    "RedirectRefused",
    "ResponseTooLarge",
    "SafeClient",
    "SchemeNotAllowed",
    "TooManyRedirects",
]
