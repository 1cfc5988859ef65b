"""The address rule: which IP addresses the service may open a connection to.

Outbound URLs come from credentials and platforms the service does not control, so a URL could
point the service at its own loopback interface, the cloud metadata endpoint
(169.254.169.254), a database on the private network, and so on (server-side request
forgery). Only public unicast addresses are allowed. The tables below list the ranges that are
refused, with the reason shown to a person; :attr:`ipaddress.IPv4Address.is_global` is consulted
afterwards as a safety net for anything the IANA registries add later.

IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by the
IPv4 address inside them too, so ``::ffff:127.0.0.1`` is loopback. An IPv4-mapped or NAT64
(64:ff9b::/96) address with a public IPv4 inside is allowed: the connection reaches that IPv4
host. The tables are searched in order, so a narrower range is listed before a wider one.

Resolution happens here (``socket.getaddrinfo`` in a worker thread) rather than in the
connector, so the addresses that were checked are the ones connected to; see
:mod:`app.net.transport`.
"""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import anyio
import anyio.to_thread

from app.net.errors import AddressNotAllowed, DnsFailed, FetchTimeout
from app.net.policy import FetchPolicy

IPAddress = IPv4Address | IPv6Address

_PRIVATE = "a private address (RFC 1918)"
_DOCUMENTATION = "a documentation address"

_IPV4_REFUSED: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(network), reason)
    for network, reason in (
        ("0.0.0.0/8", "in 0.0.0.0/8 ('this network', including the unspecified address)"),
        ("10.0.0.0/8", _PRIVATE),
        ("100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address (cloud metadata services live here)"),
        ("172.16.0.0/12", _PRIVATE),
        ("192.0.0.0/24", "an IETF protocol assignment (192.0.0.0/24)"),
        ("192.0.2.0/24", _DOCUMENTATION),
        ("192.88.99.0/24", "a deprecated 6to4 relay anycast address"),
        ("192.168.0.0/16", _PRIVATE),
        ("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"),
        ("198.51.100.0/24", _DOCUMENTATION),
        ("203.0.113.0/24", _DOCUMENTATION),
        ("224.0.0.0/4", "a multicast address"),
        ("255.255.255.255/32", "the broadcast address"),
        ("240.0.0.0/4", "a reserved address (240.0.0.0/4)"),
    )
)

_IPV6_REFUSED: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(network), reason)
    for network, reason in (
        ("::/128", "the unspecified address"),
        ("::1/128", "the loopback address"),
        ("64:ff9b:1::/48", "a local-use NAT64 address"),
        ("::/8", "a reserved address (::/8)"),  # after 64:ff9b:1::/48, which lies inside it
        ("100::/64", "a discard-only address"),
        ("2001::/23", "an IETF protocol assignment (2001::/23, including Teredo)"),
        ("2001:db8::/32", _DOCUMENTATION),
        ("3fff::/20", _DOCUMENTATION),
        ("5f00::/16", "a segment-routing (SRv6) address"),
        ("fc00::/7", "a unique-local address (fc00::/7)"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)

_NAT64 = IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    """The IPv4 address an IPv6 transition form carries, with the form's name."""
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _NAT64:
        return "NAT64", IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` must not be connected to, or None for a public unicast address."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            form, inner = embedded
            inner_reason = refusal_reason(inner)
            if inner_reason is not None:
                return f"the {form} form of {inner}, {inner_reason}"
            if form in ("IPv4-mapped", "NAT64"):
                return None  # the connection reaches that public IPv4 host
        refused: tuple[tuple[IPv4Network, str], ...] | tuple[tuple[IPv6Network, str], ...]
        refused = _IPV6_REFUSED
    else:
        refused = _IPV4_REFUSED
    for network, reason in refused:
        if address in network:
            return reason
    if not address.is_global or address.is_multicast:
        return "not a globally routable address"
    return None


def is_public_address(address: IPAddress) -> bool:
    return refusal_reason(address) is None


def parse_ip_literal(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is a literal (``[::1]`` brackets allowed), else None.

    Only canonical literals count; shorthand such as ``127.1`` is left to the resolver, which
    expands it, and the expanded address is then checked like any other.
    """
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ip_address(text)
    except ValueError:
        return None


def _getaddrinfo(host: str, port: int) -> list[IPAddress]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise DnsFailed(
            f"could not resolve the host name {host!r} ({error}); check the URL's host"
        ) from error
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ip_address(str(sockaddr[0]))
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise DnsFailed(f"the host name {host!r} has no IPv4 or IPv6 address")
    return addresses


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to, in the resolver's order; literals need no lookup."""
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    # abandon_on_cancel: a stuck resolver must not hold the caller past its time limit.
    return await anyio.to_thread.run_sync(_getaddrinfo, host, port, abandon_on_cancel=True)


async def resolve_allowed(
    host: str, port: int, policy: FetchPolicy, *, timeout: float | None
) -> list[IPAddress]:
    """Resolve ``host`` and refuse unless every address it has passes the address rule.

    Every address must pass, not just the one that would be used: a name that answers with one
    public and one private address would otherwise reach the private one on a retry.
    """
    try:
        with anyio.fail_after(timeout):
            addresses = await resolve(host, port)
    except TimeoutError as error:
        raise FetchTimeout(f"resolving {host!r} took longer than {timeout} s") from error
    if policy.allow_private_networks or policy.trusts(host, port):
        return addresses
    for address in addresses:
        reason = refusal_reason(address)
        if reason is None:
            continue
        shown = host if parse_ip_literal(host) is not None else f"{host} (resolves to {address})"
        raise AddressNotAllowed(
            f"refusing to connect to {shown}: that is {reason}; only public internet "
            "addresses are fetched (a local test issuer must be listed in the fetch "
            "policy's trusted hosts)"
        )
    return addresses
