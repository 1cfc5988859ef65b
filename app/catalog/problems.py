"""What can be wrong with a catalog file, located precisely enough for a person to fix it.

A catalog is edited by hand (a district adds its CPE texts, a state adds alignments), so a
rejected file must say *every* problem at once: the file, the badge, the field and, for YAML,
the line. Checks produce `Finding`s (a path and a message); the loader turns them into
`CatalogProblem`s by adding the file name, the badge they belong to and the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PathPart = str | int
Path = tuple[PathPart, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(path: Path) -> str:
    """Write a path as `badges[3].cpes[1].code`; `$` is the whole document.

    Keys that are not plain names are quoted (`badges[0]["odd key"]`) so the notation stays
    unambiguous whatever an uploaded file contains.
    """
    if not path:
        return "$"
    written = ""
    for part in path:
        if isinstance(part, int):
            written += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            written += f".{part}" if written else part
        else:
            quoted = part.replace("\\", "\\\\").replace('"', '\\"')
            written += f'["{quoted}"]'
    return written


@dataclass(frozen=True)
class Finding:
    """One problem found by a check, before it is tied to a file and a badge."""

    path: Path
    message: str
    line: int | None = None


@dataclass(frozen=True)
class CatalogProblem:
    """One problem of a catalog file.

    `badge` is the id of the badge the problem is in (its index in `badges` when the id is
    missing or unusable), or None for a problem of the catalog as a whole. `field` is the
    path of the offending value, `line` its 1-based line when the source was YAML or when a
    syntax error says where it is.
    """

    file: str
    badge: str | int | None
    path: Path
    message: str
    line: int | None = None

    @property
    def field(self) -> str:
        return format_path(self.path)

    @property
    def location(self) -> str:
        """`xq-math.yaml:57, badge M103, badges[3].cpes[1].code` for one-line reports."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if isinstance(self.badge, str):
            parts.append(f"badge {self.badge}")
        parts.append(self.field)
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "badge": self.badge,
            "field": self.field,
            "line": self.line,
            "message": self.message,
        }


class CatalogError(ValueError):
    """A catalog was rejected; `problems` lists every problem found, ordered by field path."""

    def __init__(self, problems: Iterable[CatalogProblem]) -> None:
        self.problems: Sequence[CatalogProblem] = tuple(problems)
        if not self.problems:
            raise ValueError("a CatalogError needs at least one problem")
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        head = f"the catalog has {count} problem{'s' if count != 1 else ''}"
        lines = [f"  {problem.location}: {problem.message}" for problem in self.problems]
        return "\n".join([head + ":", *lines])
