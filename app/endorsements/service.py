"""Endorsements of our badges (OB 3.0 EndorsementCredentials): issued here for an endorser whose
profile this service holds, or imported from an endorser elsewhere once it verifies; listed for
the API and the pages; withdrawn.

Who may do what:

* issuing: a client acting for the endorser (a college, an employer, a state board held here);
  an issuer cannot endorse its own badge, and an endorser has one endorsement in force per badge;
* importing: a client acting for the badge's issuer, which collects what others signed about it;
* withdrawing an issued endorsement: a client of the endorser. It sets the credential's bit in
  the endorser's status list (or lists it in the endorser's 1EdTech revocation list), so every
  verifier sees it withdrawn. Withdrawing an imported one: a client of the badge's issuer; this
  service stops showing it, while the credential itself stays the endorser's to revoke.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.achievements.publishing import AchievementPublisher
from app.awards.service import Actor, badge_name
from app.credentials.endorsement import (
    build_endorsement_credential,
    endorsed_id,
    endorsement_subject,
    is_endorsement,
)
from app.credentials.ob3 import issuer_id
from app.issuer.addresses import endorsement_url
from app.issuer.identity import IssuerIdentity
from app.issuer.keystore import PrivateKeyCache
from app.issuer.signing import CredentialSigner
from app.issuer.status_lists import StatusLists
from app.problems import Conflict, Forbidden, InvalidRequest, NotFound, Problem, ProblemItem
from app.settings import Settings
from app.store.models import Achievement, Endorsement
from app.store.repositories import EndorsementRepository, IssuerRepository
from app.verifier.report import VerificationReport

ISSUED, IMPORTED = "issued", "imported"
ACTIVE, WITHDRAWN = "active", "withdrawn"
MAX_CREDENTIAL_ID = 500
MAX_ENDORSER_ID = 2000
MAX_ENDORSER_NAME = 300

Verify = Callable[[Any], VerificationReport]
"""Verifies a credential (a JSON object or a VC-JWT) as the service's verifier does."""


class UnknownAchievement(NotFound):
    code, title = "unknown-achievement", "No such achievement"


class UnknownEndorser(Problem):
    status, code, title = 422, "unknown-endorser", "The endorser is not an issuer of this service"


class SelfEndorsement(Problem):
    status, code, title = 422, "self-endorsement", "An issuer cannot endorse its own badge"


class EndorsementExists(Conflict):
    code, title = "endorsement-exists", "The endorsement is already recorded"


class EndorsementNotVerified(Problem):
    status, code, title = 422, "endorsement-not-verified", "The endorsement does not verify"


class NotAnEndorsement(Problem):
    status, code, title = 422, "not-an-endorsement", "Not an EndorsementCredential"


class EndorsementSubjectMismatch(Problem):
    status, code, title = 422, "endorsement-subject-mismatch", "It endorses something else"


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, Mapping):
        return _text(value.get("@value"))
    return None


def _date(value: Any) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class EndorsementView:
    """What a person reads of an endorsement; read from the stored credential."""

    uid: str
    url: str
    """Where this service serves the credential."""
    endorser_name: str
    endorser_id: str
    endorser_url: str | None
    comment: str | None
    endorsed_on: datetime
    source: str
    status: str
    credential: dict[str, Any]
    credential_jwt: str | None

    @property
    def issued_here(self) -> bool:
        return self.source == ISSUED


def endorsement_view(
    settings: Settings, achievement: Achievement, endorsement: Endorsement
) -> EndorsementView:
    credential = endorsement.credential
    issuer = credential.get("issuer")
    profile: Mapping[str, Any] = issuer if isinstance(issuer, Mapping) else {}
    url = _text(profile.get("url"))
    subject = endorsement_subject(credential) or {}
    return EndorsementView(
        uid=endorsement.uid,
        url=endorsement_url(settings, achievement, endorsement.uid),
        endorser_name=endorsement.endorser_name,
        endorser_id=endorsement.endorser_id,
        endorser_url=url if url and url.startswith(("https://", "http://")) else None,
        comment=_text(subject.get("endorsementComment")),
        endorsed_on=_date(credential.get("awardedDate") or credential.get("validFrom"))
        or endorsement.created_at,
        source=endorsement.source,
        status=endorsement.status,
        credential=credential,
        credential_jwt=endorsement.credential_jwt,
    )


