"""Liveness and readiness."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.runtime import Runtime
from app.store.repositories import KeyRepository
from tests.api.test_problems import assert_problem


def test_healthz_answers_while_the_process_lives(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_after_bootstrap(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_refuses_when_a_key_file_is_readable_by_others(
    client: TestClient, runtime: Runtime
) -> None:
    with runtime.sessions() as session:
        key = KeyRepository(session).all()[0]
    (runtime.settings.keys_dir / key.private_key_file).chmod(0o644)
    body = assert_problem(client.get("/readyz"), 503, "unavailable")
    assert "chmod 600" in body["detail"]


def test_readyz_refuses_when_a_key_file_is_missing(client: TestClient, runtime: Runtime) -> None:
    with runtime.sessions() as session:
        key = KeyRepository(session).all()[0]
    (runtime.settings.keys_dir / key.private_key_file).unlink()
    body = assert_problem(client.get("/readyz"), 503, "unavailable")
    assert "missing" in body["detail"]


def test_readyz_refuses_when_migrations_are_behind(client: TestClient, runtime: Runtime) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    body = assert_problem(client.get("/readyz"), 503, "unavailable")
    assert "expected" in body["detail"]
