"""The address rule, the fetch policy's trusted hosts, and resolve-then-check."""

from __future__ import annotations

import socket
from ipaddress import ip_address

import pytest

from app.net.addresses import (
    is_public_address,
    parse_ip_literal,
    refusal_reason,
    resolve_allowed,
)
from app.net.errors import AddressNotAllowed, DnsFailed
from app.net.policy import FetchPolicy, host_key

REFUSED = [
    # IPv4
    ("0.0.0.0", "this network"),
    ("0.1.2.3", "this network"),
    ("10.0.0.1", "private"),
    ("10.255.255.255", "private"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("169.254.169.254", "link-local"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.0.0.8", "IETF protocol assignment"),
    ("192.0.2.10", "documentation"),
    ("192.88.99.1", "6to4 relay"),
    ("192.168.1.1", "private"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    # IPv6
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("::127.0.0.1", "reserved"),  # deprecated IPv4-compatible form
    ("::8.8.8.8", "reserved"),
    ("fe80::1", "link-local"),
    ("fe80::1%1", "link-local"),
    ("febf::1", "link-local"),
    ("fec0::1", "site-local"),
    ("fc00::1", "unique-local"),
    ("fd12:3456:789a::1", "unique-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("100::1", "discard-only"),
    ("64:ff9b:1::1", "local-use NAT64"),
    ("5f00::1", "segment-routing"),
    ("2001::1", "Teredo form of 255.255.255.254"),
    ("2001:2::1", "IETF protocol assignment"),
    # IPv6 forms carrying a refused IPv4 address
    ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, a loopback"),
    ("::ffff:7f00:1", "IPv4-mapped form of 127.0.0.1, a loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped form of 10.0.0.1, a private"),
    ("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254, a link-local"),
    ("::ffff:100.64.0.1", "carrier-grade NAT"),
    ("::ffff:0.0.0.0", "this network"),
    ("64:ff9b::7f00:1", "NAT64 form of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 form of 169.254.169.254"),
    ("2002:7f00:1::1", "6to4 form of 127.0.0.1"),
    ("2002:c0a8:101::1", "6to4 form of 192.168.1.1"),
    ("2002:a00:1::1", "6to4 form of 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo form of 127.0.0.1"),
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "151.101.1.69",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "172.15.255.255",
    "172.32.0.1",
    "192.167.255.255",
    "192.169.0.0",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",  # IPv4-mapped: the connection goes to 8.8.8.8 itself
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_refused_addresses(address: str, reason: str) -> None:
    parsed = ip_address(address)
    found = refusal_reason(parsed)
    assert found is not None, f"{address} should be refused"
    assert reason in found
    assert not is_public_address(parsed)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses(address: str) -> None:
    assert refusal_reason(ip_address(address)) is None
    assert is_public_address(ip_address(address))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.org", None),
        ("127.1", None),  # shorthand goes to the resolver, which expands it
        ("2130706433", None),
    ],
)
def test_parse_ip_literal(host: str, expected: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (None if parsed is None else str(parsed)) == expected


@pytest.mark.parametrize(
    ("entry", "host", "port", "trusted"),
    [
        ("127.0.0.1:8123", "127.0.0.1", 8123, True),
        ("127.0.0.1:8123", "127.0.0.1", 8124, False),
        ("LocalHost.", "localhost", 1, True),
        ("localhost", "LOCALHOST.", 65535, True),
        ("[::1]:8000", "::1", 8000, True),
        ("[::1]:8000", "[::1]", 8000, True),
        ("[::1]", "::1", 9, True),
        ("issuer.test:443", "issuer.test", 80, False),
    ],
)
def test_trusted_hosts(entry: str, host: str, port: int, trusted: bool) -> None:
    assert FetchPolicy(trusted_hosts=frozenset({entry})).trusts(host, port) is trusted


@pytest.mark.parametrize("entry", ["host:port", "[::1]x", "::1:80", "a:"])
def test_malformed_trusted_hosts_are_rejected(entry: str) -> None:
    with pytest.raises(ValueError, match="trusted host"):
        FetchPolicy(trusted_hosts=frozenset({entry}))


@pytest.mark.parametrize(
    "field", ["max_response_bytes", "connect_timeout", "read_timeout", "total_timeout"]
)
def test_policy_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        FetchPolicy(**{field: 0})  # type: ignore[arg-type]


def test_host_key() -> None:
    assert host_key("Example.ORG.", 443) == "example.org:443"
    assert host_key("::1", 80) == "[::1]:80"
    assert host_key("[::1]") == "[::1]"


# resolve-then-check, with a fake resolver (no name ever reaches a real DNS server)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names ending in .test resolve to the addresses listed here; any other name fails."""
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:  # type: ignore[type-arg]
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        result = []
        for text in answers[host]:
            if ":" in text:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (text, port, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (text, port)))
        return result

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.anyio
async def test_every_resolved_address_must_be_public(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["mixed.test"] = ["8.8.8.8", "10.0.0.7"]
    with pytest.raises(AddressNotAllowed) as caught:
        await resolve_allowed("mixed.test", 443, FetchPolicy(), timeout=1)
    assert caught.value.code == "address_not_allowed"
    assert "mixed.test (resolves to 10.0.0.7)" in caught.value.message
    assert "private" in caught.value.message


@pytest.mark.anyio
async def test_public_names_resolve(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["public.test"] = ["8.8.8.8", "2001:4860:4860::8888", "8.8.8.8"]
    addresses = await resolve_allowed("public.test", 443, FetchPolicy(), timeout=1)
    assert [str(a) for a in addresses] == ["8.8.8.8", "2001:4860:4860::8888"]


@pytest.mark.anyio
async def test_ipv6_mapped_loopback_answer_is_refused(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["mapped.test"] = ["::ffff:127.0.0.1"]
    with pytest.raises(AddressNotAllowed, match=r"IPv4-mapped form of 127\.0\.0\.1"):
        await resolve_allowed("mapped.test", 443, FetchPolicy(), timeout=1)


@pytest.mark.anyio
async def test_trusted_host_and_private_networks_skip_the_rule(
    fake_dns: dict[str, list[str]],
) -> None:
    fake_dns["issuer.test"] = ["127.0.0.1"]
    trusted = FetchPolicy(trusted_hosts=frozenset({"issuer.test:8443"}))
    assert [str(a) for a in await resolve_allowed("issuer.test", 8443, trusted, timeout=1)] == [
        "127.0.0.1"
    ]
    with pytest.raises(AddressNotAllowed):
        await resolve_allowed("issuer.test", 8444, trusted, timeout=1)
    anywhere = FetchPolicy(allow_private_networks=True)
    assert len(await resolve_allowed("issuer.test", 1, anywhere, timeout=1)) == 1


@pytest.mark.anyio
async def test_literal_addresses_are_checked_without_dns(
    fake_dns: dict[str, list[str]],
) -> None:
    with pytest.raises(AddressNotAllowed, match=r"refusing to connect to 169\.254\.169\.254"):
        await resolve_allowed("169.254.169.254", 80, FetchPolicy(), timeout=1)
    with pytest.raises(AddressNotAllowed, match="loopback"):
        await resolve_allowed("::1", 443, FetchPolicy(), timeout=1)


@pytest.mark.anyio
async def test_unknown_name_is_dns_failed(fake_dns: dict[str, list[str]]) -> None:
    with pytest.raises(DnsFailed) as caught:
        await resolve_allowed("nowhere.test", 443, FetchPolicy(), timeout=1)
    assert caught.value.code == "dns_failed"
    assert "nowhere.test" in caught.value.message
