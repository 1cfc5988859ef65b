"""Which instance a command talks to, and whether it exists yet.

Only ``serve`` and ``db upgrade`` create a database. Every other command first checks that the
configured one exists and is migrated; opening a missing SQLite file would create an empty one,
and the command would then fail on a missing table far from the actual mistake (a wrong
directory or home).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.migrations import head_revision, schema_revision
from app.settings import Settings

CREATE_HINT = "create it with `xqbadges db upgrade` or `xqbadges serve`"


class InstanceNotReady(Exception):
    """The configured database is missing, empty or at an older schema."""


def masked_url(url: str) -> str:
    """The database URL with any password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)


def require_migrated(settings: Settings) -> None:
    """Raise InstanceNotReady unless the database exists and its schema is at head."""
    sqlite_file = settings.sqlite_file
    if sqlite_file is not None and not sqlite_file.is_file():
        raise InstanceNotReady(
            f"there is no xqbadges database at {sqlite_file} (data home {settings.home}); "
            f"{CREATE_HINT}, or set XQB_HOME to the instance you meant"
        )
    revision = schema_revision(settings)
    where = masked_url(settings.database_url)
    if revision is None:
        raise InstanceNotReady(f"the database at {where} is not migrated; {CREATE_HINT}")
    head = head_revision()
    if revision != head:
        raise InstanceNotReady(
            f"the database at {where} is at schema revision {revision}, this version needs "
            f"{head}; run `xqbadges db upgrade`"
        )


def database_error_sentence(error: DBAPIError, settings: Settings) -> str:
    """One line for an operator: what failed, where, and the driver's reason without secrets."""
    where = masked_url(settings.database_url)
    lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
    reason = lines[0].strip()
    password = make_url(settings.database_url).password
    if password:
        reason = reason.replace(str(password), "***")
    if error.connection_invalidated or error.statement is None:
        reason = reason.rsplit(": ", 1)[-1].strip()
        return f"cannot reach the database at {where}: {reason[:1].lower()}{reason[1:]}"
    return f"the database at {where} refused a statement: {reason}"


def describe(settings: Settings) -> dict[str, Any]:
    """Where this instance keeps its data, for ``xqbadges info`` and the start of ``serve``."""
    try:
        revision = schema_revision(settings) or "not migrated"
    except DBAPIError as error:
        revision = f"unknown ({database_error_sentence(error, settings)})"
    env_file = settings.env_file
    return {
        "home": str(settings.home),
        "databaseUrl": masked_url(settings.database_url),
        "keysDir": str(settings.keys_dir),
        "envFile": str(env_file),
        "envFileUsed": env_file.is_file(),
        "publicBaseUrl": settings.public_base_url,
        "schemaRevision": revision,
    }
