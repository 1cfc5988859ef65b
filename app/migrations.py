"""Running the Alembic migrations from code (CLI, start-up, tests).

The scripts live in ``migrations/`` at the top of a source checkout; an installed wheel carries
them inside the package as ``app/alembic`` (see setup.py).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.settings import Settings
from app.store.db import make_engine

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "alembic"
MIGRATIONS_DIR = _INSTALLED if _INSTALLED.is_dir() else _PACKAGE.parent / "migrations"


def _script_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def alembic_config(settings: Settings) -> Config:
    config = _script_config()
    config.set_main_option("sqlalchemy.url", settings.database_url)
    config.attributes["configure_logger"] = False
    return config


def upgrade_to_head(settings: Settings) -> None:
    command.upgrade(alembic_config(settings), "head")


def head_revision() -> str:
    """The schema revision this code expects."""
    heads = ScriptDirectory.from_config(_script_config()).get_heads()
    return ",".join(sorted(heads))


def schema_revision(settings: Settings) -> str | None:
    """The database's schema revision, or None when it is not migrated (or, for SQLite, when
    the file does not exist: it is not created by asking)."""
    sqlite_file = settings.sqlite_file
    if sqlite_file is not None and not sqlite_file.is_file():
        return None
    engine = make_engine(settings.database_url, settings.database_connect_timeout_seconds)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return ",".join(sorted(heads)) or None
