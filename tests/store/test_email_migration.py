"""Migration 0007 gives learner emails the one spelling that is hashed, without merging anyone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.migrations import alembic_config
from app.settings import Settings
from app.store.db import make_engine


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    name = f"xqb_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


LEARNERS = [
    (1, "Ana.Lopez@Students.example.org "),
    (2, "ben@students.example.org"),
    (3, "Cy@Example.org"),
    (4, "cy@example.org"),
    (5, "Dee@Example.org"),
    (6, "DEE@example.org"),
]


def test_emails_are_lower_cased_unless_two_learners_would_become_one(empty_database_url: str):
    config = alembic_config(Settings(database_url=empty_database_url))
    command.upgrade(config, "0006")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO issuers (id, slug, name, status_method, created_at) "
                "VALUES (1, 'xq', 'XQ', 'BitstringStatusList', CURRENT_TIMESTAMP)"
            )
        )
        for learner_id, email in LEARNERS:
            connection.execute(
                text(
                    "INSERT INTO learners (id, public_id, issuer_id, email, profile_public, "
                    "created_at) VALUES (:id, :public_id, 1, :email, false, CURRENT_TIMESTAMP)"
                ),
                {"id": learner_id, "public_id": f"p{learner_id}", "email": email},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        emails = dict(connection.execute(text("SELECT id, email FROM learners")).all())
    engine.dispose()
    assert emails == {
        1: "ana.lopez@students.example.org",
        2: "ben@students.example.org",
        3: "Cy@Example.org",
        4: "cy@example.org",
        5: "dee@example.org",
        6: "DEE@example.org",
    }
