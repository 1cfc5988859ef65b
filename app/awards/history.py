"""Reading awards with their history, and changing them: revoke, reissue, update evidence,
expire.

The history is append-only: every change adds an ``AwardEvent`` (who, when, which request,
why) and never edits an earlier one. A revocation or a supersession sets the award's bit in its
status list in the same transaction, so the next fetch of the list shows it. Every status change
is one conditional UPDATE from the status it was read in, so two requests (or two processes)
that race to change an award cannot both record it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.awards.input import AwardInput
from app.awards.service import Actor, AwardService, badge_name
from app.issuer.keystore import PrivateKeyCache
from app.problems import Conflict, InvalidRequest, NotFound, validation_items
from app.settings import Settings
from app.store.models import Achievement, Award, AwardEvent, Learner
from app.store.repositories import (
    AchievementRepository,
    AwardRepository,
    IssuerRepository,
    LearnerRepository,
)


class AwardNotActive(Conflict):
    code = "award-not-active"


class AwardHistory:
    def __init__(self, session: Session, settings: Settings, keys: PrivateKeyCache) -> None:
        self.session = session
        self.service = AwardService(session, settings, keys)
        self.awards = AwardRepository(session)

    def detail(self, uid: str, actor: Actor) -> dict[str, Any]:
        award = self.service.get(uid, actor)
        body = self.service.representation(award)
        body["history"] = [
            {
                "event": event.kind,
                "at": event.created_at.isoformat().replace("+00:00", "Z"),
                "actor": event.actor,
                "requestId": event.request_id,
                **({"reason": event.reason} if event.reason else {}),
                **({"details": event.details} if event.details else {}),
            }
            for event in self.awards.events(award.id)
        ]
        return body

    def require_learner(self, public_id: str, actor: Actor) -> Learner:
        learner = LearnerRepository(self.session).by_public_id(public_id)
        issuer = (
            None if learner is None else IssuerRepository(self.session).by_id(learner.issuer_id)
        )
        if learner is None or issuer is None or not actor.may_act_for(issuer):
            raise NotFound(f"there is no learner {public_id!r}")
        return learner

    def set_profile_public(self, public_id: str, public: bool, actor: Actor) -> dict[str, Any]:
        """Show or hide the learner's public badge page; the answer says where it is."""
        learner = self.require_learner(public_id, actor)
        learner.profile_public = public
        self.session.commit()
        return self.profile(learner)

    def profile(self, learner: Learner) -> dict[str, Any]:
        return {
            "learnerId": learner.public_id,
            "public": learner.profile_public,
            "profileUrl": f"{self.service.settings.public_base_url}/learners/{learner.public_id}",
        }

    def page(
        self,
        actor: Actor,
        *,
        learner: str | None,
        achievement: str | None,
        issuer: str | None,
        since: datetime | None,
        status: str | None,
        after: int,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        issuers = IssuerRepository(self.session)
        visible = {actor.issuer_id} | {
            member.id for member in issuers.all() if actor.may_act_for(member)
        }
        if issuer is not None:
            chosen = issuers.by_slug(issuer)
            visible = {chosen.id} & visible if chosen is not None else set()
        learner_id = None
        if learner is not None:
            found = LearnerRepository(self.session).by_public_id(learner)
            if found is None:
                return [], None
            learner_id = found.id
        achievement_id = None
        if achievement is not None:
            achievement_id = self._achievement_id(achievement, visible)
            if achievement_id is None:
                return [], None
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        rows = self.awards.page(
            issuer_ids=visible,
            learner_id=learner_id,
            achievement_id=achievement_id,
            status=status,
            since=since,
            after_id=after,
            limit=limit + 1,
        )
        items = [self.service.representation(award) for award in rows[:limit]]
        return items, (str(rows[limit - 1].id) if len(rows) > limit else None)

    def _achievement_id(self, reference: str, issuer_ids: set[int]) -> int | None:
        """The badge ``reference`` names for any of these issuers, as awarding resolves it."""
        issuers = IssuerRepository(self.session)
        for issuer_id in sorted(issuer_ids):
            member = issuers.by_id(issuer_id)
            if member is None:
                continue
            try:
                return self.service.resolve_achievement(reference, member)[0].id
            except InvalidRequest:
                continue
        return None

    def revoke(self, uid: str, reason: str, actor: Actor) -> dict[str, Any]:
        award = self.service.get(uid, actor)
        self._end(award, "revoked", reason, actor.name, actor.request_id)
        self._notify(award, "award.revoked", {"reason": reason})
        self.session.commit()
        return self.service.representation(award)

    def expire_due(self, now: datetime, *, limit: int = 500) -> int:
        """Mark up to ``limit`` active awards whose ``validUntil`` has passed as expired, each
        with an ``expired`` event and an ``award.expired`` webhook; return how many. The
        status lists do not change: an expired credential says so itself."""
        expired = 0
        for award in self.awards.due_to_expire(now, limit):
            if self.awards.transition(award.id, "active", "expired", now):
                self._record(award, "expired", None, "system", None, now, {})
                self._notify(award, "award.expired", {})
                expired += 1
        self.session.commit()
        return expired

    def _notify(self, award: Award, event: str, details: dict[str, Any]) -> None:
        learner = self.session.get(Learner, award.learner_id)
        assert learner is not None
        achievement = self.session.get(Achievement, award.achievement_id)
        assert achievement is not None
        version = AchievementRepository(self.session).version(
            achievement.id, award.achievement_version
        )
        self.service.webhooks.enqueue(
            award.issuer_id,
            event,
            self.service.event_data(
                award, learner, {**details, "achievementName": badge_name(achievement, version)}
            ),
        )

    def reissue(
        self,
        uid: str,
        changes: dict[str, Any],
        reason: str,
        actor: Actor,
        *,
        event: str = "reissued",
    ) -> dict[str, Any]:
        """Replace an active award with a corrected credential; ``event`` names the new award's
        history entry (``reissued``, or ``evidence-updated`` when only the evidence changed)."""
        old = self.service.get(uid, actor)
        if old.status != "active":
            raise AwardNotActive(f"award {uid} is {old.status}; only an active award is reissued")
        changed = sorted(changes)
        data = dict(old.request["input"])
        data.pop("sourceAwardId", None)
        data.pop("issuer", None)
        name = changes.pop("name", None)
        if name is not None:
            data["recipient"] = {**data["recipient"], "name": name}
        data.update(changes)
        issuer = IssuerRepository(self.session).by_id(old.issuer_id)
        assert issuer is not None
        data["issuer"] = issuer.slug
        try:
            request = AwardInput.model_validate(data)
        except ValidationError as error:
            raise InvalidRequest(
                "the corrected award is not valid", errors=validation_items(error.errors())
            ) from error
        outcome = self.service.issue_new(
            request,
            actor,
            request.fingerprint(),
            replaces=old,
            event=event,
            event_details={"reason": reason, "changed": changed},
        )
        new = self.awards.by_uid(outcome.body["id"])
        assert new is not None
        old.superseded_by_id = new.id
        self._end(
            old,
            "superseded",
            reason,
            actor.name,
            actor.request_id,
            details={"supersededBy": new.uid},
        )
        self.session.commit()
        return self.service.representation(new)

    def _end(
        self,
        award: Award,
        status: str,
        reason: str,
        actor: str,
        request_id: str | None,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Move an active award to ``status`` and set its bit in its status list."""
        now = datetime.now(UTC)
        if not self.awards.transition(award.id, "active", status, now):
            self.session.rollback()
            self.session.refresh(award)
            raise AwardNotActive(
                f"award {award.uid} is {award.status}; only an active award is {status}"
            )
        self._record(award, status, reason, actor, request_id, now, details or {})
        self.service.status_lists.mark_changed(award.status_list_id)

    def _record(
        self,
        award: Award,
        kind: str,
        reason: str | None,
        actor: str,
        request_id: str | None,
        now: datetime,
        details: dict[str, Any],
    ) -> None:
        self.awards.add_event(
            AwardEvent(
                award_id=award.id,
                kind=kind,
                actor=actor,
                request_id=request_id,
                reason=reason,
                details={"publicUrl": self.service.public_url(award), **details},
                created_at=now,
            )
        )
