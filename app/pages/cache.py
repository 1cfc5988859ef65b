"""A small, thread-safe store of rendered pages."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable


class PageCache:
    """Rendered pages by key, each valid while its version matches and its time is not up."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._entries: OrderedDict[str, tuple[Hashable, float, str]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, key: str, version: Hashable) -> str | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or entry[1] <= time.monotonic():
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: str, version: Hashable, body: str, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (version, time.monotonic() + ttl, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
