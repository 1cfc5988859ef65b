"""Reading a catalog document (YAML or JSON text) into plain data, with line numbers.

Beyond what `yaml.safe_load` and `json.loads` do, this module:

- refuses YAML aliases (`*name`): a catalog never needs them, and nested aliases let a few
  hundred bytes expand into an exponentially large document (the "billion laughs" attack);
- reports duplicate keys, which both parsers would otherwise resolve silently by keeping the
  last value (a second `text:` line would quietly replace the first);
- remembers the line of every value of a YAML document, so later problems can point at it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from app.catalog.problems import Finding, Path

CatalogFormat = Literal["yaml", "json"]


@dataclass(frozen=True)
class Document:
    """Parsed data, the line of each path (YAML only), and problems found while reading.

    `readable` is False when the text could not be turned into data at all (bad encoding,
    syntax error); there is then nothing further to check.
    """

    data: object
    lines: Mapping[Path, int] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    readable: bool = True

    def line_of(self, path: Path) -> int | None:
        """The line of the value at `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


class _AliasFound(Exception):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.path = path


def _walk(
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    findings: list[Finding],
    seen: set[int],
) -> None:
    """Record lines and duplicate keys; stop at the first node met twice, i.e. an alias."""
    if id(node) in seen:
        raise _AliasFound(path)
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1
            if key in first_seen:
                findings.append(
                    Finding(
                        (*path, key),
                        f"duplicate key '{key}' (first given on line {first_seen[key]})",
                        key_line,
                    )
                )
                continue
            first_seen[key] = key_line
            lines[(*path, key)] = key_line
            _walk(value_node, (*path, key), lines, findings, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, findings, seen)


def _yaml_error(error: yaml.YAMLError) -> Finding:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = f", column {mark.column + 1}" if mark is not None else ""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    detail = f"{context}: {problem}" if context else problem
    return Finding((), f"YAML syntax error at line {line}{column}: {detail}", line)


def _too_deep() -> Finding:
    return Finding((), "the document is nested too deeply to be a catalog", 1)


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it: the same safe constructors, parsing about ten
times faster than the pure-Python one (a 5 MB catalog would otherwise take most of a minute)."""


def read_yaml(text: str) -> Document:
    loader = _SafeLoader(text)
    lines: dict[Path, int] = {}
    findings: list[Finding] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(data=None)
        _walk(node, (), lines, findings, set())
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        return Document(data=None, findings=(_yaml_error(error),), readable=False)
    except RecursionError:
        return Document(data=None, findings=(_too_deep(),), readable=False)
    except _AliasFound as alias:
        message = "aliases (*name) are not allowed in a catalog; write the value out"
        finding = Finding(alias.path, message, lines.get(alias.path))
        return Document(data=None, findings=(finding,), readable=False)
    finally:
        loader.dispose()
    return Document(data=data, lines=lines, findings=tuple(findings))


def read_json(text: str) -> Document:
    duplicates: list[str] = []

    def object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=object_without_duplicates)
    except RecursionError:
        return Document(data=None, findings=(_too_deep(),), readable=False)
    except json.JSONDecodeError as error:
        message = f"JSON syntax error at line {error.lineno}, column {error.colno}: {error.msg}"
        return Document(data=None, findings=(Finding((), message, error.lineno),), readable=False)
    findings = tuple(
        Finding((), f"duplicate key '{key}' in a JSON object; only the last value would count")
        for key in dict.fromkeys(duplicates)
    )
    return Document(data=data, findings=findings)


def decode(content: str | bytes) -> str | Finding:
    """Text of an upload: UTF-8, with or without a byte-order mark."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Finding((), f"the file is not UTF-8 text (byte {error.start} cannot be decoded)", 1)


def read_document(content: str | bytes, file_format: CatalogFormat) -> Document:
    text = decode(content)
    if isinstance(text, Finding):
        return Document(data=None, findings=(text,), readable=False)
    if file_format == "yaml":
        return read_yaml(text)
    return read_json(text)
