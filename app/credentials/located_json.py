"""A checked copy of a JSON document whose strings remember where they were.

pyld deep-copies its input and reports a dropped property only by its name, so a problem found
inside pyld cannot be pointed at in the caller's document. A string that carries its own JSON
path survives both: pyld passes undefined terms and unresolvable IRIs through unchanged, and the
copy keeps the attribute. Building the copy is also where the document is checked to be plain JSON
within the limits, before any JSON-LD work is spent on it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.credentials.errors import (
    DocumentTooDeep,
    DocumentTooLarge,
    InvalidJsonLd,
    InvalidLanguageTag,
    NotJson,
    TooManyNodes,
)
from app.credentials.json_path import ROOT, child_path
from app.credentials.limits import DocumentLimits
from app.credentials.rdf_terms import is_language_tag

JSONLD_KEYWORDS = frozenset(
    {
        "@base", "@container", "@context", "@direction", "@graph", "@id", "@import",
        "@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix",
        "@propagate", "@protected", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
    }
)  # fmt: skip
"""The keywords of JSON-LD 1.1 (section 1.7); framing adds others, which credentials never use."""

_KEYWORD_FORM = re.compile(r"@[A-Za-z]+")
_CONTEXT_NAMING_KEYS = frozenset({"@context", "@import"})


class LocatedStr(str):
    """A string that knows its JSON path in the document it was read from."""

    json_path: str

    def __new__(cls, value: str, json_path: str) -> LocatedStr:
        located = super().__new__(cls, value)
        located.json_path = json_path
        return located

    def __copy__(self) -> LocatedStr:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> LocatedStr:
        return self


def path_of(value: object) -> str | None:
    """The JSON path ``value`` came from, when it is a located string."""
    return value.json_path if isinstance(value, LocatedStr) else None


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """The located copy, plus what the walk noticed on the way."""

    root: dict[str, Any]
    context_references: Mapping[str, str]
    """Each context URL the document names (in ``@context`` or ``@import``), with where first."""
    keyword_lookalikes: tuple[str, ...]
    """Paths of keys shaped like a keyword that JSON-LD does not define (JSON-LD ignores them)."""


def locate(document: Mapping[str, Any], limits: DocumentLimits) -> LocatedDocument:
    """Copy ``document`` with located strings, refusing non-JSON values and oversized input."""
    if not isinstance(document, Mapping):
        raise NotJson("a JSON-LD document must be a JSON object", ROOT)
    walker = _Walker(limits)
    root = walker.walk_object(document, ROOT, depth=1)
    serialized = json.dumps(root, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if len(serialized.encode("utf-8")) > limits.max_bytes:
        raise DocumentTooLarge(f"the document is larger than {limits.max_bytes} bytes", ROOT)
    return LocatedDocument(
        root=root,
        context_references=walker.context_references,
        keyword_lookalikes=tuple(walker.keyword_lookalikes),
    )


_TYPE_KEYS = frozenset({"type", "@type"})


def _check_keyword_value(key: str, value: object, path: str) -> None:
    """Refuse, where they stand, values that the JSON-LD processor or canonicalization would
    refuse later without saying where: a malformed language tag, a type that is not text.

    ``type`` is ``@type`` in every context this service pins (VC 2.0 protects the alias).
    """
    if key == "@language" and isinstance(value, str) and not is_language_tag(value):
        raise InvalidLanguageTag(f"{value!r} is not a well-formed BCP 47 language tag", path)
    if key in _TYPE_KEYS:
        types = value if isinstance(value, list | tuple) else [value]
        for index, item in enumerate(types):
            if not isinstance(item, str):
                where = child_path(path, index) if isinstance(value, list | tuple) else path
                raise InvalidJsonLd(
                    f"a type is a term or an IRI (text), not {json.dumps(item)[:40]}", where
                )


class _Walker:
    def __init__(self, limits: DocumentLimits) -> None:
        self._limits = limits
        self._nodes = 0
        self._text_length = 0
        self.context_references: dict[str, str] = {}
        self.keyword_lookalikes: list[str] = []

    def walk_object(
        self, source: Mapping[Any, Any], path: str, depth: int, in_context: bool = False
    ) -> dict[str, Any]:
        self._enter(path, depth)
        located: dict[str, Any] = {}
        for key, item in source.items():
            if not isinstance(key, str):
                raise NotJson("object keys must be strings", path)
            item_path = child_path(path, key)
            self._add_text(key, item_path)
            if _KEYWORD_FORM.fullmatch(key) and key not in JSONLD_KEYWORDS:
                self.keyword_lookalikes.append(item_path)
            if not in_context:
                _check_keyword_value(key, item, item_path)
            names_context = key in _CONTEXT_NAMING_KEYS
            located[LocatedStr(key, item_path)] = self._value(
                item, item_path, depth, names_context, in_context or key == "@context"
            )
        return located

    def _array(
        self, source: Sequence[Any], path: str, depth: int, names_context: bool, in_context: bool
    ) -> list[Any]:
        self._enter(path, depth)
        return [
            self._value(item, child_path(path, index), depth, names_context, in_context)
            for index, item in enumerate(source)
        ]

    def _value(
        self, value: object, path: str, parent_depth: int, names_context: bool, in_context: bool
    ) -> Any:
        if isinstance(value, Mapping):
            return self.walk_object(value, path, parent_depth + 1, in_context)
        if isinstance(value, list | tuple):
            return self._array(value, path, parent_depth + 1, names_context, in_context)
        self._count_node(path)
        if isinstance(value, str):
            self._add_text(value, path)
            if names_context:
                self.context_references.setdefault(value, path)
            return LocatedStr(value, path)
        if isinstance(value, float) and not math.isfinite(value):
            raise NotJson("numbers must be finite", path)
        if value is None or isinstance(value, bool | int | float):
            return value
        raise NotJson(f"a {type(value).__name__} is not a JSON value", path)

    def _enter(self, path: str, depth: int) -> None:
        if depth > self._limits.max_depth:
            raise DocumentTooDeep(
                f"the document nests deeper than {self._limits.max_depth} levels", path
            )
        self._count_node(path)

    def _count_node(self, path: str) -> None:
        self._nodes += 1
        if self._nodes > self._limits.max_nodes:
            raise TooManyNodes(f"the document has more than {self._limits.max_nodes} values", path)

    def _add_text(self, text: str, path: str) -> None:
        self._text_length += len(text)
        if self._text_length > self._limits.max_bytes:
            raise DocumentTooLarge(
                f"the document is larger than {self._limits.max_bytes} bytes", path
            )
