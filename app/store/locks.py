"""A lock across processes for one database, held while a process bootstraps it.

Replicas starting together on a fresh database would otherwise each run the migrations and
create the default issuer and catalog, and all but one crash on a unique constraint. On
PostgreSQL the lock is a session-level advisory lock (``pg_advisory_lock``) on its own
connection; on SQLite an exclusive ``flock`` on a file beside the database. The second process
waits, then finds everything done.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

BOOTSTRAP_LOCK_ID = 0x7871_6261_6467_6573 & 0x7FFF_FFFF_FFFF_FFFF
"""The advisory lock's key ("xqbadges" in ASCII, as a positive bigint)."""


@contextmanager
def database_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": BOOTSTRAP_LOCK_ID})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": BOOTSTRAP_LOCK_ID}
                )
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".bootstrap-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
