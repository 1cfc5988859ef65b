"""Readiness: what must hold before the service may take traffic."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.issuer.keystore import KeyStoreError
from app.migrations import alembic_config
from app.runtime import Runtime
from app.store.repositories import KeyRepository


def readiness_problems(runtime: Runtime) -> list[str]:
    """Empty when ready; otherwise one sentence per failing check."""
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        return [f"database unreachable ({type(exc).__name__})"]
    head = set(ScriptDirectory.from_config(alembic_config(runtime.settings)).get_heads())
    if current != head:
        return [f"database schema at {sorted(current) or 'none'}, expected {sorted(head)}"]
    return key_file_problems(runtime)


def key_file_problems(runtime: Runtime) -> list[str]:
    """Active keys whose files are missing, unreadable or readable by other users."""
    problems: list[str] = []
    with runtime.sessions() as session:
        for key in KeyRepository(session).all():
            if key.retired_at is not None:
                continue
            try:
                runtime.keystore.load(key.private_key_file)
            except KeyStoreError as exc:
                problems.append(str(exc))
    return problems