def endorsements_for(
    session: Session, settings: Settings, achievement: Achievement
) -> list[EndorsementView]:
    """The achievement's endorsements in force, oldest first, for pages and the API."""
    return [
        endorsement_view(settings, achievement, endorsement)
        for endorsement in EndorsementRepository(session).active_for(achievement.id)
    ]


def endorsements_fingerprint(session: Session, achievement_id: int) -> tuple[int, int]:
    """Changes whenever an endorsement of the achievement is added or withdrawn (page caches
    key on it)."""
    return EndorsementRepository(session).fingerprint(achievement_id)


class EndorsementService:
    def __init__(self, session: Session, settings: Settings, keys: PrivateKeyCache) -> None:
        self.session = session
        self.settings = settings
        self.repo = EndorsementRepository(session)
        self.issuers = IssuerRepository(session)
        self.publisher = AchievementPublisher(session, settings)
        self.identity = IssuerIdentity(session, settings)
        self.status_lists = StatusLists(session, settings)
        self.signer = CredentialSigner(session, settings, keys)

    def achievement(self, uid: str) -> Achievement:
        found = self.publisher.repo.by_uid(uid)
        if found is None:
            raise UnknownAchievement(f"there is no achievement {uid!r}")
        return found

    def get(self, achievement: Achievement, uid: str) -> Endorsement:
        found = self.repo.by_uid(uid)
        if found is None or found.achievement_id != achievement.id:
            raise NotFound(f"achievement {achievement.uid} has no endorsement {uid!r}")
        return found

    def view(self, achievement: Achievement, endorsement: Endorsement) -> EndorsementView:
        return endorsement_view(self.settings, achievement, endorsement)

    def in_force(self, achievement: Achievement) -> list[EndorsementView]:
        return endorsements_for(self.session, self.settings, achievement)

    # -- issuing --------------------------------------------------------------------------------

    def issue(
        self, achievement: Achievement, endorser_slug: str, comment: str | None, actor: Actor
    ) -> Endorsement:
        """Sign and stage an endorsement by ``endorser_slug``; the caller commits. It commits
        once itself, to claim the status-list position first."""
        endorser = self.issuers.by_slug(endorser_slug)
        if endorser is None:
            raise UnknownEndorser(
                "the endorser must be an issuer of this service",
                errors=[ProblemItem("$.endorser", f"there is no issuer {endorser_slug!r}")],
            )
        if not actor.may_act_for(endorser):
            raise Forbidden(f"this client may not act for issuer {endorser.slug!r}")
        if endorser.id == achievement.issuer_id:
            raise SelfEndorsement(
                f"{endorser.name} issues badge {achievement.code}; an endorsement is a third "
                "party's word about it"
            )
        did = self.identity.did(endorser)
        self._refuse_second(achievement, did, endorser.name)
        position = self.status_lists.claim(endorser)
        now = datetime.now(UTC)
        uid = str(uuid.uuid4())
        version = self.publisher.get_version(achievement, None)
        credential = build_endorsement_credential(
            credential_id=endorsement_url(self.settings, achievement, uid),
            issuer=self.identity.profile(endorser),
            endorsed=self.publisher.achievement_url(achievement),
            valid_from=now,
            name=f"{endorser.name} endorses {achievement.code}: {badge_name(achievement, version)}",
            comment=comment,
            credential_status=self.status_lists.entry(endorser, position),
        )
        signed = self.signer.sign(endorser, credential, created=now, built_here=True)
        return self._add(
            Endorsement(
                uid=uid,
                achievement_id=achievement.id,
                endorser_issuer_id=endorser.id,
                endorser_id=did,
                endorser_name=endorser.name[:MAX_ENDORSER_NAME],
                credential_id=signed["id"],
                credential=signed,
                credential_jwt=None,
                source=ISSUED,
                status=ACTIVE,
                status_list_id=position.status_list.id,
                status_index=position.index,
                actor=actor.name,
                created_at=now,
            )
        )

    # -- importing ------------------------------------------------------------------------------

    def import_credential(
        self,
        achievement: Achievement,
        credential: dict[str, Any] | str,
        actor: Actor,
        verify: Verify,
    ) -> Endorsement:
        """Record an endorsement signed elsewhere, once it verifies, is an EndorsementCredential
        and endorses this achievement; the caller commits."""
        owner = self.issuers.by_id(achievement.issuer_id)
        assert owner is not None
        if not actor.may_act_for(owner):
            raise Forbidden(f"this client may not act for issuer {owner.slug!r}")
        report = verify(credential.strip() if isinstance(credential, str) else credential)
        found = report.credential
        if found is not None and not is_endorsement(found):
            raise NotAnEndorsement(
                f"the credential is of type {found.get('type')!r}; an endorsement has the type "
                "EndorsementCredential"
            )
        if found is None or not report.verified:
            failures = report.failures()
            raise EndorsementNotVerified(
                f"{len(failures)} check(s) failed; nothing was recorded",
                errors=[
                    ProblemItem(
                        check.name,
                        check.message,
                        {"code": check.code, "outcome": check.outcome.value},
                    )
                    for check in failures
                ],
            )
        expected = self.publisher.achievement_url(achievement)
        subject = endorsed_id(found)
        if subject != expected:
            raise EndorsementSubjectMismatch(
                f"it endorses {subject!r}, not this achievement ({expected})",
                errors=[ProblemItem("$.credential.credentialSubject.id", f"must be {expected}")],
            )
        credential_id, endorser_id = self._identifiers(found)
        if self.repo.by_credential_id(credential_id, achievement.id) is not None:
            raise EndorsementExists(f"the endorsement {credential_id} is already recorded")
        issuer = found.get("issuer")
        name = _text(issuer.get("name")) if isinstance(issuer, Mapping) else None
        self._refuse_second(achievement, endorser_id, name or endorser_id)
        held_here = self.identity.issuer_for_did(endorser_id)
        return self._add(
            Endorsement(
                uid=str(uuid.uuid4()),
                achievement_id=achievement.id,
                endorser_issuer_id=None if held_here is None else held_here.id,
                endorser_id=endorser_id,
                endorser_name=(name or endorser_id)[:MAX_ENDORSER_NAME],
                credential_id=credential_id,
                credential=found,
                credential_jwt=credential.strip() if isinstance(credential, str) else None,
                source=IMPORTED,
                status=ACTIVE,
                actor=actor.name,
                created_at=datetime.now(UTC),
            )
        )

    @staticmethod
    def _identifiers(credential: Mapping[str, Any]) -> tuple[str, str]:
        credential_id, endorser_id = credential.get("id"), issuer_id(credential)
        problems: list[ProblemItem] = []
        if not isinstance(credential_id, str) or len(credential_id) > MAX_CREDENTIAL_ID:
            problems.append(
                ProblemItem("$.credential.id", f"must be at most {MAX_CREDENTIAL_ID} characters")
            )
        if endorser_id is None or len(endorser_id) > MAX_ENDORSER_ID:
            problems.append(
                ProblemItem("$.credential.issuer", f"must be at most {MAX_ENDORSER_ID} characters")
            )
        if problems or not isinstance(credential_id, str) or endorser_id is None:
            raise InvalidRequest("the endorsement cannot be recorded", errors=problems)
        return credential_id, endorser_id

    def _refuse_second(self, achievement: Achievement, endorser_id: str, name: str) -> None:
        current = self.repo.active_by_endorser(achievement.id, endorser_id)
        if current is not None:
            raise EndorsementExists(
                f"{name} already endorses badge {achievement.code} (endorsement "
                f"{current.uid}); withdraw that one first to replace it"
            )

    def _add(self, endorsement: Endorsement) -> Endorsement:
        try:
            return self.repo.add(endorsement)
        except IntegrityError as error:
            self.session.rollback()
            raise EndorsementExists(
                f"the endorsement {endorsement.credential_id} was recorded meanwhile"
            ) from error

    # -- withdrawing ----------------------------------------------------------------------------

    def withdraw(self, achievement: Achievement, uid: str, actor: Actor) -> Endorsement:
        """Withdraw an endorsement (again: no change); the caller commits."""
        endorsement = self.get(achievement, uid)
        self._require_withdrawer(achievement, endorsement, actor)
        changed = endorsement.status == ACTIVE and self.repo.withdraw(
            endorsement.id, datetime.now(UTC), actor.name
        )
        if changed and endorsement.status_list_id is not None:
            self.status_lists.mark_changed(endorsement.status_list_id)
        self.session.refresh(endorsement)
        return endorsement

    def _require_withdrawer(
        self, achievement: Achievement, endorsement: Endorsement, actor: Actor
    ) -> None:
        if endorsement.source == ISSUED and endorsement.endorser_issuer_id is not None:
            holder = self.issuers.by_id(endorsement.endorser_issuer_id)
        else:
            holder = self.issuers.by_id(achievement.issuer_id)
        assert holder is not None
        if not actor.may_act_for(holder):
            raise Forbidden(
                f"only a client of {holder.slug!r} may withdraw this {endorsement.source} "
                "endorsement"
            )
