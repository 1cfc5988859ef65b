"""Stored badge versions rendered as the OB3 Achievements the world sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.catalog.achievement import build_achievement
from app.catalog.serialize import definition_to_badge
from app.credentials.context_urls import OB3_CONTEXT, VC2_CONTEXT
from app.issuer.identity import IssuerIdentity
from app.problems import NotFound
from app.settings import Settings
from app.store.models import Achievement, AchievementVersion, Issuer
from app.store.repositories import AchievementRepository, IssuerRepository


@dataclass(frozen=True)
class AchievementPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


class AchievementPublisher:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = AchievementRepository(session)
        self.identity = IssuerIdentity(session, settings)

    def achievement_url(self, achievement: Achievement) -> str:
        return f"{self.settings.public_base_url}/achievements/{achievement.uid}"

    def image_url(self, achievement: Achievement) -> str:
        return f"{self.achievement_url(achievement)}/image.svg"

    def get(self, uid: str) -> Achievement:
        achievement = self.repo.by_uid(uid)
        if achievement is None:
            raise NotFound(f"there is no achievement {uid!r}")
        return achievement

    def get_version(self, achievement: Achievement, version: int | None) -> AchievementVersion:
        number = achievement.current_version if version is None else version
        row = self.repo.version(achievement.id, number)
        if row is None:
            raise NotFound(f"achievement {achievement.uid} has no version {number}")
        return row

    def document(
        self,
        achievement: Achievement,
        version: AchievementVersion,
        *,
        issuer: Issuer | None = None,
        with_context: bool = False,
    ) -> dict[str, Any]:
        issuer = issuer or IssuerRepository(self.session).by_id(achievement.issuer_id)
        assert issuer is not None
        badge, catalog = definition_to_badge(version.definition)
        document = build_achievement(
            badge,
            catalog,
            achievement_id=self.achievement_url(achievement),
            image_url=badge.image or self.image_url(achievement),
            creator=self.identity.profile(issuer),
            version=version.version,
        )
        if with_context:
            document = {"@context": [VC2_CONTEXT, OB3_CONTEXT], **document}
        return document

    def versions(self, achievement: Achievement) -> Sequence[AchievementVersion]:
        return self.repo.versions(achievement.id)

    def page(
        self, *, issuer_slug: str | None, code: str | None, cursor: str | None, limit: int
    ) -> AchievementPage:
        issuer_id = None
        if issuer_slug is not None:
            issuer = IssuerRepository(self.session).by_slug(issuer_slug)
            if issuer is None:
                return AchievementPage(items=[], next_cursor=None)
            issuer_id = issuer.id
        after = int(cursor) if cursor and cursor.isdigit() else 0
        rows = self.repo.page(issuer_id=issuer_id, code=code, after_id=after, limit=limit + 1)
        issuers = {issuer.id: issuer for issuer in IssuerRepository(self.session).all()}
        items = [
            self.document(
                achievement, version, issuer=issuers[achievement.issuer_id], with_context=True
            )
            for achievement, version in rows[:limit]
        ]
        next_cursor = str(rows[limit - 1][0].id) if len(rows) > limit else None
        return AchievementPage(items=items, next_cursor=next_cursor)
