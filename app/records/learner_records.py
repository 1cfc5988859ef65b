"""A learner's record across an organisation: the current awards and the CLR 2.0 that bundles
them.

Who "the learner" is: the learner record named in the request, and, when the record is asked of
an organisation above the learner's school or of a whole organisation tree, the records of those
issuers that share the learner's DID or email. Student ids do not join records across issuers,
since two districts may number their students alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.achievements.pathways import Pathways
from app.achievements.publishing import AchievementPublisher
from app.awards.service import Actor
from app.catalog.model import Badge
from app.catalog.serialize import definition_to_badge
from app.credentials.clr import Association, build_clr_credential
from app.credentials.ob3 import LearnerIdentity, recipient_identifiers
from app.issuer.addresses import credential_url
from app.issuer.identity import IssuerIdentity
from app.issuer.issuers import get_issuer
from app.issuer.keystore import PrivateKeyCache
from app.issuer.signing import CredentialSigner
from app.problems import Forbidden, NotFound, Problem
from app.settings import Settings
from app.store.models import Achievement, AchievementVersion, Award, Issuer, Learner
from app.store.repositories import (
    AchievementRepository,
    AwardRepository,
    IssuerRepository,
    LearnerRepository,
)

Scope = Literal["issuer", "tree"]


class NoCurrentBadges(Problem):
    status, code, title = 404, "no-current-badges", "The learner holds no current badges"


@dataclass(frozen=True)
class RecordEntry:
    """One current award with the badge definition it was awarded under."""

    award: Award
    issuer: Issuer
    achievement: Achievement
    badge: Badge
    url: str


@dataclass(frozen=True)
class LearnerRecord:
    """What an issuer's record holds of a learner at one moment."""

    learner: Learner
    issuer: Issuer
    scope: Scope
    entries: list[RecordEntry]
    as_of: datetime


