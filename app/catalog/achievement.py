"""A catalog badge as an Open Badges 3.0 `Achievement` object.

Results per CPE. XQ grading is mastery-based: for each CPE the evidence either shows mastery
or does not yet. Of OB 3.0's ResultType vocabulary, `RubricCriterionLevel` says exactly that:
each CPE becomes a `ResultDescription` with two rubric criterion levels, "Not yet" and
"Mastery demonstrated" (listed low to high), and `requiredLevel` names the second. A credential
can then record per CPE a `Result` whose `achievedLevel` is one of the two level ids, and the
"next steps" that schools track in spreadsheets become data.

Ids. ResultDescription ids are `<base>/<cpe code>` and level ids
`<base>/<cpe code>/levels/demonstrated` and `.../levels/not-yet`, where `base` defaults to
`<achievement id>/cpes`. They depend only on the achievement id and the CPE code, so they stay
the same across versions of the achievement and a Result in an old credential still points at
the right CPE. CPE codes are restricted to URL-safe characters by the catalog schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.catalog.model import AlignmentTarget, Badge, Catalog, Cpe
from app.catalog.narrative import NOT_YET_PROVIDED, criteria_narrative, default_description

MASTERY_DEMONSTRATED = "Mastery demonstrated"
NOT_YET = "Not yet"


@dataclass(frozen=True)
class CpeResultIds:
    """The ids a credential needs to record one CPE's result."""

    result_description: str
    demonstrated: str
    not_yet: str


def _require_absolute(iri: str, what: str) -> None:
    if not urlsplit(iri).scheme:
        raise ValueError(f"{what} must be an absolute IRI: {iri!r}")


def _require_extendable(iri: str, what: str) -> None:
    parts = urlsplit(iri)
    if not parts.scheme or parts.query or parts.fragment:
        raise ValueError(
            f"{what} must be an absolute IRI without query or fragment, so that CPE paths "
            f"can be appended to it: {iri!r}"
        )


def cpe_result_ids(
    achievement_id: str, cpe_code: str, *, result_description_base: str | None = None
) -> CpeResultIds:
    """The ResultDescription and level ids of one CPE (see the module docstring)."""
    if result_description_base is None:
        _require_extendable(achievement_id, "achievement_id")
        base = f"{achievement_id.rstrip('/')}/cpes"
    else:
        _require_extendable(result_description_base, "result_description_base")
        base = result_description_base.rstrip("/")
    description_id = f"{base}/{cpe_code}"
    return CpeResultIds(
        result_description=description_id,
        demonstrated=f"{description_id}/levels/demonstrated",
        not_yet=f"{description_id}/levels/not-yet",
    )


def alignment_object(target: AlignmentTarget) -> dict[str, Any]:
    """An OB 3.0 `Alignment`."""
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": target.name,
        "targetUrl": target.url,
        "targetCode": target.code,
        "targetFramework": target.framework,
    }
    if target.type is not None:
        alignment["targetType"] = target.type
    if target.description is not None:
        alignment["targetDescription"] = target.description
    return alignment


def result_description(cpe: Cpe, badge: Badge, ids: CpeResultIds) -> dict[str, Any]:
    """An OB 3.0 `ResultDescription` for one CPE, aligned to its indicators' standards."""
    text = cpe.text if cpe.text is not None else NOT_YET_PROVIDED
    description: dict[str, Any] = {
        "id": ids.result_description,
        "type": ["ResultDescription"],
        "name": f"{cpe.code}: {text}",
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": [
            {
                "id": ids.not_yet,
                "type": ["RubricCriterionLevel"],
                "name": NOT_YET,
                "description": "The evidence does not yet show mastery of this CPE.",
            },
            {
                "id": ids.demonstrated,
                "type": ["RubricCriterionLevel"],
                "name": MASTERY_DEMONSTRATED,
                "description": "The evidence shows mastery of this CPE.",
            },
        ],
        "requiredLevel": ids.demonstrated,
    }
    if cpe.alignment_codes:
        description["alignment"] = [
            alignment_object(badge.alignment(code)) for code in cpe.alignment_codes
        ]
    return description


def build_achievement(
    badge: Badge,
    catalog: Catalog,
    *,
    achievement_id: str,
    image_url: str,
    creator: Mapping[str, Any],
    version: int,
    result_description_base: str | None = None,
) -> dict[str, Any]:
    """The OB 3.0 `Achievement` for `badge`, without `@context` (added by whoever serves it
    standalone; inside a credential the credential's context applies).

    `creator` is the issuer's `Profile` and is copied, not shared. `version` is the service's
    version number of this achievement (bumped when the badge's fingerprint changes).
    """
    if isinstance(version, bool) or version < 1:
        raise ValueError(f"version must be a positive whole number, not {version!r}")
    _require_absolute(achievement_id, "achievement_id")
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": badge.achievement_type,
        "humanCode": badge.id,
        "name": badge.title,
        "description": badge.description or default_description(badge, catalog),
        "criteria": {"narrative": criteria_narrative(badge)},
        "image": {"id": image_url, "type": "Image", "caption": f"{badge.id} {badge.title}"},
        "creator": copy.deepcopy(dict(creator)),
        "version": str(version),
        "inLanguage": catalog.language,
        "tag": [badge.pathway, badge.id],
    }
    if catalog.field_of_study is not None:
        achievement["fieldOfStudy"] = catalog.field_of_study
    if badge.alignments:
        achievement["alignment"] = [alignment_object(target) for target in badge.alignments]
    achievement["resultDescription"] = [
        result_description(
            cpe,
            badge,
            cpe_result_ids(
                achievement_id, cpe.code, result_description_base=result_description_base
            ),
        )
        for cpe in badge.cpes
    ]
    return achievement
