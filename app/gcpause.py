"""Holding off the cyclic garbage collector while a request builds a huge object graph.

A full collection visits every object alive, holding the interpreter lock all the while: while a
5 MB catalog is parsed (millions of nodes, dicts and strings) CPython runs several, of 200 to 600
ms each, and no other thread runs in between, the event loop included. Inside ``paused()`` the
collector waits; reference counting still frees everything that is not part of a cycle, and the
collector resumes, with its usual thresholds, when the last paused section ends (sections of
several threads nest). A section should drop what it built before it ends: objects created in a
pause and still alive after it are all examined by the next young-generation collection.

``settle()`` is the other half, run once before serving: it moves everything the process has
built by then (modules, the app, caches: some 150,000 objects) out of the collector's sight, so
a full collection visits only what requests create.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def paused() -> Iterator[None]:
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.enable()


def settle() -> None:
    """Collect once, then exempt every object alive now from later collections (gc.freeze)."""
    gc.collect()
    gc.freeze()
