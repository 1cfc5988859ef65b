"""Loading a catalog into an issuer's achievements, all or nothing.

A badge whose definition is unchanged keeps its version; a changed one gets version N+1 while
every earlier version stays stored and retrievable, so credentials issued against it still point
at what the student actually earned.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.catalog.loader import CatalogError
from app.catalog.model import Catalog
from app.catalog.serialize import badge_to_definition
from app.problems import InvalidRequest, ProblemItem
from app.store.models import Achievement, AchievementVersion, CatalogImport, Issuer
from app.store.repositories import AchievementRepository


def definition_fingerprint(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class ImportedBadge:
    code: str
    uid: str
    version: int
    change: str


@dataclass
class ImportSummary:
    import_id: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    badges: list[ImportedBadge] = field(default_factory=list)


def catalog_problem(error: CatalogError) -> InvalidRequest:
    """The catalog's errors as one 422 problem, each located by file, badge and field."""
    items = [
        ProblemItem(
            location=problem.location,
            message=problem.message,
            extra={key: value for key, value in problem.as_dict().items() if key != "message"},
        )
        for problem in error.problems
    ]
    return InvalidRequest(
        f"the catalog has {len(items)} problem(s); nothing was imported", errors=items
    )


def import_catalog(
    session: Session,
    issuer: Issuer,
    catalog: Catalog,
    *,
    source_name: str,
    source_sha256: str,
    actor: str,
) -> ImportSummary:
    """Add or version the catalog's badges for the issuer. The caller commits (or rolls back)."""
    repo = AchievementRepository(session)
    existing = repo.for_issuer_by_code(issuer.id)
    record = repo.add_import(
        CatalogImport(
            issuer_id=issuer.id,
            source_name=source_name[:500],
            sha256=source_sha256,
            catalog_name=catalog.name,
            catalog_version=catalog.version,
            created_count=0,
            updated_count=0,
            unchanged_count=0,
            actor=actor,
        )
    )
    summary = ImportSummary(import_id=record.id)
    now = datetime.now(UTC)
    for badge in catalog.badges:
        definition = badge_to_definition(badge, catalog)
        fingerprint = definition_fingerprint(definition)
        achievement = existing.get(badge.id)
        if achievement is None:
            achievement = repo.add(
                Achievement(
                    uid=str(uuid.uuid4()),
                    issuer_id=issuer.id,
                    code=badge.id,
                    current_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            change = "created"
            summary.created += 1
        else:
            current = repo.version(achievement.id, achievement.current_version)
            if current is not None and current.fingerprint == fingerprint:
                summary.unchanged += 1
                summary.badges.append(
                    ImportedBadge(
                        badge.id, achievement.uid, achievement.current_version, "unchanged"
                    )
                )
                continue
            achievement.current_version += 1
            achievement.updated_at = now
            change = "updated"
            summary.updated += 1
        repo.add_version(
            AchievementVersion(
                achievement_id=achievement.id,
                version=achievement.current_version,
                fingerprint=fingerprint,
                definition=definition,
                catalog_import_id=record.id,
                created_at=now,
            )
        )
        summary.badges.append(
            ImportedBadge(badge.id, achievement.uid, achievement.current_version, change)
        )
    record.created_count = summary.created
    record.updated_count = summary.updated
    record.unchanged_count = summary.unchanged
    session.flush()
    return summary
