"""Between the file format (plain dicts and lists) and the model.

`*_from_data` expect data that already passed the JSON Schema: they convert, they do not
check. `*_to_data` write the explicit form of FORMAT.md (every list present, the default
achievement type spelled out, absent optional texts left out), which is also the canonical
form the fingerprint hashes: two files that mean the same badge give the same data here.

A *definition* is what the service stores per achievement version: the badge plus the
catalog fields that reach its Achievement (name, language, field of study). The catalog's
version and source are left out on purpose, so that a new catalog edition in which a badge
did not change gives that badge the same definition, and so the same fingerprint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.catalog.model import (
    DEFAULT_ACHIEVEMENT_TYPE,
    AlignmentTarget,
    Badge,
    Catalog,
    Cpe,
    DeclaredCounts,
    Indicator,
)


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def alignment_from_data(data: Mapping[str, Any]) -> AlignmentTarget:
    return AlignmentTarget(
        framework=data["framework"],
        code=data["code"],
        name=data["name"],
        url=data["url"],
        type=_optional(data, "type"),
        description=_optional(data, "description"),
    )


def indicator_from_data(data: Mapping[str, Any]) -> Indicator:
    return Indicator(
        code=data["code"],
        text=data["text"],
        alignments=tuple(data.get("alignments", ())),
    )


def cpe_from_data(data: Mapping[str, Any]) -> Cpe:
    return Cpe(
        code=data["code"],
        text=data["text"],
        indicators=tuple(indicator_from_data(item) for item in data.get("indicators", ())),
    )


def badge_from_data(data: Mapping[str, Any]) -> Badge:
    counts = data["counts"]
    return Badge(
        id=data["id"],
        title=data["title"],
        pathway=data["pathway"],
        counts=DeclaredCounts(cpes=int(counts["cpes"]), indicators=int(counts["indicators"])),
        cpes=tuple(cpe_from_data(item) for item in data["cpes"]),
        alignments=tuple(alignment_from_data(item) for item in data.get("alignments", ())),
        prerequisites=tuple(data.get("prerequisites", ())),
        description=_optional(data, "description"),
        image=_optional(data, "image"),
        achievement_type=data.get("achievementType", DEFAULT_ACHIEVEMENT_TYPE),
    )


def catalog_from_data(data: Mapping[str, Any]) -> Catalog:
    return Catalog(
        name=data["catalog"],
        version=str(data["version"]),
        language=data["language"],
        badges=tuple(badge_from_data(item) for item in data["badges"]),
        field_of_study=_optional(data, "fieldOfStudy"),
        source=_optional(data, "source"),
    )


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def alignment_to_data(target: AlignmentTarget) -> dict[str, Any]:
    return _without_none(
        {
            "framework": target.framework,
            "code": target.code,
            "name": target.name,
            "url": target.url,
            "type": target.type,
            "description": target.description,
        }
    )


def indicator_to_data(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "text": indicator.text,
        "alignments": list(indicator.alignments),
    }


def cpe_to_data(cpe: Cpe) -> dict[str, Any]:
    return {
        "code": cpe.code,
        "text": cpe.text,
        "indicators": [indicator_to_data(item) for item in cpe.indicators],
    }


def badge_to_data(badge: Badge) -> dict[str, Any]:
    return _without_none(
        {
            "id": badge.id,
            "title": badge.title,
            "description": badge.description,
            "pathway": badge.pathway,
            "counts": {"cpes": badge.counts.cpes, "indicators": badge.counts.indicators},
            "cpes": [cpe_to_data(item) for item in badge.cpes],
            "alignments": [alignment_to_data(item) for item in badge.alignments],
            "prerequisites": list(badge.prerequisites),
            "image": badge.image,
            "achievementType": badge.achievement_type,
        }
    )


def catalog_to_data(catalog: Catalog) -> dict[str, Any]:
    return _without_none(
        {
            "catalog": catalog.name,
            "version": catalog.version,
            "language": catalog.language,
            "fieldOfStudy": catalog.field_of_study,
            "source": catalog.source,
            "badges": [badge_to_data(item) for item in catalog.badges],
        }
    )


def badge_to_definition(badge: Badge, catalog: Catalog) -> dict[str, Any]:
    """The stored form of one badge; its canonical JSON hashes to
    `badge_fingerprint(badge, catalog=catalog)`."""
    return {
        "badge": badge_to_data(badge),
        "catalog": {
            "name": catalog.name,
            "language": catalog.language,
            "fieldOfStudy": catalog.field_of_study,
        },
    }


def definition_to_badge(definition: Mapping[str, Any]) -> tuple[Badge, Catalog]:
    """The badge of a stored definition, and a one-badge catalog carrying the catalog fields
    the Achievement needs. That catalog's version is empty: definitions do not record it."""
    badge = badge_from_data(definition["badge"])
    context = definition["catalog"]
    catalog = Catalog(
        name=context["name"],
        version="",
        language=context["language"],
        badges=(badge,),
        field_of_study=context.get("fieldOfStudy"),
    )
    return badge, catalog
