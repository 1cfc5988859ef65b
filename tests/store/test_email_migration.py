"""Migration 0007 gives learner emails the one spelling that is hashed, without merging anyone."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.migrations import alembic_config
from app.settings import Settings
from app.store.db import make_engine

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
