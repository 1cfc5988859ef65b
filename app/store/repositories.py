"""Every query the service runs. Services call these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store.models import (
    AccessToken,
    Achievement,
    AchievementVersion,
    ApiClient,
    CatalogImport,
    Issuer,
    IssuerKey,
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

    def children(self, issuer_id: int) -> Sequence[Issuer]:
        return self.session.scalars(
            select(Issuer).where(Issuer.parent_id == issuer_id).order_by(Issuer.slug)
        ).all()

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
