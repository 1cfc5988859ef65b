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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.achievements.publishing import AchievementPublisher
from app.awards.input import AwardInput, Recipient
from app.catalog.achievement import cpe_result_ids
from app.catalog.serialize import definition_to_badge
from app.credentials.ob3 import (
    LearnerIdentity,
    build_open_badge_credential,
    recipient_identifiers,
)
from app.issuer.addresses import credential_url
from app.issuer.identity import IssuerIdentity
from app.issuer.issuers import get_issuer
from app.issuer.keystore import PrivateKeyCache
from app.issuer.signing import CredentialSigner
from app.issuer.status_lists import StatusLists, StatusPosition
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
from app.webhooks.outbox import Webhooks

_UUID_LENGTH = 36
_IDENTIFIERS = ("student_id", "email", "did")


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


@dataclass
class _Draft:
    """A new award that passed every check that needs no writing: where it goes in a batch,
    who issues which badge version, and the checked results."""

    index: int
    request: AwardInput
    key: str | None
    fingerprint: str
    issuer: Issuer
    achievement: Achievement
    version: AchievementVersion
    results: list[dict[str, Any]]
    replaces: Award | None = None
    event: str | None = None
    event_details: dict[str, Any] = field(default_factory=dict)


class _KnownLearners:
    """The learners a chunk of awards may name, indexed by each identifier."""

    def __init__(self, learners: Sequence[Learner]) -> None:
        self._by: dict[tuple[int, str, str], Learner] = {}
        for learner in learners:
            self.add(learner)

    def add(self, learner: Learner) -> None:
        for field_name in _IDENTIFIERS:
            value = getattr(learner, field_name)
            if value is not None:
                self._by[(learner.issuer_id, field_name, value)] = learner

    def match(self, issuer_id: int, recipient: Recipient) -> Learner | None:
        """The one learner of the issuer that any of the recipient's identifiers names, or
        None; identifiers naming two different learners are refused."""
        matches = {
            id(found): found
            for field_name in _IDENTIFIERS
            if (value := getattr(recipient, field_name)) is not None
            and (found := self._by.get((issuer_id, field_name, value))) is not None
        }
        if len(matches) > 1:
            raise InvalidRequest(
                "the recipient's identifiers belong to different learners",
                errors=[ProblemItem("$.recipient", "email, studentId and did disagree")],
            )
        return next(iter(matches.values()), None)


def _update_learner(learner: Learner, recipient: Recipient) -> None:
    """Fill in identifiers the learner lacked and take the newest display name."""
    for field_name in _IDENTIFIERS:
        if getattr(learner, field_name) is None and getattr(recipient, field_name) is not None:
            setattr(learner, field_name, getattr(recipient, field_name))
    if recipient.name:
        learner.display_name = recipient.name


