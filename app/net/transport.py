"""An httpx transport whose connections go only to addresses that passed the address rule.

How the address is pinned: httpcore opens every connection through a *network backend*
(``connect_tcp(host, port)``). :class:`PinningBackend` is that backend. It resolves the host
name itself, checks every address with :func:`app.net.addresses.resolve_allowed`, and then
hands the checked IP address, never the name, to httpcore's own AnyIO backend. Nothing
resolves the name a second time, so a DNS answer that changes between the check and the
connect (DNS rebinding) cannot move the connection. httpcore still knows the origin by its host
name, so the Host header, TLS SNI and certificate verification all use the name, and the
connection pool never shares a connection between two host names that share an address.

httpx 0.28 does not let a caller hand a network backend to ``httpx.AsyncHTTPTransport``, so
:class:`PinnedTransport` is a small ``httpx.AsyncBaseTransport`` around
``httpcore.AsyncConnectionPool(network_backend=...)``, both public APIs. Errors from httpcore,
the socket layer and TLS are turned into :mod:`app.net.errors` here.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpcore
import httpx

from app.net.addresses import resolve_allowed
from app.net.errors import ConnectionFailed, FetchError, FetchTimeout
from app.net.policy import FetchPolicy

_TIMEOUT_PHASES = (
    (httpcore.ConnectTimeout, "connect", "connecting"),
    (httpcore.ReadTimeout, "read", "waiting for data"),
    (httpcore.WriteTimeout, "write", "sending the request"),
    (httpcore.PoolTimeout, "pool", "waiting for a free connection"),
)

_BROKEN = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
    OSError,  # includes ssl.SSLError: a failed TLS handshake or certificate check
)


class PinningBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check, then connect to the checked IP addresses only (tried in order)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_allowed(host, port, self._policy, timeout=timeout)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None  # resolve_allowed never returns an empty list
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@contextmanager
def _translated(request: httpx.Request) -> Iterator[None]:
    """Turn httpcore, socket and TLS errors into :class:`FetchError` subclasses."""
    origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
    try:
        yield
    except FetchError:
        raise
    except httpcore.TimeoutException as error:
        limits: dict[str, Any] = request.extensions.get("timeout", {})
        for kind, phase, doing in _TIMEOUT_PHASES:
            if isinstance(error, kind):
                raise FetchTimeout(
                    f"timed out {doing} ({origin}, limit {limits.get(phase)} s)"
                ) from error
        raise FetchTimeout(f"timed out talking to {origin}") from error
    except _BROKEN as error:
        detail = str(error) or type(error).__name__
        raise ConnectionFailed(f"the exchange with {origin} failed: {detail}") from error


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _translated(self._request):
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        closer = getattr(self._stream, "aclose", None)
        if closer is not None:
            with _translated(self._request):
                await closer()


class PinnedTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over connections opened by :class:`PinningBackend`; no proxies, no env."""

    def __init__(self, policy: FetchPolicy, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=PinningBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _translated(request):
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, request),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
