"""A small in-memory cache of successful GET responses, honouring ``Cache-Control``.

Only what the server explicitly allows is kept: a 200 response with a positive ``max-age``
(less any ``Age``) and neither ``no-store`` nor ``no-cache``; nothing is cached heuristically.
The cache is bounded by entry count and evicts the least recently used entry. Entries are
keyed by URL and ``Accept`` value, as the answer may depend on the media type asked for.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from app.net.result import FetchResult

CacheKey = tuple[str, str]


def _directives(headers: httpx.Headers) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in headers.get_list("cache-control", split_commas=True):
        name, _, value = item.strip().partition("=")
        found.setdefault(name.strip().lower(), value.strip().strip('"'))
    return found


def freshness_lifetime(headers: httpx.Headers) -> float | None:
    """Seconds the response may be reused for, or None when it must not be cached."""
    directives = _directives(headers)
    if "no-store" in directives or "no-cache" in directives:
        return None
    if headers.get("vary", "").strip() == "*":
        return None
    max_age = directives.get("max-age", "")
    if not max_age.isdigit():
        return None
    age = headers.get("age", "0").strip()
    lifetime = int(max_age) - (int(age) if age.isdigit() else 0)
    return float(lifetime) if lifetime > 0 else None


@dataclass(frozen=True, slots=True)
class _Entry:
    result: FetchResult
    expires_at: float


class ResponseCache:
    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: CacheKey) -> FetchResult | None:
        """A fresh copy of the cached result, marked ``from_cache``, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return replace(entry.result, headers=httpx.Headers(entry.result.headers), from_cache=True)

    def remember(self, key: CacheKey, result: FetchResult) -> bool:
        """Keep ``result`` when its status and headers allow it; say whether it was kept."""
        lifetime = freshness_lifetime(result.headers)
        if self._max_entries == 0 or result.status != 200 or lifetime is None:
            return False
        stored = replace(result, headers=httpx.Headers(result.headers))
        self._entries[key] = _Entry(stored, self._clock() + lifetime)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return True