def badge_name(achievement: Achievement, version: AchievementVersion | None) -> str:
    """The badge's title in that version, for people (events, notifications); else its code."""
    if version is None:
        return achievement.code
    return str(version.definition["badge"].get("title", achievement.code))


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
        self._lineages: dict[int, list[Issuer]] = {}
        self._achievements: dict[tuple[int, str], tuple[Achievement, AchievementVersion]] = {}
        self._cpes: dict[tuple[str, int], tuple[dict[str, str], str, list[str]]] = {}

    # -- public URLs ----------------------------------------------------------------------------

    def public_url(self, award: Award) -> str:
        return credential_url(self.settings, award.credential_token)

    # -- awarding -------------------------------------------------------------------------------

    def award(
        self, request: AwardInput, actor: Actor, *, idempotency_key: str | None = None
    ) -> AwardOutcome:
        """Issue (or replay) one award and commit it."""
        answer = self.award_many([(request, idempotency_key)], actor)[0]
        if isinstance(answer, Problem):
            raise answer
        return answer

    def award_many(
        self, items: Sequence[tuple[AwardInput, str | None]], actor: Actor
    ) -> list[AwardOutcome | Problem]:
        """Issue (or replay) several awards in one transaction and commit; the answer to each,
        in order, is what :meth:`award` would give it alone.

        The earlier answers are looked up with one query per kind, the status positions claimed
        in one UPDATE per issuer and the rows inserted together. When rows of ``items`` name
        one key or source award id twice, or a concurrent request commits one of them first
        (a unique constraint refuses the insert), the rows are awarded one at a time instead.
        """
        self.webhooks.forget()
        keys = [key for _request, key in items if key is not None]
        sources = [request.source_award_id for request, _key in items if request.source_award_id]
        if len(set(keys)) < len(keys) or len(set(sources)) < len(sources):
            return [self._award_alone(request, key, actor) for request, key in items]
        fingerprints = [request.fingerprint() for request, _key in items]
        answers: list[AwardOutcome | Problem | None] = [None] * len(items)
        earlier = self._earlier_answers(items, fingerprints, actor)
        drafts: list[_Draft] = []
        for index, (request, key) in enumerate(items):
            if index in earlier:
                answers[index] = earlier[index]
                continue
            try:
                drafts.append(self._draft(index, request, key, fingerprints[index], actor))
            except Problem as problem:
                answers[index] = problem
        if drafts:
            try:
                for draft, answer in zip(drafts, self._issue(drafts, actor), strict=True):
                    answers[draft.index] = answer
                self.session.commit()
            except IntegrityError:
                self.session.rollback()
                for draft in drafts:
                    answers[draft.index] = self._award_alone(draft.request, draft.key, actor)
        assert all(answer is not None for answer in answers)
        return [answer for answer in answers if answer is not None]

    def _award_alone(
        self, request: AwardInput, key: str | None, actor: Actor
    ) -> AwardOutcome | Problem:
        """One award in its own transaction; a lost race is answered with the winner's award."""
        fingerprint = request.fingerprint()
        for attempt in range(2):
            try:
                earlier = self._earlier_answers([(request, key)], [fingerprint], actor)
                if earlier:
                    return earlier[0]
                answer = self._issue([self._draft(0, request, key, fingerprint, actor)], actor)[0]
                self.session.commit()
                return answer
            except Problem as problem:
                self.session.rollback()
                return problem
            except IntegrityError:
                self.session.rollback()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _earlier_answers(
        self,
        items: Sequence[tuple[AwardInput, str | None]],
        fingerprints: Sequence[str],
        actor: Actor,
    ) -> dict[int, AwardOutcome | Problem]:
        """The answers already given to these requests: by ``Idempotency-Key``, then by
        (client, ``sourceAwardId``)."""
        records = IdempotencyRepository(self.session).many(
            actor.client_id, [key for _request, key in items if key is not None]
        )
        existing = self.awards.by_sources(
            actor.client_id,
            [request.source_award_id for request, _key in items if request.source_award_id],
        )
        answers: dict[int, AwardOutcome | Problem] = {}
        for index, (request, key) in enumerate(items):
            record = records.get(key) if key is not None else None
            if record is not None:
                if record.request_hash != fingerprints[index]:
                    answers[index] = IdempotencyKeyReused(
                        "this Idempotency-Key was first used with a different request body; "
                        "use a new key for a new request"
                    )
                else:
                    assert record.status_code is not None
                    assert record.response is not None
                    answers[index] = AwardOutcome(
                        record.status_code, record.response, replayed=True
                    )
                continue
            award = existing.get(request.source_award_id or "")
            if award is None:
                continue
            if award.request.get("fingerprint") != fingerprints[index]:
                answers[index] = SourceAwardConflict(
                    f"sourceAwardId {request.source_award_id!r} already names award "
                    f"{award.uid} with different content; reissue it to change it",
                    errors=[ProblemItem("$.sourceAwardId", f"award {award.uid}")],
                )
            else:
                answers[index] = AwardOutcome(200, self.representation(award), replayed=True)
        return answers

    def _draft(
        self, index: int, request: AwardInput, key: str | None, fingerprint: str, actor: Actor
    ) -> _Draft:
        """Everything about a new award that can be refused before anything is written."""
        issuer = self._awarding_issuer(request, actor)
        achievement, version = self.resolve_achievement(request.achievement, issuer)
        results = self._results(request, self._document(achievement, version), version)
        return _Draft(index, request, key, fingerprint, issuer, achievement, version, results)

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
        draft = self._draft(0, request, None, fingerprint, actor)
        draft.replaces = replaces
        draft.event = event
        draft.event_details = dict(event_details or {})
        answer = self._issue([draft], actor)[0]
        if isinstance(answer, Problem):
            raise answer
        return answer

    def _issue(self, drafts: Sequence[_Draft], actor: Actor) -> list[AwardOutcome | Problem]:
        """Sign and stage the drafts' awards with their learners, events, idempotency records
        and webhook deliveries; nothing is committed but the status positions. A draft refused
        here (its recipient's identifiers name two learners, or signing refuses the credential)
        leaves nothing staged. A signing key that cannot sign stops the whole call before a
        position is claimed."""
        for issuer in {draft.issuer.id: draft.issuer for draft in drafts}.values():
            self.signer.ensure_key(issuer)
        positions = self._positions(drafts)
        known = _KnownLearners(
            self.learners.matching(
                {draft.issuer.id for draft in drafts},
                student_ids={d.request.recipient.student_id for d in drafts} - {None},
                emails={d.request.recipient.email for d in drafts} - {None},
                dids={d.request.recipient.did for d in drafts} - {None},
            )
        )
        now = datetime.now(UTC)
        refused: list[Problem | None] = []
        staged: list[tuple[_Draft, Award, Learner]] = []
        for draft, position in zip(drafts, positions, strict=True):
            try:
                learner = known.match(draft.issuer.id, draft.request.recipient)
                award = self._new_award(draft, actor, position, now)
                award.credential = self._signed_credential(draft, award, position, now)
            except Problem as problem:
                refused.append(problem)
                continue
            if learner is None:
                learner = self._new_learner(draft.issuer, draft.request)
            else:
                _update_learner(learner, draft.request.recipient)
            known.add(learner)
            staged.append((draft, award, learner))
            refused.append(None)
        self.learners.add_all({id(learner): learner for _d, _a, learner in staged}.values())
        for _draft, award, learner in staged:
            award.learner_id = learner.id
        self.awards.add_all(award for _d, award, _l in staged)
        outcomes = iter(self._stage_events(staged, actor, now))
        return [next(outcomes) if problem is None else problem for problem in refused]

    def _positions(self, drafts: Sequence[_Draft]) -> list[StatusPosition]:
        """A status-list position for each draft, claimed in one block per issuer."""
        by_issuer: dict[int, list[int]] = {}
        for number, draft in enumerate(drafts):
            by_issuer.setdefault(draft.issuer.id, []).append(number)
        positions: list[StatusPosition | None] = [None] * len(drafts)
        for numbers in by_issuer.values():
            claimed = self.status_lists.claim_many(drafts[numbers[0]].issuer, len(numbers))
            for number, position in zip(numbers, claimed, strict=True):
                positions[number] = position
        return [position for position in positions if position is not None]

    def _new_award(
        self, draft: _Draft, actor: Actor, position: StatusPosition, now: datetime
    ) -> Award:
        request = draft.request
        return Award(
            uid=str(uuid.uuid4()),
            credential_token=secrets.token_urlsafe(24),
            issuer_id=draft.issuer.id,
            achievement_id=draft.achievement.id,
            achievement_version=draft.version.version,
            status="active",
            source_client=actor.client_id,
            source_award_id=request.source_award_id,
            request={
                "fingerprint": draft.fingerprint,
                "input": request.model_dump(mode="json", by_alias=True, exclude_none=True),
            },
            credential={},
            awarded_at=request.awarded_date or now,
            valid_until=request.valid_until,
            replaces_id=None if draft.replaces is None else draft.replaces.id,
            status_list_id=position.status_list.id,
            status_index=position.index,
            created_at=now,
            changed_at=now,
        )

    def _signed_credential(
        self, draft: _Draft, award: Award, position: StatusPosition, now: datetime
    ) -> dict[str, Any]:
        credential = self._credential(award, draft)
        credential["credentialStatus"] = self.status_lists.entry(draft.issuer, position)
        if draft.replaces is not None:
            credential["description"] = (
                f"A corrected credential; it replaces {self.public_url(draft.replaces)}."
            )
        return self.signer.sign(draft.issuer, credential, created=now, built_here=True)

    def _stage_events(
        self, staged: Sequence[tuple[_Draft, Award, Learner]], actor: Actor, now: datetime
    ) -> list[AwardOutcome]:
        """The ``issued`` events, webhook deliveries and idempotency records of new awards."""
        outcomes: list[AwardOutcome] = []
        for draft, award, learner in staged:
            details: dict[str, Any] = {
                "achievement": draft.achievement.code,
                "achievementName": badge_name(draft.achievement, draft.version),
                "publicUrl": self.public_url(award),
            }
            if draft.replaces is not None:
                details["replaces"] = draft.replaces.uid
            self.awards.add_event(
                AwardEvent(
                    award_id=award.id,
                    kind=draft.event or ("issued" if draft.replaces is None else "reissued"),
                    actor=actor.name,
                    request_id=actor.request_id,
                    details={**details, **draft.event_details},
                    created_at=now,
                )
            )
            self.webhooks.enqueue(
                draft.issuer.id,
                "award.issued" if draft.replaces is None else "award.reissued",
                self.event_data(award, learner, details),
            )
            outcome = AwardOutcome(201, self.representation(award, learner=learner))
            if draft.key is not None:
                IdempotencyRepository(self.session).add(
                    IdempotencyRecord(
                        client_id=actor.client_id,
                        key=draft.key,
                        request_hash=draft.fingerprint,
                        status_code=outcome.status_code,
                        response=outcome.body,
                    )
                )
            outcomes.append(outcome)
        return outcomes

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
        self._draft(0, request, None, "", actor)

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

    def _lineage(self, issuer: Issuer) -> list[Issuer]:
        """The issuer and the organisations above it, read once per service."""
        if issuer.id not in self._lineages:
            self._lineages[issuer.id] = [
                issuer,
                *IssuerRepository(self.session).ancestors(issuer),
            ]
        return self._lineages[issuer.id]

    def resolve_achievement(
        self, reference: str, issuer: Issuer
    ) -> tuple[Achievement, AchievementVersion]:
        """The badge named by uid, URL or human code, if ``issuer`` may award it: its own
        badges and those of the organisations above it (a district awards the state's)."""
        memo = (issuer.id, reference)
        if memo not in self._achievements:
            self._achievements[memo] = self._find_achievement(reference, issuer)
        return self._achievements[memo]

    def _find_achievement(
        self, reference: str, issuer: Issuer
    ) -> tuple[Achievement, AchievementVersion]:
        repo = AchievementRepository(self.session)
        lineage = self._lineage(issuer)
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

    def _new_learner(self, issuer: Issuer, request: AwardInput) -> Learner:
        recipient = request.recipient
        return Learner(
            public_id=secrets.token_urlsafe(16),
            issuer_id=issuer.id,
            student_id=recipient.student_id,
            email=recipient.email,
            did=recipient.did,
            display_name=recipient.name,
        )

    def _credential(self, award: Award, draft: _Draft) -> dict[str, Any]:
        recipient = draft.request.recipient
        identifiers = recipient_identifiers(
            email=recipient.email, student_id=recipient.student_id, name=recipient.name
        )
        return build_open_badge_credential(
            credential_id=self.public_url(award),
            issuer=self._profile(draft.issuer),
            achievement=self._document(draft.achievement, draft.version),
            learner=LearnerIdentity(subject_id=recipient.did, identifiers=identifiers),
            valid_from=award.awarded_at,
            valid_until=award.valid_until,
            awarded_date=award.awarded_at,
            results=draft.results,
            narrative=draft.request.narrative,
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
                for item in draft.request.evidence
                if item.public
            ],
        )

    def _cpe_codes(
        self, document: Mapping[str, Any], version: AchievementVersion
    ) -> tuple[dict[str, str], str, list[str]]:
        """For a badge version: its CPEs by code and by resultDescription id, its code, and its
        CPE codes in order; built once per version and service."""
        memo = (str(document["id"]), version.version)
        if memo not in self._cpes:
            badge, _catalog = definition_to_badge(version.definition)
            by_reference: dict[str, str] = {}
            for cpe in badge.cpes:
                by_reference[cpe.code] = cpe.code
                by_reference[cpe_result_ids(str(document["id"]), cpe.code).result_description] = (
                    cpe.code
                )
            self._cpes[memo] = (by_reference, badge.id, [cpe.code for cpe in badge.cpes])
        return self._cpes[memo]

    def _results(
        self, request: AwardInput, document: Mapping[str, Any], version: AchievementVersion
    ) -> list[dict[str, Any]]:
        by_reference, badge_id, codes = self._cpe_codes(document, version)
        results: list[dict[str, Any]] = []
        problems: list[ProblemItem] = []
        for index, item in enumerate(request.results):
            code = by_reference.get(item.cpe)
            if code is None:
                problems.append(
                    ProblemItem(
                        f"$.results[{index}].cpe",
                        f"{badge_id} has no CPE {item.cpe!r}; it has " + ", ".join(codes),
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