class LearnerRecords:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.issuers = IssuerRepository(session)
        self.awards = AwardRepository(session)
        self.achievements = AchievementRepository(session)
        self.publisher = AchievementPublisher(session, settings)
        self.identity = IssuerIdentity(session, settings)
        self.pathways = Pathways(session, settings)
        self._versions: dict[tuple[int, int], Badge] = {}

    # -- whose record, kept by whom -------------------------------------------------------------

    def learner(self, public_id: str, actor: Actor) -> Learner:
        learner = LearnerRepository(self.session).by_public_id(public_id)
        issuer = None if learner is None else self.issuers.by_id(learner.issuer_id)
        if learner is None or issuer is None or not actor.may_act_for(issuer):
            raise NotFound(f"there is no learner {public_id!r}")
        return learner

    def keeper(self, learner: Learner, slug: str | None, actor: Actor) -> Issuer:
        """The issuer whose record it is: the learner's own, or an organisation above it."""
        own = self.issuers.by_id(learner.issuer_id)
        assert own is not None
        if slug is None or slug == own.slug:
            return own
        issuer = get_issuer(self.session, slug)
        if issuer.id not in {member.id for member in self.issuers.ancestors(own)}:
            raise NotFound(
                f"issuer {slug!r} is neither the learner's issuer nor an organisation above it"
            )
        if not actor.may_act_for(issuer):
            raise Forbidden(f"this client may not act for issuer {slug!r}")
        return issuer

    # -- the record -----------------------------------------------------------------------------

    def record(
        self, learner: Learner, keeper: Issuer, scope: Scope, now: datetime | None = None
    ) -> LearnerRecord:
        """The learner's current awards from ``keeper`` (``issuer``) or from ``keeper`` and
        every organisation under it (``tree``), oldest first."""
        now = now or datetime.now(UTC)
        issuer_ids = {keeper.id}
        if scope == "tree":
            issuer_ids |= self.issuers.descendant_ids(keeper.id)
        learner_ids = {learner.id} if learner.issuer_id in issuer_ids else set()
        learner_ids |= {
            other.id
            for other in LearnerRepository(self.session).matching(
                issuer_ids, student_ids=(), emails=(learner.email,), dids=(learner.did,)
            )
        }
        entries = []
        for award in self.awards.current_for_learners(learner_ids, now):
            achievement = self.session.get(Achievement, award.achievement_id)
            assert achievement is not None
            badge = self._definition(achievement, award.achievement_version)
            issuer = self.issuers.by_id(award.issuer_id)
            assert issuer is not None
            entries.append(
                RecordEntry(
                    award,
                    issuer,
                    achievement,
                    badge,
                    credential_url(self.settings, award.credential_token),
                )
            )
        return LearnerRecord(learner, keeper, scope, entries, now)

    def _definition(self, achievement: Achievement, version: int) -> Badge:
        key = (achievement.id, version)
        if key not in self._versions:
            row = self.achievements.version(achievement.id, version)
            assert row is not None
            self._versions[key] = definition_to_badge(row.definition)[0]
        return self._versions[key]

    # -- as a CLR 2.0 credential ----------------------------------------------------------------

    def clr(self, record: LearnerRecord) -> dict[str, Any]:
        """The unsigned ClrCredential of ``record``; raises NoCurrentBadges when it is empty."""
        if not record.entries:
            raise NoCurrentBadges(
                "the learner holds no current badges in this record; a CLR 2.0 credential "
                "must contain at least one credential"
            )
        earned = {
            str(entry.award.credential["credentialSubject"]["achievement"]["id"])
            for entry in record.entries
        }
        # Badges already inside their credentials are not listed again: a second copy of the
        # same node would make canonicalization fall back to the slow general algorithm.
        achievements: dict[str, Mapping[str, Any]] = {}
        associations: list[Association] = []
        for entry in record.entries:
            badge_id = str(entry.award.credential["credentialSubject"]["achievement"]["id"])
            creator = self.issuers.by_id(entry.achievement.issuer_id)
            assert creator is not None
            pathway = self.pathways.document(creator, entry.badge.pathway)
            achievements.setdefault(str(pathway["id"]), pathway)
            associations.append(Association("isParentOf", str(pathway["id"]), badge_id))
            for code in entry.badge.prerequisites:
                earlier = self.achievements.by_code(creator.id, code)
                if earlier is None:
                    continue
                earlier_id = self.publisher.achievement_url(earlier)
                if earlier_id not in earned:
                    achievements.setdefault(earlier_id, self._current_document(earlier, creator))
                associations.append(Association("precedes", earlier_id, badge_id))
        learner = record.learner
        count = len(record.entries)
        return build_clr_credential(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            issuer=self.identity.profile(record.issuer),
            learner=_learner_identity(learner),
            credentials=[entry.award.credential for entry in record.entries],
            achievements=list(achievements.values()),
            associations=list(dict.fromkeys(associations)),
            valid_from=record.as_of,
            name=f"Learner record from {record.issuer.name}",
            description=(
                f"{count} current badge{'s' if count != 1 else ''} awarded by "
                f"{record.issuer.name}"
                + (" and the organisations under it" if record.scope == "tree" else "")
                + f", as of {record.as_of:%Y-%m-%d}. Revoked, superseded and expired "
                "credentials are left out."
            ),
        )

    def _current_document(self, achievement: Achievement, creator: Issuer) -> dict[str, Any]:
        version: AchievementVersion | None = self.achievements.version(
            achievement.id, achievement.current_version
        )
        assert version is not None
        return self.publisher.document(achievement, version, issuer=creator)


def _learner_identity(learner: Learner) -> LearnerIdentity:
    return LearnerIdentity(
        subject_id=learner.did,
        identifiers=recipient_identifiers(
            email=learner.email, student_id=learner.student_id, name=learner.display_name
        ),
    )


class ClrSigner:
    """Signs a learner's CLR in either proof format."""

    def __init__(self, session: Session, settings: Settings, keys: PrivateKeyCache) -> None:
        self.records = LearnerRecords(session, settings)
        self.signer = CredentialSigner(session, settings, keys)

    def signed(self, record: LearnerRecord) -> dict[str, Any]:
        return self.signer.sign(record.issuer, self.records.clr(record), built_here=True)

    def signed_jwt(self, record: LearnerRecord) -> str:
        return self.signer.sign_jwt(record.issuer, self.records.clr(record))
