"""SafeClient against a real HTTP server on 127.0.0.1 standing in for a remote issuer.

Nothing here leaves 127.0.0.1: names other than "localhost" are answered by a fake resolver,
and the one test that "connects" to a public address records the attempt instead.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpcore
import httpx
import pytest

from app.net import FetchError, FetchPolicy, FetchResult, HttpStatusError, SafeClient
from app.net.cache import ResponseCache, freshness_lifetime

pytestmark = pytest.mark.anyio

LIMIT = 4096


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class IssuerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), IssuerHandler)
        self.hits: Counter[str] = Counter()
        self.hits_lock = threading.Lock()
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def origin(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (time limit, size limit) breaks the pipe; that is expected."""


class IssuerHandler(BaseHTTPRequestHandler):
    server: IssuerServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self) -> None:
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        with self.server.hits_lock:
            self.server.hits[self.path] += 1
            hits = self.server.hits[self.path]
        length = int(self.headers.get("Content-Length") or 0)
        received = self.rfile.read(length) if length else b""
        path = parts.path
        if path == "/ok":
            self._reply(200, b"hello", {"Content-Type": "text/plain"})
        elif path == "/echo":
            echo = {
                "method": self.command,
                "headers": dict(self.headers.items()),
                "body": received.decode(),
            }
            self._reply(200, json.dumps(echo).encode(), {"Content-Type": "application/json"})
        elif path == "/status":
            self._reply(int(query["code"]), b"nope", {"Cache-Control": "max-age=60"})
        elif path == "/redirect":
            self._reply(int(query.get("code", "302")), b"", {"Location": query["to"]})
        elif path == "/hops":
            left = int(query["n"])
            if left == 0:
                self._reply(200, b"arrived")
            else:
                self._reply(302, b"", {"Location": f"/hops?n={left - 1}"})
        elif path == "/loop":
            self._reply(302, b"", {"Location": "/loop"})
        elif path == "/cache":
            headers = {"Cache-Control": query["cc"]} if "cc" in query else {}
            self._reply(200, f"hit {hits}".encode(), headers)
        elif path == "/body":
            self._body(int(query["size"]), query["mode"])
        elif path == "/gzip":
            packed = gzip.compress(b"z" * int(query["size"]))
            self._reply(200, packed, {"Content-Encoding": "gzip"})
        elif path == "/slow":
            self.server.stopping.wait(float(query["delay"]))
            self._reply(200, b"late")
        elif path == "/drip":
            self._drip(int(query["count"]), float(query["every"]))
        else:
            self._reply(404, b"no such path")

    def _body(self, size: int, mode: str) -> None:
        """``size`` bytes with a true Content-Length, none (close-delimited), or chunked."""
        body = b"x" * size
        if mode == "length":
            self._reply(200, body)
            return
        if mode == "close":
            self.send_response(200)  # HTTP/1.0: the body ends when the connection closes
            self.end_headers()
            self.wfile.write(body)
            return
        self.protocol_version = "HTTP/1.1"
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for start in range(0, size, 1000):
            piece = body[start : start + 1000]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _drip(self, count: int, every: float) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(count))
        self.end_headers()
        for _ in range(count):
            if self.server.stopping.wait(every):
                return
            self.wfile.write(b".")
            self.wfile.flush()


