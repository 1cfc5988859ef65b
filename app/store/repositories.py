"""Every query the service runs. Services call these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, defer

from app.store.models import (
    AccessToken,
    Achievement,
    AchievementVersion,
    ApiClient,
    Award,
    AwardEvent,
    AwardJob,
    CatalogImport,
    Endorsement,
    IdempotencyRecord,
    Issuer,
    IssuerKey,
    Learner,
    StatusList,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class IssuerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_slug(self, slug: str) -> Issuer | None:
        return self.session.scalars(select(Issuer).where(Issuer.slug == slug)).one_or_none()

    def by_id(self, issuer_id: int) -> Issuer | None:
        return self.session.get(Issuer, issuer_id)

    def all(self) -> Sequence[Issuer]:
        return self.session.scalars(select(Issuer).order_by(Issuer.slug)).all()

    def ancestors(self, issuer: Issuer) -> list[Issuer]:
        """Parent first, then its parent, up to the root."""
        chain: list[Issuer] = []
        seen = {issuer.id}
        parent_id = issuer.parent_id
        while parent_id is not None and parent_id not in seen:
            parent = self.by_id(parent_id)
            if parent is None:
                break
            chain.append(parent)
            seen.add(parent.id)
            parent_id = parent.parent_id
        return chain

    def descendant_ids(self, issuer_id: int) -> set[int]:
        found: set[int] = set()
        frontier = [issuer_id]
        while frontier:
            rows = self.session.scalars(
                select(Issuer.id).where(Issuer.parent_id.in_(frontier))
            ).all()
            frontier = [row for row in rows if row not in found]
            found.update(frontier)
        return found

    def add(self, issuer: Issuer) -> Issuer:
        self.session.add(issuer)
        self.session.flush()
        return issuer


class KeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_issuer(self, issuer_id: int) -> Sequence[IssuerKey]:
        return self.session.scalars(
            select(IssuerKey).where(IssuerKey.issuer_id == issuer_id).order_by(IssuerKey.id)
        ).all()

    def active_for_issuer(self, issuer_id: int, algorithm: str = "Ed25519") -> IssuerKey | None:
        return self.session.scalars(
            select(IssuerKey)
            .where(
                IssuerKey.issuer_id == issuer_id,
                IssuerKey.algorithm == algorithm,
                IssuerKey.retired_at.is_(None),
            )
            .order_by(IssuerKey.id.desc())
            .limit(1)
        ).one_or_none()

    def all(self) -> Sequence[IssuerKey]:
        return self.session.scalars(select(IssuerKey).order_by(IssuerKey.id)).all()

    def by_multibase(self, public_key_multibase: str) -> IssuerKey | None:
        return self.session.scalars(
            select(IssuerKey).where(IssuerKey.public_key_multibase == public_key_multibase)
        ).one_or_none()

    def add(self, key: IssuerKey) -> IssuerKey:
        self.session.add(key)
        self.session.flush()
        return key


class ClientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_client_id(self, client_id: str) -> ApiClient | None:
        return self.session.scalars(
            select(ApiClient).where(ApiClient.client_id == client_id)
        ).one_or_none()

    def for_issuer(self, issuer_id: int | None = None) -> Sequence[ApiClient]:
        query = select(ApiClient).order_by(ApiClient.id)
        if issuer_id is not None:
            query = query.where(ApiClient.issuer_id == issuer_id)
        return self.session.scalars(query).all()

    def add(self, client: ApiClient) -> ApiClient:
        self.session.add(client)
        self.session.flush()
        return client

    def add_token(self, token: AccessToken) -> AccessToken:
        self.session.add(token)
        self.session.flush()
        return token

    def token_by_hash(self, token_hash: str) -> tuple[AccessToken, ApiClient] | None:
        row = self.session.execute(
            select(AccessToken, ApiClient)
            .join(ApiClient, ApiClient.id == AccessToken.client_pk)
            .where(AccessToken.token_hash == token_hash)
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def delete_tokens_of(self, client: ApiClient) -> int:
        """Every token the client holds; returns how many there were."""
        result = self.session.execute(delete(AccessToken).where(AccessToken.client_pk == client.id))
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_token(self, token: AccessToken) -> None:
        self.session.delete(token)
        self.session.flush()

    def delete_tokens_expired_before(self, moment: datetime) -> None:
        for token in self.session.scalars(
            select(AccessToken).where(AccessToken.expires_at < moment)
        ):
            self.session.delete(token)


class AchievementRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uid(self, uid: str) -> Achievement | None:
        return self.session.scalars(select(Achievement).where(Achievement.uid == uid)).one_or_none()

    def by_code(self, issuer_id: int, code: str) -> Achievement | None:
        return self.session.scalars(
            select(Achievement).where(Achievement.issuer_id == issuer_id, Achievement.code == code)
        ).one_or_none()

    def for_issuer_by_code(self, issuer_id: int) -> dict[str, Achievement]:
        rows = self.session.scalars(select(Achievement).where(Achievement.issuer_id == issuer_id))
        return {row.code: row for row in rows}

    def version(self, achievement_id: int, version: int) -> AchievementVersion | None:
        return self.session.scalars(
            select(AchievementVersion).where(
                AchievementVersion.achievement_id == achievement_id,
                AchievementVersion.version == version,
            )
        ).one_or_none()

    def versions(self, achievement_id: int) -> Sequence[AchievementVersion]:
        return self.session.scalars(
            select(AchievementVersion)
            .where(AchievementVersion.achievement_id == achievement_id)
            .order_by(AchievementVersion.version)
        ).all()

    def page(
        self, *, issuer_id: int | None, code: str | None, after_id: int, limit: int
    ) -> Sequence[tuple[Achievement, AchievementVersion]]:
        query = (
            select(Achievement, AchievementVersion)
            .join(
                AchievementVersion,
                (AchievementVersion.achievement_id == Achievement.id)
                & (AchievementVersion.version == Achievement.current_version),
            )
            .where(Achievement.id > after_id)
            .order_by(Achievement.id)
            .limit(limit)
        )
        if issuer_id is not None:
            query = query.where(Achievement.issuer_id == issuer_id)
        if code is not None:
            query = query.where(Achievement.code == code)
        return [(row[0], row[1]) for row in self.session.execute(query).all()]

    def count(self, issuer_id: int | None = None) -> int:
        query = select(func.count(Achievement.id))
        if issuer_id is not None:
            query = query.where(Achievement.issuer_id == issuer_id)
        return int(self.session.scalar(query) or 0)

    def add(self, achievement: Achievement) -> Achievement:
        self.session.add(achievement)
        self.session.flush()
        return achievement

    def add_version(self, version: AchievementVersion) -> AchievementVersion:
        self.session.add(version)
        self.session.flush()
        return version

    def add_import(self, record: CatalogImport) -> CatalogImport:
        self.session.add(record)
        self.session.flush()
        return record


class LearnerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_public_id(self, public_id: str) -> Learner | None:
        return self.session.scalars(
            select(Learner).where(Learner.public_id == public_id)
        ).one_or_none()

    def matching(
        self,
        issuer_ids: Collection[int],
        *,
        student_ids: Collection[str | None],
        emails: Collection[str | None],
        dids: Collection[str | None],
    ) -> list[Learner]:
        """Learners of these issuers named by any of the identifiers, in one query."""
        named = [
            column.in_([value for value in values if value is not None])
            for column, values in (
                (Learner.student_id, student_ids),
                (Learner.email, emails),
                (Learner.did, dids),
            )
            if any(value is not None for value in values)
        ]
        if not named or not issuer_ids:
            return []
        return list(
            self.session.scalars(
                select(Learner).where(Learner.issuer_id.in_(issuer_ids), or_(*named))
            )
        )

    def add_all(self, learners: Iterable[Learner]) -> None:
        """Insert the new ones among ``learners`` (and flush changes to the others) at once."""
        self.session.add_all(learners)
        self.session.flush()


class StatusListRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uid(self, uid: str) -> StatusList | None:
        return self.session.scalars(select(StatusList).where(StatusList.uid == uid)).one_or_none()

    def by_id(self, list_id: int) -> StatusList | None:
        return self.session.get(StatusList, list_id)

    def newest(self, issuer_id: int, purpose: str) -> StatusList | None:
        return self.session.scalars(
            select(StatusList)
            .where(StatusList.issuer_id == issuer_id, StatusList.purpose == purpose)
            .order_by(StatusList.sequence.desc())
            .limit(1)
        ).one_or_none()

    def take_indexes(self, list_id: int, count: int) -> range | None:
        """Claim the list's next ``count`` free positions in one atomic UPDATE; ``None`` when
        fewer than ``count`` are left.

        The row lock (PostgreSQL) or the database write lock (SQLite) serialises concurrent
        claims across processes, so no position is handed out twice.
        """
        claimed = self.session.execute(
            update(StatusList)
            .where(StatusList.id == list_id, StatusList.next_index + count <= StatusList.size)
            .values(next_index=StatusList.next_index + count)
            .returning(StatusList.next_index)
        ).scalar_one_or_none()
        return None if claimed is None else range(int(claimed) - count, int(claimed))

    def add(self, status_list: StatusList) -> StatusList:
        self.session.add(status_list)
        self.session.flush()
        return status_list

    def set_positions(self, list_id: int) -> list[int]:
        """Positions of the list's credentials that are revoked (or superseded), and of its
        endorsements that were withdrawn."""
        awards = select(Award.status_index).where(
            Award.status_list_id == list_id, Award.status.in_(("revoked", "superseded"))
        )
        endorsements = select(Endorsement.status_index).where(
            Endorsement.status_list_id == list_id, Endorsement.status == "withdrawn"
        )
        return [int(index) for index in self.session.scalars(awards.union_all(endorsements))]

    def touch(self, list_id: int, moment: datetime) -> None:
        self.session.execute(
            update(StatusList).where(StatusList.id == list_id).values(changed_at=moment)
        )


class AwardRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uid(self, uid: str) -> Award | None:
        return self.session.scalars(select(Award).where(Award.uid == uid)).one_or_none()

    def by_id(self, award_id: int) -> Award | None:
        return self.session.get(Award, award_id)

    def by_token(self, token: str) -> Award | None:
        return self.session.scalars(
            select(Award).where(Award.credential_token == token)
        ).one_or_none()

    def current_for_learners(self, learner_ids: Collection[int], moment: datetime) -> list[Award]:
        """The learners' awards in force at ``moment``, oldest first: active, and not past a
        validity end that the expiry sweep has not reached yet."""
        if not learner_ids:
            return []
        return list(
            self.session.scalars(
                select(Award)
                .where(
                    Award.learner_id.in_(learner_ids),
                    Award.status == "active",
                    or_(Award.valid_until.is_(None), Award.valid_until > moment),
                )
                .order_by(Award.awarded_at, Award.id)
            )
        )

    def holders(self, achievement_id: int, moment: datetime) -> int:
        """How many distinct learners hold an award of the achievement (any version) in force
        at ``moment``; a count only, so no learner is ever read."""
        count = self.session.scalar(
            select(func.count(func.distinct(Award.learner_id))).where(
                Award.achievement_id == achievement_id,
                Award.status == "active",
                or_(Award.valid_until.is_(None), Award.valid_until > moment),
            )
        )
        return int(count or 0)

    def by_sources(self, client_id: str, source_award_ids: Collection[str]) -> dict[str, Award]:
        """The client's awards with these source award ids, by source award id."""
        if not source_award_ids:
            return {}
        rows = self.session.scalars(
            select(Award).where(
                Award.source_client == client_id, Award.source_award_id.in_(source_award_ids)
            )
        )
        return {str(award.source_award_id): award for award in rows}

    def page(
        self,
        *,
        issuer_ids: set[int],
        learner_id: int | None,
        achievement_id: int | None,
        status: str | None,
        since: datetime | None,
        after_id: int,
        limit: int,
    ) -> Sequence[Award]:
        query = select(Award).where(Award.issuer_id.in_(issuer_ids), Award.id > after_id)
        if learner_id is not None:
            query = query.where(Award.learner_id == learner_id)
        if achievement_id is not None:
            query = query.where(Award.achievement_id == achievement_id)
        if status is not None:
            query = query.where(Award.status == status)
        if since is not None:
            query = query.where(Award.changed_at >= since)
        return self.session.scalars(query.order_by(Award.id).limit(limit)).all()

    def changed_between(
        self,
        issuer_ids: Collection[int],
        since: datetime,
        until: datetime,
        *,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> Sequence[Award]:
        """One page of the issuers' awards whose ``changed_at`` is in ``[since, until)``, ordered
        by (changed_at, id); ``after`` is the last (changed_at, id) of the previous page."""
        query = select(Award).where(
            Award.issuer_id.in_(issuer_ids), Award.changed_at >= since, Award.changed_at < until
        )
        if after is not None:
            changed_at, award_id = after
            query = query.where(
                or_(
                    Award.changed_at > changed_at,
                    and_(Award.changed_at == changed_at, Award.id > award_id),
                )
            )
        return self.session.scalars(query.order_by(Award.changed_at, Award.id).limit(limit)).all()

    def transition(self, award_id: int, old: str, new: str, moment: datetime) -> bool:
        """Move the award from status ``old`` to ``new`` in one conditional UPDATE; False when
        it is no longer ``old`` (another request or process changed it first)."""
        result = self.session.execute(
            update(Award)
            .where(Award.id == award_id, Award.status == old)
            .values(status=new, changed_at=moment)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def due_to_expire(self, moment: datetime, limit: int) -> Sequence[Award]:
        return self.session.scalars(
            select(Award)
            .where(Award.status == "active", Award.valid_until <= moment)
            .order_by(Award.id)
            .limit(limit)
        ).all()

    def revoked_tokens(self, issuer_id: int) -> Sequence[str]:
        """Credential tokens of the issuer's revoked and superseded awards, oldest first."""
        return self.session.scalars(
            select(Award.credential_token)
            .where(Award.issuer_id == issuer_id, Award.status.in_(("revoked", "superseded")))
            .order_by(Award.id)
        ).all()

    def ended_naming_issuer(self, issuer_id: int) -> list[tuple[str, str]]:
        """(credential token, status) of the revoked and superseded awards that the issuer
        made or whose badge it defines, oldest first."""
        own_badges = select(Achievement.id).where(Achievement.issuer_id == issuer_id)
        rows = self.session.execute(
            select(Award.credential_token, Award.status)
            .where(
                or_(Award.issuer_id == issuer_id, Award.achievement_id.in_(own_badges)),
                Award.status.in_(("revoked", "superseded")),
            )
            .order_by(Award.id)
        )
        return [(token, status) for token, status in rows]

    def events(self, award_id: int) -> Sequence[AwardEvent]:
        return self.session.scalars(
            select(AwardEvent).where(AwardEvent.award_id == award_id).order_by(AwardEvent.id)
        ).all()

    def add_all(self, awards: Iterable[Award]) -> None:
        """Insert the awards together; their ids are set afterwards."""
        self.session.add_all(awards)
        self.session.flush()

    def add_event(self, event: AwardEvent) -> None:
        """Stage a history event; it is written with the transaction's other rows."""
        self.session.add(event)


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def many(self, client_id: str, keys: Collection[str]) -> dict[str, IdempotencyRecord]:
        """The client's records under these keys, by key."""
        if not keys:
            return {}
        rows = self.session.scalars(
            select(IdempotencyRecord).where(
                IdempotencyRecord.client_id == client_id, IdempotencyRecord.key.in_(keys)
            )
        )
        return {record.key: record for record in rows}

    def add(self, record: IdempotencyRecord) -> None:
        """Stage the first answer to a keyed request; it commits with the award it answers."""
        self.session.add(record)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uid(self, uid: str) -> AwardJob | None:
        return self.session.scalars(select(AwardJob).where(AwardJob.uid == uid)).one_or_none()

    def by_key(self, client_id: str, key: str) -> AwardJob | None:
        return self.session.scalars(
            select(AwardJob).where(AwardJob.client_id == client_id, AwardJob.idempotency_key == key)
        ).one_or_none()

    def status_of(self, uid: str) -> AwardJob | None:
        """The job without its rows (megabytes for 10,000 of them), for progress reports."""
        return self.session.scalars(
            select(AwardJob).options(defer(AwardJob.rows)).where(AwardJob.uid == uid)
        ).one_or_none()

    def rows_of(self, job_id: int) -> list[Any]:
        rows: list[Any] = self.session.execute(
            select(AwardJob.rows).where(AwardJob.id == job_id)
        ).scalar_one()
        return rows

    def claimable(self, now: datetime) -> Sequence[str]:
        """Unfinished jobs nobody holds: never taken, or their holder's lease has run out."""
        return self.session.scalars(
            select(AwardJob.uid)
            .where(
                AwardJob.status != "done",
                or_(AwardJob.lease_until.is_(None), AwardJob.lease_until < now),
            )
            .order_by(AwardJob.id)
        ).all()

    def claim(self, uid: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take (or keep) the job with one conditional UPDATE: it succeeds for one claimant only
        while the job is unfinished and free, or already ``owner``'s."""
        result = self.session.execute(
            update(AwardJob)
            .where(
                AwardJob.uid == uid,
                AwardJob.status != "done",
                or_(
                    AwardJob.lease_until.is_(None),
                    AwardJob.lease_until < now,
                    AwardJob.owner == owner,
                ),
            )
            .values(owner=owner, lease_until=until, heartbeat_at=now, status="running")
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def renew(
        self, job_id: int, owner: str, now: datetime, until: datetime, processed: int
    ) -> bool:
        """Record progress and extend the lease; False when another runner holds the job."""
        result = self.session.execute(
            update(AwardJob)
            .where(AwardJob.id == job_id, AwardJob.owner == owner)
            .values(processed=processed, lease_until=until, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def finish(self, job_id: int, owner: str, results: list[Any], now: datetime) -> bool:
        result = self.session.execute(
            update(AwardJob)
            .where(AwardJob.id == job_id, AwardJob.owner == owner)
            .values(
                results=results,
                processed=AwardJob.total,
                status="done",
                finished_at=now,
                owner=None,
                lease_until=None,
                heartbeat_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def release(self, job_id: int, owner: str) -> None:
        """Give the job up (a process shutting down) so another runner may take it at once."""
        self.session.execute(
            update(AwardJob)
            .where(AwardJob.id == job_id, AwardJob.owner == owner)
            .values(owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    def add(self, job: AwardJob) -> AwardJob:
        self.session.add(job)
        self.session.flush()
        return job


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uid(self, uid: str) -> WebhookEndpoint | None:
        return self.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.uid == uid)
        ).one_or_none()

    def for_client(self, client_id: str) -> Sequence[WebhookEndpoint]:
        return self.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.client_id == client_id, WebhookEndpoint.disabled_at.is_(None))
            .order_by(WebhookEndpoint.id)
        ).all()

    def listening(self, issuer_ids: list[int]) -> Sequence[WebhookEndpoint]:
        return self.session.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.issuer_id.in_(issuer_ids), WebhookEndpoint.disabled_at.is_(None)
            )
        ).all()

    def add(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        self.session.add(endpoint)
        self.session.flush()
        return endpoint

    def add_delivery(self, delivery: WebhookDelivery) -> None:
        self.session.add(delivery)

    def due(self, moment: datetime, limit: int) -> Sequence[WebhookDelivery]:
        return self.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= moment)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        ).all()

    def claim(self, delivery: WebhookDelivery, until: datetime) -> bool:
        """Take a due delivery for this worker: an UPDATE that only one worker can win."""
        claimed = self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at == delivery.next_attempt_at,
            )
            .values(next_attempt_at=until)
        )
        return bool(getattr(claimed, "rowcount", 0) == 1)

    def endpoint(self, endpoint_id: int) -> WebhookEndpoint | None:
        return self.session.get(WebhookEndpoint, endpoint_id)

    def deliveries(self, endpoint_id: int, limit: int) -> Sequence[WebhookDelivery]:
        return self.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        ).all()

    def attempts(self, delivery_id: int) -> Sequence[WebhookAttempt]:
        return self.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        ).all()

    def add_attempt(self, attempt: WebhookAttempt) -> None:
        self.session.add(attempt)


class EndorsementRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uid(self, uid: str) -> Endorsement | None:
        return self.session.scalars(select(Endorsement).where(Endorsement.uid == uid)).one_or_none()

    def at(self, achievement_uid: str, uid: str) -> Endorsement | None:
        """The endorsement ``uid`` of the achievement ``achievement_uid``, as its URL names it."""
        found = self.by_uid(uid)
        if found is None:
            return None
        achievement = self.session.get(Achievement, found.achievement_id)
        return found if achievement is not None and achievement.uid == achievement_uid else None

    def active_for(self, achievement_id: int) -> Sequence[Endorsement]:
        """The achievement's endorsements in force, oldest first."""
        return self.session.scalars(
            select(Endorsement)
            .where(Endorsement.achievement_id == achievement_id, Endorsement.status == "active")
            .order_by(Endorsement.id)
        ).all()

    def active_by_endorser(self, achievement_id: int, endorser_id: str) -> Endorsement | None:
        return self.session.scalars(
            select(Endorsement)
            .where(
                Endorsement.achievement_id == achievement_id,
                Endorsement.endorser_id == endorser_id,
                Endorsement.status == "active",
            )
            .limit(1)
        ).one_or_none()

    def by_credential_id(
        self, credential_id: str, achievement_id: int | None = None
    ) -> Endorsement | None:
        query = select(Endorsement).where(Endorsement.credential_id == credential_id)
        if achievement_id is not None:
            query = query.where(Endorsement.achievement_id == achievement_id)
        return self.session.scalars(query.order_by(Endorsement.id).limit(1)).one_or_none()

    def fingerprint(self, achievement_id: int) -> tuple[int, int]:
        """How many endorsements the achievement has and how many were withdrawn: rows are
        never deleted and never come back once withdrawn, so any change alters the pair."""
        row = self.session.execute(
            select(
                func.count(Endorsement.id),
                func.count(Endorsement.withdrawn_at),
            ).where(Endorsement.achievement_id == achievement_id)
        ).one()
        return int(row[0]), int(row[1])

    def withdraw(self, endorsement_id: int, moment: datetime, actor: str) -> bool:
        """Withdraw an active endorsement in one conditional UPDATE; False when it is no longer
        active (another request withdrew it first)."""
        result = self.session.execute(
            update(Endorsement)
            .where(Endorsement.id == endorsement_id, Endorsement.status == "active")
            .values(status="withdrawn", withdrawn_at=moment, withdrawn_by=actor)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def withdrawn_issued_ids(self, endorser_issuer_id: int) -> Sequence[str]:
        """Credential ids of the endorsements this issuer signed here and withdrew, oldest
        first (its 1EdTech revocation list names them)."""
        return self.session.scalars(
            select(Endorsement.credential_id)
            .where(
                Endorsement.endorser_issuer_id == endorser_issuer_id,
                Endorsement.source == "issued",
                Endorsement.status == "withdrawn",
            )
            .order_by(Endorsement.id)
        ).all()

    def add(self, endorsement: Endorsement) -> Endorsement:
        self.session.add(endorsement)
        self.session.flush()
        return endorsement
