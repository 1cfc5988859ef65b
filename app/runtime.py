"""The long-lived parts one process shares: settings, database engine, key store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.awards.jobs import JobRunner
from app.issuer.keystore import KeyStore, PrivateKeyCache
from app.pages.cache import PageCache
from app.settings import Settings
from app.store.db import make_engine, make_session_factory
from app.verifier.fetching import RemoteFetcher, verifier_policy
from app.verifier.trust_registry import TrustRegistries


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keystore: KeyStore
    private_keys: PrivateKeyCache
    fetcher: RemoteFetcher
    """The verifier's outbound client: did:web documents, status lists, credential URLs."""
    jobs: JobRunner
    """This process's award jobs (see app.awards.jobs)."""
    trust_registries: TrustRegistries = field(default_factory=TrustRegistries)
    """The issuers the operator recognises (read once, at start)."""
    page_cache: PageCache = field(default_factory=PageCache)
    """Rendered public credential pages (see app.pages.credential_page)."""
    status_list_cache: dict[int, Any] = field(default_factory=dict)
    """The newest signed form of each status list, re-signed only when the list changes."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url, settings.database_connect_timeout_seconds)
        passphrase = settings.key_passphrase.get_secret_value() if settings.key_passphrase else None
        keystore = KeyStore(settings.keys_dir, passphrase)
        sessions = make_session_factory(engine)
        private_keys = PrivateKeyCache(keystore)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            keystore=keystore,
            private_keys=private_keys,
            fetcher=RemoteFetcher(verifier_policy(settings)),
            trust_registries=TrustRegistries.from_files(settings.trust_registry_files),
            jobs=JobRunner(sessions, settings, private_keys),
        )

    def close(self) -> None:
        self.jobs.stopping.set()
        self.fetcher.close()
        self.engine.dispose()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
