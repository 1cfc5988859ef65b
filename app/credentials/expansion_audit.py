"""Find what a JSON-LD expansion kept but RDF would lose, and hand back a plain copy.

Expansion is not where signing ends: a Data Integrity proof signs the canonical RDF dataset. An
``@id`` or ``@type`` left relative (pyld resolves nothing when it is given no base) turns into no
triple at all, and some things expansion keeps have no RDF form: ``@index``, ``@direction``,
``@language`` on a node, framing keywords, blank-node properties. In each case a reader of the
JSON would see data the signature does not cover, so each is a problem here.
"""

from __future__ import annotations

from typing import Any

from app.credentials.errors import CredentialError, DroppedInRdf, RelativeIri, UndefinedTerm
from app.credentials.iris import is_absolute_iri, is_blank_node_id
from app.credentials.json_path import ROOT
from app.credentials.located_json import path_of

_VALUE_KEYWORDS = frozenset({"@value", "@type", "@language"})


def audit_expansion(expanded: list[Any]) -> tuple[list[dict[str, Any]], list[CredentialError]]:
    """A copy of ``expanded`` made of plain ``str``, and every problem found in it."""
    auditor = _Auditor()
    plain = [auditor.element(item, ROOT) for item in expanded]
    return plain, auditor.problems


class _Auditor:
    def __init__(self) -> None:
        self.problems: list[CredentialError] = []

    def element(self, item: Any, near: str) -> Any:
        if not isinstance(item, dict):
            return _plain(item)
        if "@value" in item:
            return self._value_object(item, near)
        if "@list" in item:
            return self._list_object(item, near)
        return self._node(item, near)

    def _node(self, node: dict[str, Any], near: str) -> dict[str, Any]:
        near = path_of(node.get("@id")) or near
        plain: dict[str, Any] = {}
        for key, value in node.items():
            if key == "@id":
                self._check_id(value, near)
                plain[str(key)] = _plain(value)
            elif key == "@type":
                for type_ in value if isinstance(value, list) else [value]:
                    self._check_type(type_, near)
                plain[str(key)] = _plain(value)
            elif key == "@reverse":
                plain[str(key)] = {
                    str(prop): self._elements(items, near) for prop, items in value.items()
                }
            elif key in {"@graph", "@included"}:
                plain[str(key)] = self._elements(value, near)
            elif key.startswith("@"):
                self._dropped(key, value, f"{key!s} on a node has no RDF form", near)
                plain[str(key)] = _plain(value)
            elif is_blank_node_id(key):
                self._dropped(key, value, f"blank node {key!s} cannot be an RDF property", near)
                plain[str(key)] = _plain(value)
            else:
                plain[str(key)] = self._elements(value, near)
        return plain

    def _value_object(self, value_object: dict[str, Any], near: str) -> dict[str, Any]:
        near = path_of(value_object["@value"]) or near
        for key, value in value_object.items():
            if key not in _VALUE_KEYWORDS:
                self._dropped(key, value, f"{key!s} on a value has no RDF form", near)
        return {str(key): _plain(value) for key, value in value_object.items()}

    def _list_object(self, list_object: dict[str, Any], near: str) -> dict[str, Any]:
        plain: dict[str, Any] = {}
        for key, value in list_object.items():
            if key == "@list":
                plain[str(key)] = self._elements(value, near)
            else:
                self._dropped(key, value, f"{key!s} on a list has no RDF form", near)
                plain[str(key)] = _plain(value)
        return plain

    def _elements(self, items: Any, near: str) -> Any:
        if isinstance(items, list):
            return [self.element(item, near) for item in items]
        return self.element(items, near)

    def _check_id(self, value: Any, near: str) -> None:
        if isinstance(value, str) and not _names_a_node(value):
            self.problems.append(
                RelativeIri(
                    f"id {str(value)!r} is a relative IRI reference; only absolute IRIs are"
                    " accepted",
                    path_of(value) or near,
                )
            )

    def _check_type(self, value: Any, near: str) -> None:
        if isinstance(value, str) and not _names_a_node(value):
            self.problems.append(
                UndefinedTerm(
                    f"type {str(value)!r} is neither defined by the document's contexts"
                    " nor an absolute IRI",
                    path_of(value) or near,
                )
            )

    def _dropped(self, key: str, value: Any, message: str, near: str) -> None:
        self.problems.append(DroppedInRdf(message, path_of(key) or path_of(value) or near))


def _names_a_node(value: str) -> bool:
    return is_absolute_iri(value) or is_blank_node_id(value)


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
