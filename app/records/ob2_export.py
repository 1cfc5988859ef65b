"""Our awards as Open Badges 2.0 hosted assertions, for platforms that import only OB 2.0.

Each award answers at ``/ob2/assertions/{token}`` (the same unguessable token as its OB 3.0
credential), its badge version at ``/ob2/badges/{uid}?version=N`` and the badge's issuer at
``/ob2/issuers/{slug}``, all under the public base URL, so the assertion is in the issuer
Profile's default hosted-verification scope (its origin).

OB 2.0 names the recipient by a hashed identity, and the only one platforms match is the
email, so a learner without an email has no OB 2.0 form; nor has a badge whose issuer lacks the
``url`` and ``email`` an OB 2.0 issuer Profile requires. The salt is derived from the award's
uid, so the hosted assertion is the same document on every fetch.

Revocation reasons are written by staff for the award's history and may be private (the OB 3.0
revocation list leaves them out too), so the published reason only says whether the award was
revoked or replaced. A replacement is not linked either: the superseded token is public in the
revocation lists, and the replacement's token must stay known only to those it is shared with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.achievements.publishing import AchievementPublisher
from app.awards.service import badge_name
from app.catalog.badge_png import badge_png
from app.credentials import ob2
from app.credentials.baking import OB2_PNG_KEYWORD, bake_png
from app.issuer.issuers import get_issuer
from app.problems import NotFound
from app.settings import Settings
from app.store.models import Achievement, AchievementVersion, Award, Issuer, Learner
from app.store.repositories import AchievementRepository, AwardRepository, IssuerRepository

REVOKED_REASON = "Revoked by the issuer."
SUPERSEDED_REASON = "Replaced by the issuer with a corrected award."
_REASONS = {"revoked": REVOKED_REASON, "superseded": SUPERSEDED_REASON}
_ISSUER_NEEDS = {"url": "homepage URL", "email": "contact email"}


class Ob2Unavailable(NotFound):
    code, title = "ob2-unavailable", "No Open Badges 2.0 form"


def assertion_salt(award_uid: str) -> str:
    """The recipient hash's salt: fixed per award, unrelated between awards."""
    return hashlib.sha256(f"xqbadges-ob2-salt:{award_uid}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class HostedAssertion:
    document: dict[str, Any]
    revoked: bool


class Ob2Export:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.base = settings.public_base_url
        self.awards = AwardRepository(session)
        self.achievements = AchievementRepository(session)
        self.publisher = AchievementPublisher(session, settings)

    def assertion_url(self, token: str) -> str:
        return f"{self.base}/ob2/assertions/{token}"

    def badge_url(self, achievement: Achievement, version: int) -> str:
        return f"{self.base}/ob2/badges/{achievement.uid}?version={version}"

    def issuer_url(self, issuer: Issuer) -> str:
        return f"{self.base}/ob2/issuers/{issuer.slug}"

    def award(self, token: str) -> Award:
        award = self.awards.by_token(token)
        if award is None:
            raise NotFound("there is no assertion at this address")
        return award

    def unavailable_reason(self, award: Award) -> str | None:
        """Why the award has no OB 2.0 form, or None when it has one."""
        learner = self.session.get(Learner, award.learner_id)
        if learner is None or not learner.email:
            return (
                "Open Badges 2.0 names the recipient by a hashed email address, and this "
                "award's recipient has none"
            )
        return self._issuer_gap(self._badge_issuer(award))

    def assertion(self, award: Award) -> HostedAssertion:
        """The hosted assertion of ``award``; raises Ob2Unavailable when it has none."""
        reason = self.unavailable_reason(award)
        if reason is not None:
            raise Ob2Unavailable(reason)
        learner = self.session.get(Learner, award.learner_id)
        assert learner is not None
        assert learner.email
        achievement = self._achievement(award)
        credential = award.credential
        subject = credential.get("credentialSubject") or {}
        url = self.assertion_url(award.credential_token)
        revoked = award.status in _REASONS
        document = ob2.assertion(
            assertion_id=url,
            badge_id=self.badge_url(achievement, award.achievement_version),
            email=learner.email,
            salt=assertion_salt(award.uid),
            issued_on=award.awarded_at,
            image=f"{url}/badge.png",
            evidence=ob2.evidence_from_ob3(credential.get("evidence") or []),
            narrative=subject.get("narrative") if isinstance(subject, dict) else None,
            expires=award.valid_until,
            revoked=revoked,
            revocation_reason=_REASONS.get(award.status),
        )
        return HostedAssertion(document, revoked)

    def baked_png(self, award: Award) -> bytes:
        """The badge image with the hosted assertion baked in (OB 2.0 PNG baking)."""
        hosted = self.assertion(award)
        achievement = self._achievement(award)
        version = self.achievements.version(achievement.id, award.achievement_version)
        png = badge_png(achievement.code, badge_name(achievement, version))
        return bake_png(png, hosted.document, keyword=OB2_PNG_KEYWORD)

    def badge_class(self, uid: str, version: int | None) -> dict[str, Any]:
        """The BadgeClass of one version of an achievement (the current one by default); its
        id always names the version, so an assertion's ``badge`` never changes meaning."""
        achievement = self.publisher.get(uid)
        row = self.publisher.get_version(achievement, version)
        issuer = IssuerRepository(self.session).by_id(achievement.issuer_id)
        assert issuer is not None
        return self._badge_class(achievement, row, issuer)

    def issuer_profile(self, slug: str) -> dict[str, Any]:
        issuer = get_issuer(self.session, slug)
        gap = self._issuer_gap(issuer)
        if gap is not None:
            raise Ob2Unavailable(gap)
        assert issuer.url is not None
        assert issuer.email is not None
        url = self.issuer_url(issuer)
        return ob2.issuer_profile(
            issuer_id=url,
            name=issuer.name,
            url=issuer.url,
            email=issuer.email,
            revocation_list=f"{url}/revocations",
            description=issuer.description,
            image=issuer.image_url,
        )

    def revocation_list(self, slug: str) -> dict[str, Any]:
        """The assertions, revoked or replaced, that the issuer made or whose badge it defines."""
        issuer = get_issuer(self.session, slug)
        url = self.issuer_url(issuer)
        return ob2.revocation_list(
            list_id=f"{url}/revocations",
            issuer_id=url,
            revoked=(
                (self.assertion_url(token), _REASONS[status])
                for token, status in self.awards.ended_naming_issuer(issuer.id)
            ),
        )

    def _badge_class(
        self, achievement: Achievement, row: AchievementVersion, issuer: Issuer
    ) -> dict[str, Any]:
        document = self.publisher.document(achievement, row, issuer=issuer)
        criteria = document.get("criteria") or {}
        image = document.get("image")
        return ob2.badge_class(
            badge_id=self.badge_url(achievement, row.version),
            name=str(document["name"]),
            description=str(document["description"]),
            image=str(image["id"] if isinstance(image, dict) else image),
            issuer_id=self.issuer_url(issuer),
            criteria_narrative=criteria.get("narrative"),
            criteria_url=criteria.get("id"),
            alignment=ob2.alignment_from_ob3(document.get("alignment") or []),
            tags=[tag for tag in document.get("tag") or [] if isinstance(tag, str)],
            version=row.version,
        )

    def _achievement(self, award: Award) -> Achievement:
        achievement = self.session.get(Achievement, award.achievement_id)
        assert achievement is not None
        return achievement

    def _badge_issuer(self, award: Award) -> Issuer:
        """The issuer the BadgeClass names: the one that defines the badge, which may be above
        the issuer that made the award."""
        issuer = IssuerRepository(self.session).by_id(self._achievement(award).issuer_id)
        assert issuer is not None
        return issuer

    def badge_issuer_missing(self, award: Award) -> tuple[Issuer, list[str]]:
        """The issuer the award's BadgeClass names, and what it lacks for OB 2.0."""
        issuer = self._badge_issuer(award)
        return issuer, missing_issuer_details(issuer)

    @staticmethod
    def _issuer_gap(issuer: Issuer) -> str | None:
        missing = [_ISSUER_NEEDS[name] for name in missing_issuer_details(issuer)]
        if not missing:
            return None
        return (
            f"an Open Badges 2.0 issuer profile needs a {' and a '.join(missing)}, which "
            f"issuer {issuer.slug!r} does not have on record"
        )


def missing_issuer_details(issuer: Issuer) -> list[str]:
    """The fields (``url``, ``email``) an OB 2.0 issuer Profile needs and ``issuer`` lacks."""
    return [name for name in _ISSUER_NEEDS if not getattr(issuer, name)]
