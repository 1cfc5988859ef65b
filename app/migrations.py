"""Running the Alembic migrations from code (CLI, start-up, tests).

The scripts live in ``migrations/`` at the top of a source checkout; an installed wheel carries
them inside the package as ``app/alembic`` (see setup.py).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.settings import Settings

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "alembic"
MIGRATIONS_DIR = _INSTALLED if _INSTALLED.is_dir() else _PACKAGE.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url)
    config.attributes["configure_logger"] = False
    return config


def upgrade_to_head(settings: Settings) -> None:
    command.upgrade(alembic_config(settings), "head")
