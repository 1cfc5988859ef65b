"""The relational schema. Alembic migrations must produce exactly this (a test checks)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Issuer(Base):
    """An awarding organisation (state, district, school); published as an OB3 Profile."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    email: Mapped[str | None] = mapped_column(String(320))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2000))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id"), index=True)
    status_method: Mapped[str] = mapped_column(
        String(32), default="BitstringStatusList", server_default="BitstringStatusList"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    parent: Mapped[Issuer | None] = relationship(remote_side=[id], lazy="raise")


class IssuerKey(Base):
    """A signing key. The private half lives in a file under the keys directory, never here.

    Ed25519 keys (Data Integrity proofs, EdDSA JWTs) are published as Multikeys; RSA keys
    (RS256 VC-JWTs, the algorithm OB 3.0 requires every verifier to support) as JWKs.
    """

    __tablename__ = "issuer_keys"
    __table_args__ = (UniqueConstraint("issuer_id", "fragment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    fragment: Mapped[str] = mapped_column(String(200))
    public_key_multibase: Mapped[str | None] = mapped_column(String(200), unique=True)
    public_jwk: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    private_key_file: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiClient(Base):
    """A machine client (LMS, portfolio platform) acting for one issuer."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    scopes: Mapped[str] = mapped_column(String(500))
    covers_descendants: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccessToken(Base):
    """A short-lived bearer token from the client-credentials grant, stored as a hash."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    scopes: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class CatalogImport(Base):
    """One accepted catalog file: who loaded what, and what it changed."""

    __tablename__ = "catalog_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    source_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    catalog_name: Mapped[str] = mapped_column(String(300))
    catalog_version: Mapped[str] = mapped_column(String(100))
    created_count: Mapped[int] = mapped_column(Integer)
    updated_count: Mapped[int] = mapped_column(Integer)
    unchanged_count: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Achievement(Base):
    """A badge of one issuer, identified by its human code; its content lives in versions."""

    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("issuer_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AchievementVersion(Base):
    """An immutable snapshot of a badge definition; re-importing a changed badge adds one."""

    __tablename__ = "achievement_versions"
    __table_args__ = (UniqueConstraint("achievement_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    catalog_import_id: Mapped[int] = mapped_column(ForeignKey("catalog_imports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Learner(Base):
    """A student as one issuer knows them. ``public_id`` names them outside the service;
    email and student id stay in this table, never in credentials or pages."""

    __tablename__ = "learners"
    __table_args__ = (
        UniqueConstraint("issuer_id", "student_id", name="uq_learners_issuer_student_id"),
        UniqueConstraint("issuer_id", "email", name="uq_learners_issuer_email"),
        UniqueConstraint("issuer_id", "did", name="uq_learners_issuer_did"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    student_id: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    did: Mapped[str | None] = mapped_column(String(2000))
    display_name: Mapped[str | None] = mapped_column(String(300))
    profile_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Whether /learners/{public_id} lists the learner's badges; off until the learner (or
    the issuer on their behalf) turns it on."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StatusList(Base):
    """One Bitstring Status List of an issuer; ``next_index`` counts the claims, never one twice.

    Claim ``n`` is placed at a position chosen by the list's secret ``shuffle_key`` (see
    ``app.credentials.index_shuffle``); lists made before the key existed have none and place
    claim ``n`` at position ``n``.
    """

    __tablename__ = "status_lists"
    __table_args__ = (
        UniqueConstraint("issuer_id", "purpose", "sequence", name="uq_status_lists_sequence"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    next_index: Mapped[int] = mapped_column(Integer, default=0)
    shuffle_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Award(Base):
    """An award of an achievement to a learner and the credential that records it."""

    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("source_client", "source_award_id", name="uq_awards_source"),
        UniqueConstraint("status_list_id", "status_index", name="uq_awards_status_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    credential_token: Mapped[str] = mapped_column(String(64), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id"), index=True)
    achievement_version: Mapped[int] = mapped_column(Integer)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source_client: Mapped[str] = mapped_column(String(64))
    source_award_id: Mapped[str | None] = mapped_column(String(200))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    awarded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_list_id: Mapped[int] = mapped_column(ForeignKey("status_lists.id"), index=True)
    status_index: Mapped[int] = mapped_column(Integer)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id"), index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class AwardEvent(Base):
    """Append-only history of an award: issued, revoked, reissued, superseded, ..."""

    __tablename__ = "award_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a request sent with an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_idempotency_client_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AwardJob(Base):
    """A large batch of awards worked through in the background, row by row.

    Each row is issued under its own idempotency key, so a job interrupted by a crash is
    simply run again from the start: rows already committed replay. One runner at a time holds
    the job: ``owner`` until ``lease_until``, renewed (``heartbeat_at``) before every chunk; a
    job whose lease has run out may be taken over (see app.awards.jobs).
    """

    __tablename__ = "award_jobs"
    __table_args__ = (UniqueConstraint("client_id", "idempotency_key", name="uq_award_jobs_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    client_id: Mapped[str] = mapped_column(String(64))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    total: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[list[Any]] = mapped_column(JSON)
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookEndpoint(Base):
    """A platform's URL that hears about one issuer's awards (and those of issuers below it)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """The transactional outbox: one row per event and endpoint, written with the event."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WebhookAttempt(Base):
    """The delivery log: every try, its answer or its error, and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Endorsement(Base):
    """A third party's signed EndorsementCredential about one of our badges: issued here for an
    endorser whose profile this service holds, or imported after it verified.

    ``credential`` is the credential as read (for a VC-JWT, its claims' credential), and
    ``credential_jwt`` the compact token when it came as one. An issued endorsement has a
    position in its endorser's status list, set when it is withdrawn.
    """

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("achievement_id", "credential_id", name="uq_endorsements_credential"),
        UniqueConstraint("status_list_id", "status_index", name="uq_endorsements_status_position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id"), index=True)
    endorser_issuer_id: Mapped[int | None] = mapped_column(ForeignKey("issuers.id"), index=True)
    endorser_id: Mapped[str] = mapped_column(String(2000))
    endorser_name: Mapped[str] = mapped_column(String(300))
    credential_id: Mapped[str] = mapped_column(String(500))
    credential: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential_jwt: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    status_list_id: Mapped[int | None] = mapped_column(ForeignKey("status_lists.id"), index=True)
    status_index: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
