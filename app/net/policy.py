"""What the outbound HTTP client may do: :class:`FetchPolicy`.

The policy is a plain frozen value so the caller builds it from the service settings and this
package never reads settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(host: str, port: int | None = None) -> str:
    """``host`` or ``host:port`` in the normalised form :attr:`FetchPolicy.trusted_hosts` uses.

    Lower case, no trailing dot, IPv6 literals in brackets: ``[::1]:8000``.
    """
    name = host.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if ":" in name:
        name = f"[{name}]"
    return name if port is None else f"{name}:{port}"


def _normalise_entry(entry: str) -> str:
    text = entry.strip().lower()
    if text.startswith("["):  # [v6] or [v6]:port
        bracket = text.find("]")
        host, rest = text[1:bracket], text[bracket + 1 :]
        if not rest:
            return host_key(host)
        if not rest.startswith(":") or not rest[1:].isdigit():
            raise ValueError(f"trusted host {entry!r} is not host, host:port or [ipv6]:port")
        return host_key(host, int(rest[1:]))
    host, sep, port = text.rpartition(":")
    if not sep:
        return host_key(text)
    if not host or not port.isdigit() or ":" in host:
        raise ValueError(f"trusted host {entry!r} is not host, host:port or [ipv6]:port")
    return host_key(host, int(port))


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits and exceptions for every outbound request.

    ``trusted_hosts`` holds ``host`` or ``host:port`` values (``[::1]:8000`` for IPv6) that
    may be fetched over plain http and whose addresses are not checked against the
    public-address rule; it exists for a local test issuer and must stay empty in production.
    An entry without a port trusts the host on every port. ``allow_private_networks`` turns the
    address rule off for every host (https is still required for untrusted hosts).

    ``cache_max_entries`` bounds the in-memory cache; its worst-case memory is that number
    times ``max_response_bytes``. 0 turns caching off.
    """

    trusted_hosts: frozenset[str] = field(default_factory=frozenset)
    allow_private_networks: bool = False
    max_response_bytes: int = 1024 * 1024
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 20.0
    max_redirects: int = 3
    user_agent: str = "xqbadges"
    cache_max_entries: int = 64

    def __post_init__(self) -> None:
        normalised = frozenset(_normalise_entry(entry) for entry in self.trusted_hosts)
        object.__setattr__(self, "trusted_hosts", normalised)
        if self.max_response_bytes <= 0:
            raise ValueError("max_response_bytes must be positive")
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects must not be negative")
        if self.cache_max_entries < 0:
            raise ValueError("cache_max_entries must not be negative")

    def trusts(self, host: str, port: int) -> bool:
        """Whether ``host`` on ``port`` is listed in :attr:`trusted_hosts`."""
        return host_key(host, port) in self.trusted_hosts or host_key(host) in self.trusted_hosts
