"""JSON read strictly: only values JSON has, and one meaning per document.

Python's ``json`` module accepts three things a signed document must not carry:
- ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON (RFC 8259 section 6) and which
  PostgreSQL's JSON columns and every canonicalization refuse later, far from the request;
- lone surrogates written as ``\\ud800`` escapes, text that cannot be encoded as UTF-8 again
  (RFC 8259 section 8.2 calls its behaviour unpredictable), so storing, signing or even
  logging it fails;
- repeated member names, where the last silently wins (RFC 8259 section 4: names SHOULD be
  unique; I-JSON, RFC 7493, makes it a MUST): a verifier and a signer could then read one
  document two ways.

:func:`loads_strict` refuses all three at once, naming each place by its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from app.credentials.json_path import ROOT, child_path

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class StrictJsonViolation(ValueError):
    """The JSON parsed but is not strict JSON; ``problems`` are (JSON path, sentence) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        first_path, first_message = problems[0]
        super().__init__(f"{first_path}: {first_message}")


class _NotJsonNumber:
    def __init__(self, name: str) -> None:
        self.name = name


class _Duplicated(dict[str, Any]):
    duplicates: list[str]


def loads_strict(data: str | bytes) -> Any:
    """Parse like :func:`json.loads`, then refuse non-JSON numbers, lone surrogates and repeated
    member names with every place they occur. Syntax errors, text that is not UTF-8 and nesting
    too deep for the parser raise what ``json.loads`` raises."""
    suspicious = False

    def constant(name: str) -> _NotJsonNumber:
        nonlocal suspicious
        suspicious = True
        return _NotJsonNumber(name)

    def members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal suspicious
        result: dict[str, Any] = {}
        repeated: list[str] = []
        for name, value in pairs:
            if name in result:
                repeated.append(name)
            result[name] = value
        if not repeated:
            return result
        suspicious = True
        marked = _Duplicated(result)
        marked.duplicates = repeated
        return marked

    value = json.loads(data, parse_constant=constant, object_pairs_hook=members)
    text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    if suspicious or _SURROGATE_ESCAPE.search(text):
        problems = list(_problems(value))
        if problems:
            raise StrictJsonViolation(problems)
    return value


def _problems(document: Any) -> Iterator[tuple[str, str]]:
    pending: list[tuple[str, Any]] = [(ROOT, document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, _NotJsonNumber):
            yield path, f"{value.name} is not a JSON number"
        elif isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                yield (
                    path,
                    "the text holds a lone surrogate escape (\\ud800-\\udfff), not a character",
                )
        elif isinstance(value, dict):
            if isinstance(value, _Duplicated):
                for name in value.duplicates:
                    yield child_path(path, name), "the member name appears more than once"
            for name, member in reversed(value.items()):
                if _LONE_SURROGATE.search(name):
                    yield path, "a member name holds a lone surrogate escape, not a character"
                pending.append((child_path(path, name), member))
        elif isinstance(value, list):
            pending.extend(
                (child_path(path, index), item) for index, item in reversed(list(enumerate(value)))
            )
