"""The one outbound HTTP client: :class:`SafeClient`.

Every request the service sends to a URL it was given (webhook deliveries to platforms,
did:web documents, status lists, credential URLs, issuer profiles) goes through this client,
which applies :class:`~app.net.policy.FetchPolicy`:

* https only; plain http only for the policy's trusted hosts;
* connections only to public addresses, checked on the resolved address that is then
  connected to (see :mod:`app.net.addresses` and :mod:`app.net.transport`);
* redirects (GET only) followed by hand, at most ``max_redirects``, only within the same
  scheme, host and port, each hop checked again;
* bodies read within ``max_response_bytes``; connect, read and total time limits;
* successful GET responses cached in memory as ``Cache-Control`` allows.

Requests are sent straight to the transport rather than through ``httpx.AsyncClient``, so no
client feature can widen what is sent: no cookies, no environment proxies, no ``.netrc``
credentials, no automatic redirects.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Self

import anyio
import httpx

from app.net.addresses import parse_ip_literal
from app.net.body import read_limited
from app.net.cache import ResponseCache
from app.net.errors import (
    FetchError,
    FetchTimeout,
    InvalidUrl,
    RedirectRefused,
    SchemeNotAllowed,
    TooManyRedirects,
)
from app.net.policy import DEFAULT_PORTS, FetchPolicy
from app.net.result import FetchResult
from app.net.transport import PinnedTransport

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# What a DNS name may hold once httpx has IDNA-encoded it; anything else (say "a%20b") is not
# sent to the resolver at all.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?", re.IGNORECASE)


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return url.scheme, url.host, url.port or DEFAULT_PORTS[url.scheme]


class SafeClient:
    """Fetch URLs the service was handed, within a :class:`FetchPolicy`.

    Use as an async context manager, or call :meth:`aclose` when done; one instance is meant
    to be shared (it holds the connection pool and the cache).
    """

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self._policy = policy or FetchPolicy()
        self._transport = PinnedTransport(self._policy)
        self._cache = ResponseCache(self._policy.cache_max_entries)
        self._timeouts = {
            "connect": self._policy.connect_timeout,
            "read": self._policy.read_timeout,
            "write": self._policy.read_timeout,
            "pool": self._policy.connect_timeout,
        }

    @property
    def policy(self) -> FetchPolicy:
        return self._policy

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def get(self, url: str, *, accept: str) -> FetchResult:
        """GET ``url``, following same-origin redirects; the cache answers when it can.

        Any final status is returned (see :meth:`FetchResult.raise_for_status`); refusals and
        failures raise :class:`~app.net.errors.FetchError`.
        """
        return await self._within_total_time(url, lambda: self._get(url, accept))

    async def post(
        self, url: str, *, content: bytes, headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """POST ``content`` to ``url`` once: no redirect is followed and nothing is cached."""
        extra = dict(headers or {})
        if any(name.lower() == "host" for name in extra):
            raise ValueError("the Host header comes from the URL and cannot be set")
        target = self._checked_url(url)
        return await self._within_total_time(
            url, lambda: self._send("POST", target, extra, content)
        )

    async def _within_total_time(
        self, url: str, operation: Callable[[], Awaitable[FetchResult]]
    ) -> FetchResult:
        limit = self._policy.total_timeout
        try:
            with anyio.fail_after(limit):
                return await operation()
        except TimeoutError as error:
            message = f"the fetch took longer than the limit of {limit} s"
            raise FetchTimeout(message, url=url) from error

    async def _get(self, url: str, accept: str) -> FetchResult:
        current = self._checked_url(url)
        redirects = 0
        while True:
            key = (str(current), accept)
            cached = self._cache.lookup(key)
            if cached is not None:
                return cached
            result = await self._send("GET", current, {"Accept": accept}, None)
            location = result.headers.get("location")
            if result.status not in _REDIRECTS or location is None:
                self._cache.remember(key, result)
                return result
            if redirects == self._policy.max_redirects:
                raise TooManyRedirects(
                    f"gave up after {redirects} redirects (the limit); the last one pointed "
                    f"to {location!r}",
                    url=url,
                )
            redirects += 1
            current = self._redirect_target(current, location)

    def _checked_url(self, url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as error:
            raise InvalidUrl(f"{url!r} is not a valid URL: {error}", url=url) from error
        if parsed.scheme and parsed.scheme not in DEFAULT_PORTS:
            raise SchemeNotAllowed(
                f"the URL scheme {parsed.scheme!r} is not fetched; only https is", url=url
            )
        if not parsed.scheme or not parsed.host:
            raise InvalidUrl("the URL is not absolute (scheme and host are needed)", url=url)
        if parsed.userinfo:
            raise InvalidUrl("the URL carries credentials (user:password@), refused", url=url)
        scheme, host, port = _origin(parsed)
        valid_host = _HOST_NAME.fullmatch(host) or parse_ip_literal(host) is not None
        if not valid_host or not 0 < port < 65536:
            raise InvalidUrl(f"the URL's host or port is not valid: {parsed.netloc!r}", url=url)
        if scheme == "http" and not self._policy.trusts(host, port):
            raise SchemeNotAllowed(
                "plain http is refused; use https (plain http is only for hosts listed in "
                "the fetch policy's trusted hosts, such as a local test issuer)",
                url=url,
            )
        return parsed.copy_with(fragment=None)

    def _redirect_target(self, current: httpx.URL, location: str) -> httpx.URL:
        try:
            target = current.join(location)
        except (httpx.InvalidURL, TypeError) as error:
            raise RedirectRefused(
                f"the redirect to {location!r} is not a valid URL", url=str(current)
            ) from error
        if target.scheme not in DEFAULT_PORTS or _origin(target) != _origin(current):
            raise RedirectRefused(
                f"refusing the redirect to {target}: redirects are only followed within the "
                "same scheme, host and port",
                url=str(current),
            )
        return self._checked_url(str(target))

    async def _send(
        self, method: str, url: httpx.URL, headers: dict[str, str], content: bytes | None
    ) -> FetchResult:
        request = httpx.Request(
            method,
            url,
            headers={
                "User-Agent": self._policy.user_agent,
                "Accept-Encoding": "identity",
                **headers,
            },
            content=content,
            extensions={"timeout": self._timeouts},
        )
        try:
            response = await self._transport.handle_async_request(request)
            try:
                body = await read_limited(response, self._policy.max_response_bytes)
            finally:
                await response.aclose()
        except FetchError as error:
            error.with_url(str(url))
            raise
        return FetchResult(
            url=str(url), status=response.status_code, headers=response.headers, content=body
        )
