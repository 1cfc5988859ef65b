"""JSON paths (``$.credentialSubject.achievement.name``, ``$.type[1]``, ``$['@context'][0]``).

One spelling for every place the credentials core points into a document, so schema problems and
JSON-LD problems about the same spot read the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ROOT = "$"

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child_path(parent: str, step: str | int) -> str:
    """The path of ``step`` (an object key or an array index) below ``parent``."""
    if isinstance(step, int):
        return f"{parent}[{step}]"
    if _PLAIN_NAME.fullmatch(step):
        return f"{parent}.{step}"
    quoted = step.replace("\\", "\\\\").replace("'", "\\'")
    return f"{parent}['{quoted}']"


def json_path(steps: Iterable[str | int]) -> str:
    """The path reached from the root by following ``steps``."""
    path = ROOT
    for step in steps:
        path = child_path(path, step)
    return path
