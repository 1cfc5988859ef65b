"""Shared fixtures: real databases (SQLite and PostgreSQL), real keys, the real ASGI app."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.access.clients import create_client
from app.bootstrap import bootstrap
from app.issuer.issuers import get_issuer
from app.main import create_app
from app.migrations import upgrade_to_head
from app.runtime import Runtime
from app.settings import Settings
from tests.helpers import bearer

REPO_ROOT = Path(__file__).resolve().parents[1]
STANDARDS_DIR = REPO_ROOT / "tests" / "standards"
TEMPLATE_DB = "xqb_template"

# Property tests assert behaviour, not speed: on a busy 2-core CI machine Hypothesis's default
# 200 ms deadline fails examples that are merely slow (speed lives in bench/).
hypothesis_settings.register_profile("xqbadges", deadline=None)
hypothesis_settings.load_profile("xqbadges")


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    """The official examples and test vectors kept with the tests (see PROVENANCE.md)."""
    return STANDARDS_DIR


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_to_head(Settings(database_url=f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get("XQB_TEST_POSTGRES_URL")
    if not url:
        pytest.fail(
            "XQB_TEST_POSTGRES_URL is not set: run the suite with `make test`, which starts a "
            "throw-away PostgreSQL server"
        )
    return url


def _admin_engine(server_url: str):  # type: ignore[no-untyped-def]
    return create_engine(server_url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> Iterator[str]:
    admin = _admin_engine(postgres_server_url)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))
        connection.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    url = make_url(postgres_server_url).set(database=TEMPLATE_DB).render_as_string(False)
    upgrade_to_head(Settings(database_url=url))
    yield TEMPLATE_DB
    admin.dispose()


@contextmanager
def _postgres_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """A new database on the test server (a copy of ``template``, or empty), dropped after."""
    name = f"xqb_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(server_url)
    with admin.connect() as connection:
        copy = f" TEMPLATE {template}" if template else ""
        connection.execute(text(f"CREATE DATABASE {name}{copy}"))
    try:
        yield make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, on each backend in turn."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "xqb.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server_url: str = request.getfixturevalue("postgres_server_url")
    template_name: str = request.getfixturevalue("postgres_template")
    with _postgres_database(server_url, template_name) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, on each backend in turn (for migrations, bootstrap)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with _postgres_database(request.getfixturevalue("postgres_server_url")) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        keys_dir=tmp_path / "keys",
        public_base_url="http://127.0.0.1:8000",
        key_passphrase=None,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.from_settings(settings)
    bootstrap(runtime)
    yield runtime
    runtime.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


TokenFactory = Callable[..., str]


@pytest.fixture
def make_token(runtime: Runtime, client: TestClient) -> TokenFactory:
    """Register a real API client for an issuer and get a bearer token through /oauth/token."""

    def factory(
        scopes: str = "awards:write awards:read", issuer: str = "xq", **kwargs: object
    ) -> str:
        with runtime.sessions() as session:
            created = create_client(
                session,
                get_issuer(session, issuer),
                name="test",
                scopes=scopes,
                **kwargs,  # type: ignore[arg-type]
            )
            session.commit()
            client_id, secret = created.client.client_id, created.client_secret
        response = client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    return factory


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[str]:
    """The real app under uvicorn on a free local port, for tests that need real concurrency."""
    import socket
    import threading
    import time

    import uvicorn

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    from app import gcpause

    config = uvicorn.Config(create_app(runtime=runtime), log_level="warning", lifespan="off")
    gcpause.settle()  # as `xqbadges serve` does before serving
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


# -- awarding through the API ---------------------------------------------------------------


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


@pytest.fixture
def award(client: TestClient, writer: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """Award a badge through the API (``award_body`` with changes); the API's answer."""

    from tests.api.test_awards_api import award_body

    def factory(headers: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
        changes.setdefault("sourceAwardId", f"lms-{uuid.uuid4().hex[:12]}")
        response = client.post(
            "/api/v1/awards", json=award_body(**changes), headers=headers or writer
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    return factory


@pytest.fixture
def reader(make_token) -> dict[str, str]:
    return bearer(make_token("awards:read"))


@pytest.fixture
def revoke(client: TestClient, writer: dict[str, str]) -> Callable[[str], None]:
    def revoke_award(uid: str) -> None:
        response = client.post(
            f"/api/v1/awards/{uid}/revoke", json={"reason": "awarded in error"}, headers=writer
        )
        assert response.status_code == 200, response.text

    return revoke_award
