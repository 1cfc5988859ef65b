"""Size limits a JSON document must meet before any JSON-LD work is spent on it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """How big a document may be.

    ``max_depth`` counts nested objects and arrays (the top object is depth 1); ``max_nodes``
    counts every JSON value (objects, arrays and scalars); ``max_bytes`` is the length of the
    compact UTF-8 JSON serialization. The defaults leave room for a CLR bundling the 64
    credentials the verifier unpacks (an XQ badge credential has about 230 values and 10 KB;
    the complete OB 3.0 example has 545 values, depth 10), while pyld needs about a second to
    expand a document of 10,000 values when the fast path cannot.
    """

    max_depth: int = 32
    max_bytes: int = 1024 * 1024
    max_nodes: int = 25_000

    def __post_init__(self) -> None:
        if min(self.max_depth, self.max_bytes, self.max_nodes) < 1:
            raise ValueError("document limits must be positive")


DEFAULT_LIMITS = DocumentLimits()
