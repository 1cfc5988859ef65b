"""First start: a default issuer with a fresh key, and the XQ catalog loaded into it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.achievements.catalog_import import import_catalog
from app.catalog.loader import DEFAULT_CATALOG_PATH, default_catalog
from app.issuer.issuers import IssuerDraft, create_issuer
from app.migrations import upgrade_to_head
from app.runtime import Runtime
from app.store.locks import database_lock
from app.store.repositories import AchievementRepository, IssuerRepository


@dataclass(frozen=True)
class BootstrapReport:
    issuer_created: bool
    catalog_loaded: bool


def bootstrap(runtime: Runtime) -> BootstrapReport:
    """Idempotent: migrate, create the default issuer if missing, load the XQ catalog if empty.

    Under a database-wide lock (app.store.locks): replicas starting together take turns, and
    the later ones find the work done."""
    with database_lock(runtime.engine):
        return _bootstrap(runtime)


def _bootstrap(runtime: Runtime) -> BootstrapReport:
    upgrade_to_head(runtime.settings)
    runtime.keystore.ensure_directory()
    settings = runtime.settings
    with runtime.sessions() as session:
        issuer = IssuerRepository(session).by_slug(settings.default_issuer_slug)
        issuer_created = issuer is None
        if issuer is None:
            issuer = create_issuer(
                session,
                runtime.keystore,
                IssuerDraft(
                    slug=settings.default_issuer_slug,
                    name=settings.default_issuer_name,
                    url=settings.default_issuer_url,
                    email=settings.default_issuer_email,
                ),
            )
        catalog_loaded = AchievementRepository(session).count(issuer.id) == 0
        if catalog_loaded:
            import_catalog(
                session,
                issuer,
                default_catalog(),
                source_name=DEFAULT_CATALOG_PATH.name,
                source_sha256=hashlib.sha256(DEFAULT_CATALOG_PATH.read_bytes()).hexdigest(),
                actor="bootstrap",
            )
        session.commit()
    return BootstrapReport(issuer_created=issuer_created, catalog_loaded=catalog_loaded)
