"""Engines and sessions for SQLite (embedded default) and PostgreSQL (scale-out)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import jsontext


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


DEFAULT_CONNECT_TIMEOUT_SECONDS = 10


def make_engine(url: str, connect_timeout_seconds: int = DEFAULT_CONNECT_TIMEOUT_SECONDS) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout for concurrent writers.

    PostgreSQL connections give up after ``connect_timeout_seconds`` (unless the URL sets its
    own ``connect_timeout``): a server that drops packets would otherwise hold a command or a
    request until the operating system gives up, minutes later.

    JSON columns (a job's 10,000 rows) go through `app.jsontext`, which lets the event loop run
    while a large value is read or written."""
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_serializer=jsontext.dumps,
            json_deserializer=jsontext.loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    given = make_url(url).query
    return create_engine(
        url,
        connect_args={}
        if "connect_timeout" in given
        else {"connect_timeout": connect_timeout_seconds},
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        json_serializer=jsontext.dumps,
        json_deserializer=jsontext.loads,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