@pytest.fixture
def server() -> Iterator[IssuerServer]:
    issuer = IssuerServer()
    thread = threading.Thread(target=issuer.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield issuer
    issuer.stopping.set()
    issuer.shutdown()
    issuer.server_close()
    thread.join(timeout=5)


def trusting(server: IssuerServer, **limits: Any) -> FetchPolicy:
    """The policy a test deployment would use for a local issuer."""
    limits.setdefault("max_response_bytes", LIMIT)
    return FetchPolicy(trusted_hosts=frozenset({server.origin}), **limits)


async def fetch(policy: FetchPolicy, url: str, accept: str = "*/*") -> FetchResult:
    async with SafeClient(policy) as client:
        return await client.get(url, accept=accept)


async def refused(policy: FetchPolicy, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(policy, url)
    return caught.value


# scheme and address policy


async def test_trusted_local_issuer_is_fetched_over_http(server: IssuerServer) -> None:
    result = await fetch(trusting(server), server.url("/ok"))
    assert (result.status, result.content, result.from_cache) == (200, b"hello", False)
    assert result.url == server.url("/ok")
    assert result.headers["content-type"] == "text/plain"
    assert result.raise_for_status() is result


async def test_plain_http_is_refused_for_untrusted_hosts(server: IssuerServer) -> None:
    error = await refused(FetchPolicy(), server.url("/ok"))
    assert error.code == "scheme_not_allowed"
    assert "use https" in error.message
    assert error.url == server.url("/ok")
    assert server.hits["/ok"] == 0


async def test_trust_is_per_port(server: IssuerServer) -> None:
    policy = FetchPolicy(trusted_hosts=frozenset({f"127.0.0.1:{server.port + 1}"}))
    assert (await refused(policy, server.url("/ok"))).code == "scheme_not_allowed"


async def test_https_to_a_literal_loopback_address_is_refused(server: IssuerServer) -> None:
    error = await refused(FetchPolicy(), server.url("/ok", scheme="https"))
    assert error.code == "address_not_allowed"
    assert "127.0.0.1" in error.message
    assert "loopback" in error.message
    assert server.hits["/ok"] == 0


@pytest.mark.parametrize("host", ["localhost", "[::1]", "[::ffff:127.0.0.1]"])
async def test_names_and_forms_of_loopback_are_refused(server: IssuerServer, host: str) -> None:
    error = await refused(FetchPolicy(), server.url("/ok", host=host, scheme="https"))
    assert error.code == "address_not_allowed"
    assert "loopback" in error.message
    assert server.hits["/ok"] == 0


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f000001"])
async def test_numeric_shorthand_for_loopback_is_refused(server: IssuerServer, host: str) -> None:
    try:  # only where the C library reads it as a number, so no DNS query is ever made
        socket.getaddrinfo(host, 443, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        pytest.skip(f"this resolver does not read {host!r} as an address")
    try:
        httpx.URL(f"https://{host}/")
    except httpx.InvalidURL:
        pytest.skip(f"httpx refuses {host!r} as a host already")
    error = await refused(FetchPolicy(), f"https://{host}:{server.port}/ok")
    assert error.code == "address_not_allowed"
    assert "resolves to 127.0.0.1" in error.message


async def test_private_networks_flag_lets_the_connection_through(server: IssuerServer) -> None:
    # https to a plain-http server: the address rule passes, then the TLS handshake fails.
    error = await refused(
        FetchPolicy(allow_private_networks=True), server.url("/ok", scheme="https")
    )
    assert error.code == "connection_failed"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/x", "scheme_not_allowed"),
        ("file:///etc/passwd", "scheme_not_allowed"),
        ("gopher://example.org/", "scheme_not_allowed"),
        ("/relative/path", "invalid_url"),
        ("//example.org/x", "invalid_url"),
        ("https:", "invalid_url"),
        ("https://user:secret@example.org/", "invalid_url"),
        ("https:///nohost", "invalid_url"),
        ("https://exa mple.org/", "invalid_url"),
        ("https://[zz]/", "invalid_url"),
        ("https://example.org:99999/", "invalid_url"),
        ("https://exa\x00mple.org/", "invalid_url"),
    ],
)
async def test_unusable_urls(url: str, code: str) -> None:
    error = await refused(FetchPolicy(), url)
    assert error.code == code


def test_error_codes_are_distinct_and_documented() -> None:
    import app.net.errors as errors

    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.FetchError)
    ]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)) == 12
    for cls in classes:
        assert f"{cls.__name__} " in (errors.__doc__ or "")
        assert f" {cls.code} " in (errors.__doc__ or "")


# DNS rebinding: the address checked is the address connected to


@dataclass
class RebindingDns:
    """``rebind.test`` answers ``first`` on the first lookup and ``later`` on every other."""

    first: str = ""
    later: str = ""
    lookups: int = 0


