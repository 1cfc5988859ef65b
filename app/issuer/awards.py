"""Awarding badges: from a platform's request to a signed, stored, never-doubled credential.

One award is one transaction: the learner, a status-list position, the signed credential, the
``issued`` event and the idempotency record commit together or not at all. Retries are safe two
ways: an ``Idempotency-Key`` replays the first answer byte for byte, and the pair (client,
``sourceAwardId``) is unique, so a retry without a key finds the award it already made. When
two identical requests race, the database's unique constraints let one win; the other rolls
back and answers with the winner's result.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.catalog.achievement import cpe_result_ids
from app.catalog.serialize import definition_to_badge
from app.credentials.ob3 import LearnerIdentity, build_open_badge_credential, hashed_identity
from app.issuer.achievements import AchievementPublisher
from app.issuer.award_input import AwardInput
from app.issuer.identity import IssuerIdentity
from app.issuer.issuers import get_issuer
from app.issuer.keystore import PrivateKeyCache
from app.issuer.signing import CredentialSigner
from app.issuer.status_lists import StatusLists
from app.issuer.webhooks import Webhooks
from app.problems import Conflict, Forbidden, InvalidRequest, NotFound, Problem, ProblemItem
from app.settings import Settings
from app.store.models import (
    Achievement,
    AchievementVersion,
    Award,
    AwardEvent,
    IdempotencyRecord,
    Issuer,
    Learner,
)
from app.store.repositories import (
    AchievementRepository,
    AwardRepository,
    IdempotencyRepository,
    IssuerRepository,
    LearnerRepository,
)

_UUID_LENGTH = 36


class IdempotencyKeyReused(Problem):
    status, code, title = 422, "idempotency-key-reused", "Idempotency key used for another request"


class SourceAwardConflict(Conflict):
    code = "source-award-conflict"


@dataclass(frozen=True)
class Actor:
    """Who asked, for the history: a client (its id and issuer) and the request id."""

    client_id: str
    issuer_id: int
    may_act_for: Callable[[Issuer], bool]
    request_id: str | None = None

    @property
    def name(self) -> str:
        return f"client:{self.client_id}"


@dataclass(frozen=True)
class AwardOutcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


class AwardService:
    def __init__(self, session: Session, settings: Settings, keys: PrivateKeyCache) -> None:
        self.session = session
        self.settings = settings
        self.keys = keys
        self.awards = AwardRepository(session)
        self.learners = LearnerRepository(session)
        self.publisher = AchievementPublisher(session, settings)
        self.identity = IssuerIdentity(session, settings)
        self.status_lists = StatusLists(session, settings)
        self.signer = CredentialSigner(session, settings, keys)
        self.webhooks = Webhooks(session, settings)
        self._documents: dict[tuple[int, int], dict[str, Any]] = {}
        self._profiles: dict[int, dict[str, Any]] = {}

    # -- public URLs ----------------------------------------------------------------------------

    def public_url(self, award: Award) -> str:
        return f"{self.settings.public_base_url}/credentials/{award.credential_token}"

    # -- awarding -------------------------------------------------------------------------------

    def award(
        self, request: AwardInput, actor: Actor, *, idempotency_key: str | None = None
    ) -> AwardOutcome:
        """Issue (or replay) one award and commit it."""
        fingerprint = request.fingerprint()
        for attempt in range(2):
            earlier = self._earlier_answer(request, actor, fingerprint, idempotency_key)
            if earlier is not None:
                return earlier
            try:
                outcome = self.issue_new(request, actor, fingerprint)
                if idempotency_key is not None:
                    IdempotencyRepository(self.session).add(
                        IdempotencyRecord(
                            client_id=actor.client_id,
                            key=idempotency_key,
                            request_hash=fingerprint,
                            status_code=outcome.status_code,
                            response=outcome.body,
                        )
                    )
                self.session.commit()
                return outcome
            except IntegrityError:
                self.session.rollback()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _earlier_answer(
        self, request: AwardInput, actor: Actor, fingerprint: str, key: str | None
    ) -> AwardOutcome | None:
        if key is not None:
            record = IdempotencyRepository(self.session).get(actor.client_id, key)
            if record is not None:
                if record.request_hash != fingerprint:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was first used with a different request body; "
                        "use a new key for a new request"
                    )
                assert record.status_code is not None
                assert record.response is not None
                return AwardOutcome(record.status_code, record.response, replayed=True)
        if request.source_award_id is not None:
            existing = self.awards.by_source(actor.client_id, request.source_award_id)
            if existing is not None:
                if existing.request.get("fingerprint") != fingerprint:
                    raise SourceAwardConflict(
                        f"sourceAwardId {request.source_award_id!r} already names award "
                        f"{existing.uid} with different content; reissue it to change it",
                        errors=[ProblemItem("$.sourceAwardId", f"award {existing.uid}")],
                    )
                return AwardOutcome(200, self.representation(existing), replayed=True)
        return None

    def issue_new(
        self,
        request: AwardInput,
        actor: Actor,
        fingerprint: str,
        *,
        replaces: Award | None = None,
        event: str | None = None,
        event_details: Mapping[str, Any] | None = None,
    ) -> AwardOutcome:
        """Sign and store a new award without looking for an earlier answer; the caller
        commits. It commits once itself, to claim the status-list position first.

        ``event`` names the history event (``issued``, or ``reissued`` for a replacement)."""
        issuer = self._awarding_issuer(request, actor)
        achievement, version = self._achievement(request.achievement, issuer)
        position = self.status_lists.claim(issuer)
        learner = self._learner(issuer, request)
        now = datetime.now(UTC)
        award = Award(
            uid=str(uuid.uuid4()),
            credential_token=secrets.token_urlsafe(24),
            issuer_id=issuer.id,
            achievement_id=achievement.id,
            achievement_version=version.version,
            learner_id=learner.id,
            status="active",
            source_client=actor.client_id,
            source_award_id=request.source_award_id,
            request={
                "fingerprint": fingerprint,
                "input": request.model_dump(mode="json", by_alias=True, exclude_none=True),
            },
            credential={},
            awarded_at=request.awarded_date or now,
            valid_until=request.valid_until,
            replaces_id=None if replaces is None else replaces.id,
            status_list_id=position.status_list.id,
            status_index=position.index,
            created_at=now,
            changed_at=now,
        )
        credential = self._credential(award, request, issuer, achievement, version)
        credential["credentialStatus"] = self.status_lists.entry(issuer, position)
        if replaces is not None:
            credential["description"] = (
                f"A corrected credential; it replaces {self.public_url(replaces)}."
            )
        award.credential = self.signer.sign(issuer, credential, created=now, built_here=True)
        self.awards.add(award)
        details = {
            "achievement": achievement.code,
            "achievementName": str(version.definition["badge"].get("title", achievement.code)),
            "publicUrl": self.public_url(award),
        }
        if replaces is not None:
            details["replaces"] = replaces.uid
        self.awards.add_event(
            AwardEvent(
                award_id=award.id,
                kind=event or ("issued" if replaces is None else "reissued"),
                actor=actor.name,
                request_id=actor.request_id,
                details={**details, **(event_details or {})},
                created_at=now,
            )
        )
        self.webhooks.enqueue(
            issuer.id,
            "award.issued" if replaces is None else "award.reissued",
            self.event_data(award, learner, details),
        )
        return AwardOutcome(201, self.representation(award, learner=learner))

    def event_data(
        self, award: Award, learner: Learner, details: Mapping[str, Any]
    ) -> dict[str, Any]:
        """What a webhook receiver (a notifier, a transcript system) needs about a change."""
        achievement = self.session.get(Achievement, award.achievement_id)
        assert achievement is not None
        return {
            "award": award.uid,
            "status": award.status,
            "learnerId": learner.public_id,
            "issuer": self._issuer_of(award).slug,
            "achievement": {
                "id": self.publisher.achievement_url(achievement),
                "humanCode": achievement.code,
                "name": details.get("achievementName", achievement.code),
            },
            "publicUrl": self.public_url(award),
            **{key: value for key, value in details.items() if key in ("replaces", "reason")},
        }

    def check(self, request: AwardInput, actor: Actor) -> None:
        """Raise what issuing ``request`` would refuse (issuer, badge, CPEs); issue nothing."""
        issuer = self._awarding_issuer(request, actor)
        achievement, version = self._achievement(request.achievement, issuer)
        self._results(request, self._document(achievement, version), version)

    def _document(self, achievement: Achievement, version: AchievementVersion) -> dict[str, Any]:
        """The Achievement as credentials embed it, built once per version and service."""
        key = (achievement.id, version.version)
        if key not in self._documents:
            self._documents[key] = self.publisher.document(achievement, version)
        return self._documents[key]

    def _profile(self, issuer: Issuer) -> dict[str, Any]:
        if issuer.id not in self._profiles:
            self._profiles[issuer.id] = self.identity.profile(issuer)
        return self._profiles[issuer.id]

    def _awarding_issuer(self, request: AwardInput, actor: Actor) -> Issuer:
        if request.issuer is None:
            issuer = IssuerRepository(self.session).by_id(actor.issuer_id)
            assert issuer is not None
            return issuer
        issuer = get_issuer(self.session, request.issuer)
        if not actor.may_act_for(issuer):
            raise Forbidden(f"this client may not award for issuer {issuer.slug!r}")
        return issuer

    def _achievement(
        self, reference: str, issuer: Issuer
    ) -> tuple[Achievement, AchievementVersion]:
        """The badge named by uid, URL or human code, if ``issuer`` may award it: its own
        badges and those of the organisations above it (a district awards the state's)."""
        repo = AchievementRepository(self.session)
        lineage = [issuer, *IssuerRepository(self.session).ancestors(issuer)]
        uid = reference.rstrip("/").rsplit("/", 1)[-1]
        found = repo.by_uid(uid) if len(uid) == _UUID_LENGTH else None
        if found is None:
            for member in lineage:
                found = repo.by_code(member.id, reference)
                if found is not None:
                    break
        if found is None:
            raise InvalidRequest(
                f"there is no achievement {reference!r} this issuer can award",
                errors=[ProblemItem("$.achievement", "unknown achievement", {"code": "unknown"})],
            )
        if found.issuer_id not in {member.id for member in lineage}:
            raise InvalidRequest(
                f"issuer {issuer.slug!r} may not award achievement {found.code}",
                errors=[
                    ProblemItem(
                        "$.achievement", "belongs to another issuer", {"code": "not_awardable"}
                    )
                ],
            )
        version = repo.version(found.id, found.current_version)
        assert version is not None
        return found, version

    def _learner(self, issuer: Issuer, request: AwardInput) -> Learner:
        recipient = request.recipient
        matches = self.learners.find(
            issuer.id, student_id=recipient.student_id, email=recipient.email, did=recipient.did
        )
        if len(matches) > 1:
            raise InvalidRequest(
                "the recipient's identifiers belong to different learners",
                errors=[ProblemItem("$.recipient", "email, studentId and did disagree")],
            )
        if matches:
            learner = matches[0]
            for field in ("student_id", "email", "did"):
                if getattr(learner, field) is None and getattr(recipient, field) is not None:
                    setattr(learner, field, getattr(recipient, field))
            if recipient.name:
                learner.display_name = recipient.name
            return learner
        return self.learners.add(
            Learner(
                public_id=secrets.token_urlsafe(16),
                issuer_id=issuer.id,
                student_id=recipient.student_id,
                email=recipient.email,
                did=recipient.did,
                display_name=recipient.name,
            )
        )

    def _credential(
        self,
        award: Award,
        request: AwardInput,
        issuer: Issuer,
        achievement: Achievement,
        version: AchievementVersion,
    ) -> dict[str, Any]:
        document = self._document(achievement, version)
        recipient = request.recipient
        identifiers: list[Mapping[str, Any]] = []
        if recipient.email:
            identifiers.append(hashed_identity("emailAddress", recipient.email))
        if recipient.student_id:
            identifiers.append(hashed_identity("sisSourcedId", recipient.student_id))
        if recipient.name:
            identifiers.append(
                {
                    "type": "IdentityObject",
                    "identityHash": recipient.name,
                    "identityType": "name",
                    "hashed": False,
                }
            )
        return build_open_badge_credential(
            credential_id=self.public_url(award),
            issuer=self._profile(issuer),
            achievement=document,
            learner=LearnerIdentity(subject_id=recipient.did, identifiers=tuple(identifiers)),
            valid_from=award.awarded_at,
            valid_until=award.valid_until,
            awarded_date=award.awarded_at,
            results=self._results(request, document, version),
            narrative=request.narrative,
            evidence=[
                {
                    "id": item.url,
                    "type": ["Evidence"],
                    **{
                        key: value
                        for key, value in (
                            ("name", item.name),
                            ("description", item.description),
                            ("narrative", item.narrative),
                            ("genre", item.genre),
                            ("audience", item.audience),
                        )
                        if value is not None
                    },
                }
                for item in request.evidence
                if item.public
            ],
        )

    def _results(
        self, request: AwardInput, document: Mapping[str, Any], version: AchievementVersion
    ) -> list[dict[str, Any]]:
        badge, _catalog = definition_to_badge(version.definition)
        by_reference: dict[str, str] = {}
        for cpe in badge.cpes:
            ids = cpe_result_ids(str(document["id"]), cpe.code)
            by_reference[cpe.code] = cpe.code
            by_reference[ids.result_description] = cpe.code
        results: list[dict[str, Any]] = []
        problems: list[ProblemItem] = []
        for index, item in enumerate(request.results):
            code = by_reference.get(item.cpe)
            if code is None:
                problems.append(
                    ProblemItem(
                        f"$.results[{index}].cpe",
                        f"{badge.id} has no CPE {item.cpe!r}; it has "
                        + ", ".join(cpe.code for cpe in badge.cpes),
                        {"code": "unknown_cpe"},
                    )
                )
                continue
            ids = cpe_result_ids(str(document["id"]), code)
            demonstrated = item.level == "demonstrated"
            results.append(
                {
                    "type": ["Result"],
                    "resultDescription": ids.result_description,
                    "achievedLevel": ids.demonstrated if demonstrated else ids.not_yet,
                    "status": "Completed" if demonstrated else "InProgress",
                }
            )
        if problems:
            raise InvalidRequest("results name CPEs the badge does not have", errors=problems)
        return results

    # -- reading --------------------------------------------------------------------------------

    def representation(self, award: Award, *, learner: Learner | None = None) -> dict[str, Any]:
        learner = learner or self.session.get(Learner, award.learner_id)
        assert learner is not None
        achievement = self.session.get(Achievement, award.achievement_id)
        issuer = IssuerRepository(self.session).by_id(award.issuer_id)
        assert achievement is not None
        assert issuer is not None
        body: dict[str, Any] = {
            "id": award.uid,
            "learnerId": learner.public_id,
            "status": award.status,
            "issuer": issuer.slug,
            "achievement": {
                "id": self.publisher.achievement_url(achievement),
                "humanCode": achievement.code,
                "version": award.achievement_version,
            },
            "publicUrl": self.public_url(award),
            "awardedDate": award.credential.get("awardedDate"),
            "credential": award.credential,
        }
        if award.source_award_id is not None:
            body["sourceAwardId"] = award.source_award_id
        for key, other_id in (
            ("replaces", award.replaces_id),
            ("supersededBy", award.superseded_by_id),
        ):
            other = None if other_id is None else self.awards.by_id(other_id)
            if other is not None:
                body[key] = other.uid
        return body

    def get(self, uid: str, actor: Actor) -> Award:
        award = self.awards.by_uid(uid)
        if award is None or not actor.may_act_for(self._issuer_of(award)):
            raise NotFound(f"there is no award {uid!r}")
        return award

    def _issuer_of(self, award: Award) -> Issuer:
        issuer = IssuerRepository(self.session).by_id(award.issuer_id)
        assert issuer is not None
        return issuer
