"""What counts as an absolute IRI or a blank node identifier in a JSON-LD document."""

from __future__ import annotations

import re

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")
_BLANK_NODE_ID = re.compile(r"_:\S+")


def is_absolute_iri(value: str) -> bool:
    """A scheme, a colon and no whitespace: the loose test JSON-LD processors apply."""
    return bool(_ABSOLUTE_IRI.fullmatch(value))


def is_blank_node_id(value: str) -> bool:
    return bool(_BLANK_NODE_ID.fullmatch(value))
