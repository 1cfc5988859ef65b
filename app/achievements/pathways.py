"""Pathways: an issuer's badges grouped into organized sequences, published as OB 3.0
Achievements of type ``LearningProgram`` so that CLRs can name them in associations."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from app.catalog.serialize import definition_to_badge
from app.issuer.identity import IssuerIdentity
from app.problems import NotFound
from app.settings import Settings
from app.store.models import Issuer
from app.store.repositories import AchievementRepository

_MAX_BADGES = 10_000


def pathway_slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "pathway"


class Pathways:
    """An issuer's pathways, read from the current versions of its badges."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.identity = IssuerIdentity(session, settings)
        self._members: dict[int, dict[str, list[tuple[str, str]]]] = {}
        self._catalogs: dict[int, str] = {}

    def url(self, issuer: Issuer, pathway: str) -> str:
        return f"{self.settings.public_base_url}/pathways/{issuer.slug}/{pathway_slug(pathway)}"

    def members(self, issuer: Issuer) -> dict[str, list[tuple[str, str]]]:
        """Each pathway's badges as (code, title), in code order; read once per instance."""
        if issuer.id not in self._members:
            groups: dict[str, list[tuple[str, str]]] = {}
            rows = AchievementRepository(self.session).page(
                issuer_id=issuer.id, code=None, after_id=0, limit=_MAX_BADGES
            )
            for _achievement, version in rows:
                badge, catalog = definition_to_badge(version.definition)
                groups.setdefault(badge.pathway, []).append((badge.id, badge.title))
                self._catalogs.setdefault(issuer.id, catalog.name)
            self._members[issuer.id] = {
                name: sorted(badges) for name, badges in sorted(groups.items())
            }
        return self._members[issuer.id]

    def document(self, issuer: Issuer, pathway: str) -> dict[str, Any]:
        """The pathway as an Achievement; its criteria name the badges it groups."""
        badges = self.members(issuer).get(pathway, [])
        catalog = self._catalogs.get(issuer.id, issuer.name)
        listed = "; ".join(f"{code} {title}" for code, title in badges)
        return {
            "id": self.url(issuer, pathway),
            "type": ["Achievement"],
            "achievementType": "LearningProgram",
            "name": pathway,
            "description": (
                f"The {pathway} pathway of {catalog}: an organized sequence of badges that "
                "builds over time."
            ),
            "criteria": {"narrative": f"Earn the badges of the {pathway} pathway: {listed}."},
            "creator": self.identity.profile(issuer),
        }

    def by_slug(self, issuer: Issuer, slug: str) -> dict[str, Any]:
        for name in self.members(issuer):
            if pathway_slug(name) == slug:
                return self.document(issuer, name)
        raise NotFound(f"issuer {issuer.slug!r} has no pathway {slug!r}")
