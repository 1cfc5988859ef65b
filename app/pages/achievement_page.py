"""The public page of a badge definition: what a badge means, for admissions staff.

Everything on it comes from the stored definition of the version shown (CPEs, indicators and
standards alignments exactly as the catalog states them; a text the catalog has not provided
is said to be missing, never filled in), the issuer and its parent organisations, the
endorsements in force, and how many learners hold the badge now: a count, never who.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy.orm import Session

from app.achievements.publishing import AchievementPublisher
from app.catalog.serialize import definition_to_badge
from app.endorsements.service import EndorsementView, endorsements_for
from app.pages.markdown import render_markdown
from app.pages.render import render
from app.settings import Settings
from app.store.models import Achievement, AchievementVersion, Issuer
from app.store.repositories import AchievementRepository, AwardRepository, IssuerRepository

_FIRST_HEADING = re.compile(r"^#{1,6}\s", re.MULTILINE)


@dataclass(frozen=True)
class EndorsementLink:
    endorsement: EndorsementView
    verify_url: str


@dataclass(frozen=True)
class Prerequisite:
    code: str
    url: str | None


def _criteria_lead(narrative: str) -> Markup | None:
    """The criteria up to their first heading. What follows it in our narratives is the list
    of CPEs and indicators, which the page shows in full, structured, in its own section."""
    found = _FIRST_HEADING.search(narrative)
    lead = narrative[: found.start()] if found else narrative
    return render_markdown(lead) if lead.strip() else None


def _http_url(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def _indicator_note(listed: int, declared: int) -> str | None:
    if listed >= declared:
        return None
    if listed == 0:
        return (
            f"The texts of its {_plural(declared, 'indicator', 'indicators')} are not yet provided."
        )
    return (
        f"{listed} of its {_plural(declared, 'indicator', 'indicators')} are listed below; "
        "the texts of the others are not yet provided."
    )


def _plural(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def find_version(
    session: Session, uid: str, version: int | None
) -> tuple[Achievement, AchievementVersion] | None:
    """The achievement and the version asked for (the current one by default), if both exist."""
    repo = AchievementRepository(session)
    achievement = repo.by_uid(uid)
    if achievement is None:
        return None
    row = repo.version(achievement.id, achievement.current_version if version is None else version)
    return None if row is None else (achievement, row)


def achievement_page(
    session: Session,
    settings: Settings,
    achievement: Achievement,
    row: AchievementVersion,
    *,
    version_asked: bool,
) -> str:
    """The page of ``row``; its address carries ``?version=`` only when the visitor asked for
    a version, so the plain address stays the current version's page."""
    publisher = AchievementPublisher(session, settings)
    issuers = IssuerRepository(session)
    issuer = issuers.by_id(achievement.issuer_id)
    assert issuer is not None
    document = publisher.document(achievement, row, issuer=issuer)
    badge, _catalog = definition_to_badge(row.definition)
    base = publisher.achievement_url(achievement)
    url = f"{base}?version={row.version}" if version_asked else base
    image: dict[str, Any] = document["image"]
    title = f"{badge.id}: {badge.title}"
    counts = (
        f"{_plural(badge.counts.cpes, 'CPE', 'CPEs')}, "
        f"{_plural(badge.counts.indicators, 'indicator', 'indicators')}"
    )
    return render(
        "achievement.html",
        title=title,
        summary=f"{title}, a badge issued by {issuer.name}: {counts}.",
        url=url,
        current_url=base,
        badge=badge,
        counts=counts,
        indicator_note=_indicator_note(badge.listed_indicator_count, badge.counts.indicators),
        filename=f"{badge.id}-v{row.version}.jsonld".lower(),
        image_url=image["id"],
        image_alt=image.get("caption") or f"Badge image: {badge.title}",
        orgs=[(org.name, _http_url(org.url)) for org in (issuer, *issuers.ancestors(issuer))],
        version=row,
        current_version=achievement.current_version,
        description=render_markdown(str(document["description"])),
        criteria=_criteria_lead(str(document["criteria"]["narrative"])),
        prerequisites=_prerequisites(session, publisher, issuer, badge.prerequisites),
        endorsements=_endorsements(session, settings, achievement),
        holders=AwardRepository(session).holders(achievement.id, datetime.now(UTC)),
    )


def _prerequisites(
    session: Session, publisher: AchievementPublisher, issuer: Issuer, codes: tuple[str, ...]
) -> list[Prerequisite]:
    repo = AchievementRepository(session)
    found = [(code, repo.by_code(issuer.id, code)) for code in codes]
    return [
        Prerequisite(code, None if match is None else publisher.achievement_url(match))
        for code, match in found
    ]


def _endorsements(
    session: Session, settings: Settings, achievement: Achievement
) -> list[EndorsementLink]:
    return [
        EndorsementLink(view, "/verify?" + urlencode({"url": view.url}))
        for view in endorsements_for(session, settings, achievement)
    ]
