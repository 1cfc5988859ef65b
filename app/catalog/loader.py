"""Turning a catalog file, upload or parsed document into a checked `Catalog`.

Every entry point either returns a `Catalog` that satisfies every rule of FORMAT.md or raises
`CatalogError` listing every problem found: encoding and syntax errors, schema violations,
then the rules of `rules.py`, each with its file, badge, field and (for YAML) line.
A missing file is not a catalog problem: `load_catalog_file` lets `OSError` through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FilePath

from app.catalog.documents import CatalogFormat, Document, read_document
from app.catalog.model import Badge, Catalog
from app.catalog.problems import CatalogError, CatalogProblem, Finding, Path
from app.catalog.rules import badge_findings, catalog_findings
from app.catalog.schema import schema_findings
from app.catalog.serialize import badge_from_data, catalog_from_data

__all__ = [
    "DEFAULT_CATALOG_PATH",
    "CatalogError",
    "CatalogFormat",
    "CatalogLimits",
    "CatalogProblem",
    "CatalogTooLarge",
    "default_catalog",
    "format_for_filename",
    "load_catalog_file",
    "parse_catalog",
    "parse_catalog_text",
]

DEFAULT_CATALOG_PATH = FilePath(__file__).resolve().parent / "data" / "xq-math.yaml"

_FORMATS_BY_SUFFIX: Mapping[str, CatalogFormat] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def format_for_filename(name: str) -> CatalogFormat | None:
    """`yaml` or `json` from a file name's suffix (case-insensitive), None when neither."""
    return _FORMATS_BY_SUFFIX.get(FilePath(name).suffix.lower())


def _sort_key(problem: CatalogProblem) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in problem.path)


def _badge_ref(data: object, path: Path) -> str | int | None:
    if len(path) < 2 or path[0] != "badges" or not isinstance(path[1], int):
        return None
    index = path[1]
    badges = data.get("badges") if isinstance(data, dict) else None
    if not isinstance(badges, list) or index >= len(badges):
        return index
    raw = badges[index]
    badge_id = raw.get("id") if isinstance(raw, dict) else None
    return badge_id if isinstance(badge_id, str) and badge_id.strip() else index


def _badge_index(path: Path) -> int | None:
    if len(path) >= 2 and path[0] == "badges" and isinstance(path[1], int):
        return path[1]
    return None


def _raw_badges(data: object) -> list[object]:
    badges = data.get("badges") if isinstance(data, dict) else None
    return badges if isinstance(badges, list) else []


def _rule_findings(data: object, schema_problems: Sequence[Finding]) -> list[Finding]:
    """Run the rules on every badge the schema accepted, and across readable badge ids."""
    broken = {_badge_index(finding.path) for finding in schema_problems}
    valid: list[tuple[int, Badge]] = []
    readable_ids: list[tuple[int, str]] = []
    findings: list[Finding] = []
    for index, raw in enumerate(_raw_badges(data)):
        if not isinstance(raw, dict):
            continue
        if isinstance(raw.get("id"), str):
            readable_ids.append((index, raw["id"]))
        if index not in broken:
            badge = badge_from_data(raw)
            valid.append((index, badge))
            findings.extend(badge_findings(badge, ("badges", index)))
    findings.extend(catalog_findings(valid, readable_ids))
    return findings


def _check(document: Document, source: str) -> Catalog:
    findings = list(document.findings)
    if document.readable:
        schema_problems = schema_findings(document.data)
        findings.extend(schema_problems)
        findings.extend(_rule_findings(document.data, schema_problems))
    if findings:
        problems = [
            CatalogProblem(
                file=source,
                badge=_badge_ref(document.data, finding.path),
                path=finding.path,
                message=finding.message,
                line=finding.line if finding.line is not None else document.line_of(finding.path),
            )
            for finding in findings
        ]
        raise CatalogError(sorted(problems, key=_sort_key))
    assert isinstance(document.data, dict)
    return catalog_from_data(document.data)


@dataclass(frozen=True)
class CatalogLimits:
    """How much one catalog may hold; checked on the parsed data before the (much costlier)
    schema and rule checks, so an oversized upload is refused cheaply."""

    badges: int
    cpes_per_badge: int
    indicators_per_cpe: int


class CatalogTooLarge(Exception):
    """The catalog holds more than its limits allow; the message says which and where."""


def _list(value: object, key: str) -> list[object]:
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, list) else []


def check_limits(data: object, limits: CatalogLimits) -> None:
    badges = _list(data, "badges")
    if len(badges) > limits.badges:
        raise CatalogTooLarge(f"the catalog has {len(badges)} badges; at most {limits.badges}")
    for index, badge in enumerate(badges):
        cpes = _list(badge, "cpes")
        if len(cpes) > limits.cpes_per_badge:
            raise CatalogTooLarge(
                f"badges[{index}] has {len(cpes)} CPEs; at most {limits.cpes_per_badge}"
            )
        for number, cpe in enumerate(cpes):
            indicators = _list(cpe, "indicators")
            if len(indicators) > limits.indicators_per_cpe:
                raise CatalogTooLarge(
                    f"badges[{index}].cpes[{number}] has {len(indicators)} indicators; "
                    f"at most {limits.indicators_per_cpe}"
                )


def parse_catalog(data: object, *, source: str) -> Catalog:
    """Check already-parsed data (e.g. a JSON request body); `source` names it in problems."""
    return _check(Document(data=data), source)


def parse_catalog_text(
    content: str | bytes,
    *,
    file_format: CatalogFormat,
    source: str,
    limits: CatalogLimits | None = None,
) -> Catalog:
    """Check a catalog given as text or bytes (UTF-8), e.g. an uploaded file; with ``limits``,
    a catalog beyond them raises `CatalogTooLarge` before it is checked."""
    document = read_document(content, file_format)
    if limits is not None and document.readable:
        check_limits(document.data, limits)
    return _check(document, source)


def load_catalog_file(path: FilePath | str) -> Catalog:
    """Load a `.yaml`, `.yml` or `.json` catalog file; problems name the file as given."""
    path = FilePath(path)
    file_format = format_for_filename(path.name)
    if file_format is None:
        problem = CatalogProblem(
            file=str(path),
            badge=None,
            path=(),
            message=f"unsupported file type '{path.suffix}'; use .yaml, .yml or .json",
        )
        raise CatalogError([problem])
    return parse_catalog_text(path.read_bytes(), file_format=file_format, source=str(path))


@cache
def default_catalog() -> Catalog:
    """The XQ Math Badging System catalog shipped with the service (data/xq-math.yaml)."""
    return load_catalog_file(DEFAULT_CATALOG_PATH)