@pytest.fixture
def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> RebindingDns:
    dns = RebindingDns()
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        dns.lookups += 1
        address = dns.first if dns.lookups == 1 else dns.later
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


async def test_connection_goes_to_the_resolved_address(
    server: IssuerServer, rebinding_dns: RebindingDns
) -> None:
    """A second lookup would answer 127.0.0.2, where nothing listens: none is made."""
    rebinding_dns.first, rebinding_dns.later = "127.0.0.1", "127.0.0.2"
    policy = FetchPolicy(trusted_hosts=frozenset({f"rebind.test:{server.port}"}))
    result = await fetch(policy, f"http://rebind.test:{server.port}/echo")
    assert result.status == 200
    assert json.loads(result.content)["headers"]["Host"] == f"rebind.test:{server.port}"
    assert rebinding_dns.lookups == 1


async def test_rebinding_to_loopback_after_the_check_cannot_redirect_the_connection(
    rebinding_dns: RebindingDns, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check sees a public address; a later lookup would say 127.0.0.1.

    The connector is replaced by a recorder, so no packet leaves the machine: it shows the
    connection was attempted to the public address that passed the check, by number.
    """
    rebinding_dns.first, rebinding_dns.later = "93.184.215.14", "127.0.0.1"
    attempts: list[tuple[str, int]] = []

    async def record(self: object, host: str, port: int, **kwargs: Any) -> Any:
        attempts.append((host, port))
        raise httpcore.ConnectError("recorded instead of connecting")

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", record)
    error = await refused(FetchPolicy(), "https://rebind.test/status-list")
    assert error.code == "connection_failed"
    assert attempts == [("93.184.215.14", 443)]
    assert rebinding_dns.lookups == 1


async def test_a_loopback_answer_is_refused_before_any_connection(
    rebinding_dns: RebindingDns, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebinding_dns.first, rebinding_dns.later = "127.0.0.1", "93.184.215.14"
    attempts: list[str] = []

    async def record(self: object, host: str, port: int, **kwargs: Any) -> Any:
        attempts.append(host)
        raise httpcore.ConnectError("recorded instead of connecting")

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", record)
    error = await refused(FetchPolicy(), "https://rebind.test/status-list")
    assert error.code == "address_not_allowed"
    assert "rebind.test (resolves to 127.0.0.1)" in error.message
    assert attempts == []


# redirects


async def test_redirect_within_the_same_origin_is_followed(server: IssuerServer) -> None:
    result = await fetch(trusting(server), server.url("/redirect?to=/ok&code=301"))
    assert (result.status, result.content) == (200, b"hello")
    assert result.url == server.url("/ok")


async def test_up_to_max_redirects_are_followed(server: IssuerServer) -> None:
    result = await fetch(trusting(server, max_redirects=3), server.url("/hops?n=3"))
    assert result.content == b"arrived"
    error = await refused(trusting(server, max_redirects=3), server.url("/hops?n=4"))
    assert error.code == "too_many_redirects"


@pytest.mark.parametrize(
    "target",
    [
        "http://other.test:{port}/ok",
        "http://localhost:{port}/ok",
        "https://127.0.0.1:{port}/ok",
        "http://127.0.0.1:{other_port}/ok",
        "ftp://127.0.0.1:{port}/ok",
    ],
)
async def test_redirect_to_another_origin_is_refused(server: IssuerServer, target: str) -> None:
    location = target.format(port=server.port, other_port=server.port + 1)
    error = await refused(trusting(server), server.url(f"/redirect?to={location}"))
    assert error.code == "redirect_refused"
    assert "same scheme, host and port" in error.message
    assert server.hits["/ok"] == 0


async def test_redirect_loop_stops(server: IssuerServer) -> None:
    error = await refused(trusting(server, max_redirects=3), server.url("/loop"))
    assert error.code == "too_many_redirects"
    assert server.hits["/loop"] == 4


async def test_redirect_without_location_is_returned(server: IssuerServer) -> None:
    result = await fetch(trusting(server), server.url("/status?code=302"))
    assert result.status == 302


# size and time limits


@pytest.mark.parametrize("mode", ["length", "close", "chunked"])
async def test_body_at_the_limit_is_read(server: IssuerServer, mode: str) -> None:
    result = await fetch(trusting(server), server.url(f"/body?size={LIMIT}&mode={mode}"))
    assert result.content == b"x" * LIMIT


@pytest.mark.parametrize("mode", ["length", "close", "chunked"])
async def test_body_over_the_limit_is_refused(server: IssuerServer, mode: str) -> None:
    error = await refused(trusting(server), server.url(f"/body?size={LIMIT * 50}&mode={mode}"))
    assert error.code == "response_too_large"
    assert str(LIMIT) in error.message


async def test_compressed_body_is_decoded_and_bounded(server: IssuerServer) -> None:
    result = await fetch(trusting(server), server.url("/gzip?size=1000"))
    assert result.content == b"z" * 1000
    # a few hundred compressed bytes that would expand far past the limit
    error = await refused(trusting(server), server.url(f"/gzip?size={LIMIT * 1000}"))
    assert error.code == "response_too_large"


async def test_slow_server_times_out_quickly(server: IssuerServer) -> None:
    started = time.monotonic()
    error = await refused(trusting(server, read_timeout=0.3), server.url("/slow?delay=5"))
    assert error.code == "timeout"
    assert "waiting for data" in error.message
    assert time.monotonic() - started < 2


async def test_total_time_limit_covers_a_dripping_body(server: IssuerServer) -> None:
    started = time.monotonic()
    policy = trusting(server, read_timeout=1, total_timeout=0.5)
    error = await refused(policy, server.url("/drip?count=100&every=0.05"))
    assert error.code == "timeout"
    assert "0.5 s" in error.message
    assert time.monotonic() - started < 2


async def test_connection_refused(server: IssuerServer) -> None:
    with socket.socket() as probe:  # a port on 127.0.0.1 that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = FetchPolicy(trusted_hosts=frozenset({f"127.0.0.1:{port}"}))
    error = await refused(policy, f"http://127.0.0.1:{port}/ok")
    assert error.code == "connection_failed"


# cache


async def test_max_age_is_cached(server: IssuerServer) -> None:
    url = server.url("/cache?cc=public,+max-age=60")
    async with SafeClient(trusting(server)) as client:
        first = await client.get(url, accept="application/json")
        second = await client.get(url, accept="application/json")
        other_type = await client.get(url, accept="text/html")
    assert (first.content, first.from_cache) == (b"hit 1", False)
    assert (second.content, second.from_cache) == (b"hit 1", True)
    assert other_type.content == b"hit 2"
    assert server.hits["/cache?cc=public,+max-age=60"] == 2


@pytest.mark.parametrize(
    "cache_control", [None, "no-store", "no-cache", "max-age=0", "no-store,+max-age=60"]
)
async def test_uncacheable_responses_are_fetched_again(
    server: IssuerServer, cache_control: str | None
) -> None:
    path = "/cache" if cache_control is None else f"/cache?cc={cache_control}"
    async with SafeClient(trusting(server)) as client:
        first = await client.get(server.url(path), accept="*/*")
        second = await client.get(server.url(path), accept="*/*")
    assert (first.content, second.content) == (b"hit 1", b"hit 2")
    assert not second.from_cache


async def test_only_200_is_cached(server: IssuerServer) -> None:
    async with SafeClient(trusting(server)) as client:
        for _ in range(2):
            result = await client.get(server.url("/status?code=404"), accept="*/*")
            assert not result.from_cache
    assert server.hits["/status?code=404"] == 2
    with pytest.raises(HttpStatusError) as caught:
        result.raise_for_status()
    assert (caught.value.code, caught.value.status) == ("http_status", 404)


async def test_redirect_target_is_cached_under_its_own_url(server: IssuerServer) -> None:
    target = "/cache?cc=max-age=60"
    async with SafeClient(trusting(server)) as client:
        await client.get(server.url(f"/redirect?to={target.replace('=', '%3D')}"), accept="*/*")
        direct = await client.get(server.url(target), accept="*/*")
    assert direct.from_cache


async def test_cache_is_bounded(server: IssuerServer) -> None:
    async with SafeClient(trusting(server, cache_max_entries=1)) as client:
        for name in ("a", "b", "a"):
            await client.get(server.url(f"/cache?cc=max-age=60&n={name}"), accept="*/*")
    assert server.hits["/cache?cc=max-age=60&n=a"] == 2


def test_cache_entries_expire() -> None:
    now = [1000.0]
    cache = ResponseCache(4, clock=lambda: now[0])
    headers = httpx.Headers({"Cache-Control": "max-age=60", "Age": "10"})
    result = FetchResult("https://issuer.test/a", 200, headers, b"a")
    assert cache.remember(("https://issuer.test/a", "*/*"), result)
    now[0] += 49
    assert cache.lookup(("https://issuer.test/a", "*/*")) is not None
    now[0] += 1
    assert cache.lookup(("https://issuer.test/a", "*/*")) is None
    assert len(cache) == 0


@pytest.mark.parametrize(
    ("header", "lifetime"),
    [
        ("max-age=60", 60.0),
        ('max-age="60"', 60.0),
        ("public, max-age=5", 5.0),
        ("MAX-AGE=7", 7.0),
        ("max-age=60, no-cache", None),
        ("no-store", None),
        ("max-age=-1", None),
        ("max-age=soon", None),
        ("private", None),
    ],
)
def test_freshness_lifetime(header: str, lifetime: float | None) -> None:
    assert freshness_lifetime(httpx.Headers({"Cache-Control": header})) == lifetime


def test_vary_star_is_not_cached() -> None:
    headers = httpx.Headers({"Cache-Control": "max-age=60", "Vary": "*"})
    assert freshness_lifetime(headers) is None


# POST (webhook deliveries)


async def test_post_delivers_body_and_headers(server: IssuerServer) -> None:
    async with SafeClient(trusting(server)) as client:
        result = await client.post(
            server.url("/echo"),
            content=b'{"event": "awarded"}',
            headers={"Content-Type": "application/json", "X-Signature": "abc"},
        )
    echo = json.loads(result.content)
    assert echo["method"] == "POST"
    assert echo["body"] == '{"event": "awarded"}'
    assert echo["headers"]["X-Signature"] == "abc"
    assert echo["headers"]["User-Agent"] == "xqbadges"
    assert echo["headers"]["Accept-Encoding"] == "identity"


async def test_post_does_not_follow_redirects_or_cache(server: IssuerServer) -> None:
    async with SafeClient(trusting(server)) as client:
        moved = await client.post(server.url("/redirect?to=/echo"), content=b"x")
        for _ in range(2):
            await client.post(server.url("/cache?cc=max-age=60"), content=b"x")
    assert moved.status == 302
    assert server.hits["/echo"] == 0
    assert server.hits["/cache?cc=max-age=60"] == 2


async def test_post_follows_the_same_address_rules(server: IssuerServer) -> None:
    async with SafeClient(FetchPolicy()) as client:
        with pytest.raises(FetchError) as plain:
            await client.post(server.url("/echo"), content=b"x")
        with pytest.raises(FetchError) as loopback:
            await client.post(server.url("/echo", scheme="https"), content=b"x")
        with pytest.raises(ValueError, match="Host"):
            await client.post("https://example.org/", content=b"x", headers={"host": "evil"})
    assert plain.value.code == "scheme_not_allowed"
    assert loopback.value.code == "address_not_allowed"
    assert server.hits["/echo"] == 0


async def test_get_sends_accept_and_user_agent(server: IssuerServer) -> None:
    result = await fetch(trusting(server), server.url("/echo"), accept="application/did+json")
    headers = json.loads(result.content)["headers"]
    assert headers["Accept"] == "application/did+json"
    assert headers["User-Agent"] == "xqbadges"
    assert headers["Host"] == server.origin
