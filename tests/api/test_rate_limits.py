"""Rate limits on verification, public pages and token issuance: 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.access.clients import create_client
from app.bootstrap import bootstrap
from app.issuer.issuers import get_issuer
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.api.test_problems import assert_problem

LIMITED = {
    "rate_limit_verify": "3/minute",
    "rate_limit_pages": "4/minute",
    "rate_limit_token": "2/minute",
}
GARBAGE = {"credential": "not a credential"}


@pytest.fixture
def limited_app(settings: Settings) -> Iterator[tuple[FastAPI, Runtime]]:
    runtime = Runtime.from_settings(settings.model_copy(update=LIMITED))
    bootstrap(runtime)
    yield create_app(runtime=runtime), runtime
    runtime.close()


@pytest.fixture
def from_address(limited_app) -> Iterator[Callable[[str], TestClient]]:
    app, _ = limited_app
    opened: list[TestClient] = []

    def open_client(address: str) -> TestClient:
        client = TestClient(app, client=(address, 50000))
        opened.append(client.__enter__())
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)


def test_verification_past_the_limit_is_429_with_retry_after(from_address):
    client = from_address("203.0.113.5")
    for _ in range(3):
        assert client.post("/api/v1/verify", json=GARBAGE).status_code == 200
    response = client.post("/api/v1/verify", json=GARBAGE)
    assert_problem(response, 429, "rate-limited")
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_the_verify_page_and_the_vc_api_count_as_verification(from_address):
    client = from_address("203.0.113.6")
    client.post("/api/v1/verify", json=GARBAGE)
    client.post("/credentials/verify", json={"verifiableCredential": {}})
    client.post("/verify", data={"credential": "not a credential"})
    assert_problem(client.post("/api/v1/verify", json=GARBAGE), 429, "rate-limited")


def test_another_address_keeps_its_own_allowance(from_address):
    busy, other = from_address("203.0.113.7"), from_address("198.51.100.9")
    for _ in range(4):
        busy.post("/api/v1/verify", json=GARBAGE)
    assert busy.post("/api/v1/verify", json=GARBAGE).status_code == 429
    assert other.post("/api/v1/verify", json=GARBAGE).status_code == 200


def test_public_pages_are_limited_per_address(from_address):
    client = from_address("203.0.113.8")
    for _ in range(4):
        assert client.get("/credentials/no-such-token").status_code == 404
    assert_problem(client.get("/credentials/no-such-token"), 429, "rate-limited")


def test_token_issuance_is_limited_per_client_id_across_addresses(from_address, limited_app):
    _, runtime = limited_app
    with runtime.sessions() as session:
        created = create_client(session, get_issuer(session, "xq"), name="t", scopes="awards:read")
        session.commit()
        credentials = (created.client.client_id, created.client_secret)
    grant = {"grant_type": "client_credentials"}
    for address in ("203.0.113.10", "203.0.113.11"):
        response = from_address(address).post("/oauth/token", data=grant, auth=credentials)
        assert response.status_code == 200
    response = from_address("203.0.113.12").post("/oauth/token", data=grant, auth=credentials)
    assert_problem(response, 429, "rate-limited")


def test_the_authenticated_api_is_not_limited_by_these_settings(from_address):
    client = from_address("203.0.113.13")
    for _ in range(6):
        assert client.get("/api/v1/awards").status_code == 401


def test_limits_can_be_turned_off(settings: Settings):
    runtime = Runtime.from_settings(
        settings.model_copy(update={**LIMITED, "rate_limits_enabled": False})
    )
    bootstrap(runtime)
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            for _ in range(5):
                assert client.post("/api/v1/verify", json=GARBAGE).status_code == 200
    finally:
        runtime.close()


def test_a_limit_that_cannot_be_read_is_refused():
    with pytest.raises(ValidationError, match="is not a rate limit"):
        Settings(rate_limit_verify="sixty a minute")
