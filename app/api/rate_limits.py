"""Rate limits on what anyone may call: verification, public pages and token issuance.

One anonymous client posting poison credentials in a loop cut clean verification throughput
by 72%; token issuance invites guessing secrets. Each request of a limited kind counts against
its client address (and, for the OAuth endpoints, also against the client id it names), in a
moving window per limit of the ``XQB_RATE_LIMIT_*`` settings. Past a limit the answer is 429
``rate-limited`` with ``Retry-After``, before any work is done.

Counters live in the process (the ``limits`` library's memory storage): with several worker
processes each keeps its own, so the effective limit is the setting times the workers. Behind a
reverse proxy the client address is the one uvicorn takes from ``X-Forwarded-For`` for the
proxies it trusts (``FORWARDED_ALLOW_IPS``); otherwise every visitor would share the proxy's.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from collections.abc import Iterator

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.middleware import send_problem
from app.problems import Problem
from app.settings import Settings

VERIFY, PAGES, TOKEN = "verify", "pages", "token"
_VERIFY_POSTS = frozenset({"/api/v1/verify", "/credentials/verify", "/verify"})
_TOKEN_POSTS = frozenset({"/oauth/token", "/oauth/revoke"})
_PAGE_PREFIXES = ("/credentials/", "/learners/", "/achievements", "/ob2/", "/pathways/")


class RateLimited(Problem):
    status, code, title = 429, "rate-limited", "Too many requests"


def request_kind(method: str, path: str, query: bytes) -> str | None:
    """Which limit a request counts against, if any."""
    if method == "POST":
        if path in _VERIFY_POSTS:
            return VERIFY
        if path in _TOKEN_POSTS:
            return TOKEN
        return None
    if method not in ("GET", "HEAD"):
        return None
    if path == "/verify":
        return VERIFY if b"url=" in query else None
    return PAGES if path.startswith(_PAGE_PREFIXES) else None


def basic_client_id(authorization: bytes) -> str | None:
    """The client id of an HTTP Basic ``Authorization`` header, if it carries one."""
    scheme, _, credentials = authorization.partition(b" ")
    if scheme.lower() != b"basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, _ = decoded.partition(":")
    return client_id[:200] if separator and client_id else None


class RateLimiter:
    """Moving-window counters per kind of request and key, held in this process."""

    def __init__(self, settings: Settings) -> None:
        self._strategy = MovingWindowRateLimiter(MemoryStorage())
        self._limits: dict[str, list[RateLimitItem]] = {
            VERIFY: parse_many(settings.rate_limit_verify),
            PAGES: parse_many(settings.rate_limit_pages),
            TOKEN: parse_many(settings.rate_limit_token),
        }

    def retry_after(self, kind: str, keys: list[str]) -> int | None:
        """Count one request for each key; seconds to wait if any limit is passed, else None."""
        for key in keys:
            for limit in self._limits[kind]:
                if not self._strategy.hit(limit, kind, key):
                    reset = self._strategy.get_window_stats(limit, kind, key).reset_time
                    return max(1, math.ceil(reset - time.time()))
        return None


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = (
            request_kind(scope["method"], scope["path"], scope.get("query_string", b""))
            if scope["type"] == "http"
            else None
        )
        if kind is not None:
            wait = self.limiter.retry_after(kind, list(_keys(kind, scope)))
            if wait is not None:
                problem = RateLimited(
                    f"too many requests of this kind from this client; try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
                await send_problem(send, problem, scope["path"])
                return
        await self.app(scope, receive, send)


def _keys(kind: str, scope: Scope) -> Iterator[str]:
    client = scope.get("client")
    yield f"address:{client[0] if client else 'unknown'}"
    if kind == TOKEN:
        client_id = basic_client_id(dict(scope["headers"]).get(b"authorization", b""))
        if client_id is not None:
            yield f"client:{client_id}"
