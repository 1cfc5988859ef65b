"""JSON for large documents that lets other threads run while it is read or written.

The C parser and encoder hold the interpreter lock for a whole document: reading a 4 MB batch
takes 50 to 150 ms during which no other thread runs, the event loop included, even when the
call is made from a worker thread. Above ``LARGE`` characters, parsing builds each object
through a Python hook and a long list is encoded item by item, so the interpreter can switch
threads between objects (every few milliseconds) and health checks keep answering.
"""

from __future__ import annotations

import json
from typing import Any

LARGE = 64 * 1024
"""Documents shorter than this are handled by the C code in one go; they take well under 1 ms."""
_ITEMS = 64
"""Lists longer than this are encoded an item at a time."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def loads(text: str | bytes) -> Any:
    """``json.loads``, giving other threads their turn while a large document is read."""
    if len(text) < LARGE:
        return json.loads(text)
    return json.loads(text, object_pairs_hook=_object)


def dumps(value: Any) -> str:
    """``json.dumps`` (same output), giving other threads their turn between a long list's items."""
    if isinstance(value, list) and len(value) > _ITEMS:
        return "[" + ", ".join([json.dumps(item) for item in value]) + "]"
    return json.dumps(value)
