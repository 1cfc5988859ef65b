"""OAuth 2.0 client-credentials tokens and the refusals around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.access.clients import NewClient, create_client
from app.issuer.issuers import get_issuer
from app.runtime import Runtime
from app.store.models import AccessToken
from tests.api.test_problems import assert_problem
from tests.helpers import bearer


@pytest.fixture
def registered(runtime: Runtime) -> NewClient:
    with runtime.sessions() as session:
        created = create_client(
            session, get_issuer(session, "xq"), name="lms", scopes="awards:write catalog:write"
        )
        session.commit()
    return created


def test_basic_authentication_yields_a_bearer_token(
    client: TestClient, registered: NewClient
) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(registered.client.client_id, registered.client_secret),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "awards:write catalog:write"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 40
    assert response.headers["cache-control"] == "no-store"


def test_form_fields_authenticate_too(client: TestClient, registered: NewClient) -> None:
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered.client.client_id,
            "client_secret": registered.client_secret,
        },
    )
    assert response.status_code == 200


def test_requested_scope_narrows_the_token(client: TestClient, registered: NewClient) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "catalog:write"},
        auth=(registered.client.client_id, registered.client_secret),
    )
    assert response.json()["scope"] == "catalog:write"


def test_scope_beyond_the_client_is_refused(client: TestClient, registered: NewClient) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "admin"},
        auth=(registered.client.client_id, registered.client_secret),
    )
    assert_problem(response, 403, "forbidden")


def test_wrong_secret_is_a_401_problem(client: TestClient, registered: NewClient) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(registered.client.client_id, "wrong"),
    )
    assert_problem(response, 401, "unauthenticated")
    assert "www-authenticate" in response.headers


def test_other_grant_types_are_refused(client: TestClient, registered: NewClient) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "password"},
        auth=(registered.client.client_id, registered.client_secret),
    )
    assert_problem(response, 400, "unsupported-grant-type")


def test_the_secret_is_stored_only_as_a_hash(runtime: Runtime, registered: NewClient) -> None:
    with runtime.sessions() as session:
        stored = session.get(type(registered.client), registered.client.id)
        assert stored is not None
        assert registered.client_secret not in stored.secret_hash


def test_missing_token_is_a_401_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/issuers"), 401, "unauthenticated")


def test_unknown_token_is_a_401_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/issuers", headers=bearer("made-up")), 401, "unauthenticated")


def test_expired_token_is_a_401_problem(client: TestClient, runtime: Runtime, make_token) -> None:
    token = make_token("awards:read")
    with runtime.sessions() as session:
        session.execute(
            update(AccessToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    body = assert_problem(
        client.get("/api/v1/issuers", headers=bearer(token)), 401, "unauthenticated"
    )
    assert "expired" in body["detail"]


def test_token_without_the_scope_is_a_403_problem(client: TestClient, make_token) -> None:
    response = client.post(
        "/api/v1/catalogs?issuer=xq",
        content=b"{}",
        headers={**bearer(make_token("awards:read")), "content-type": "application/json"},
    )
    body = assert_problem(response, 403, "forbidden")
    assert "catalog:write" in body["detail"]


# -- RFC 6749 §5.2 error members --------------------------------------------------------------


def _token_response(client: TestClient, registered: NewClient, **data: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **data},
        auth=(registered.client.client_id, registered.client_secret),
    )


def test_a_wrong_secret_names_invalid_client_and_basic(
    client: TestClient, registered: NewClient
) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(registered.client.client_id, "wrong"),
    )
    body = assert_problem(response, 401, "unauthenticated")
    assert body["error"] == "invalid_client"
    assert body["error_description"] == body["detail"]
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert response.headers["cache-control"] == "no-store"


def test_malformed_basic_credentials_are_invalid_client(client: TestClient) -> None:
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic !!!"},
    )
    assert assert_problem(response, 401, "unauthenticated")["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_an_unsupported_grant_names_unsupported_grant_type(
    client: TestClient, registered: NewClient
) -> None:
    response = _token_response(client, registered, grant_type="password")
    body = assert_problem(response, 400, "unsupported-grant-type")
    assert body["error"] == "unsupported_grant_type"


def test_a_missing_grant_type_is_invalid_request(client: TestClient, registered: NewClient) -> None:
    response = client.post(
        "/oauth/token", data={}, auth=(registered.client.client_id, registered.client_secret)
    )
    assert assert_problem(response, 400, "invalid-request")["error"] == "invalid_request"


def test_a_scope_beyond_the_client_names_invalid_scope(
    client: TestClient, registered: NewClient
) -> None:
    response = _token_response(client, registered, scope="admin")
    assert assert_problem(response, 403, "forbidden")["error"] == "invalid_scope"


def test_differing_client_ids_are_invalid_request(
    client: TestClient, registered: NewClient
) -> None:
    response = _token_response(client, registered, client_id="xqb_someone_else")
    assert assert_problem(response, 400, "invalid-request")["error"] == "invalid_request"


# -- revocation (RFC 7009) ---------------------------------------------------------------------


def _issue(client: TestClient, registered: NewClient) -> str:
    response = _token_response(client, registered)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _revoke(client: TestClient, registered: NewClient, token: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/oauth/revoke",
        data={"token": token, **data},
        auth=(registered.client.client_id, registered.client_secret),
    )


def test_a_revoked_token_gets_401(client: TestClient, registered: NewClient) -> None:
    token = _issue(client, registered)
    assert client.get("/api/v1/issuers", headers=bearer(token)).status_code == 200
    response = _revoke(client, registered, token, token_type_hint="access_token")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["cache-control"] == "no-store"
    assert_problem(client.get("/api/v1/issuers", headers=bearer(token)), 401, "unauthenticated")


def test_revocation_accepts_form_credentials(client: TestClient, registered: NewClient) -> None:
    token = _issue(client, registered)
    response = client.post(
        "/oauth/revoke",
        data={
            "token": token,
            "client_id": registered.client.client_id,
            "client_secret": registered.client_secret,
        },
    )
    assert response.status_code == 200
    assert_problem(client.get("/api/v1/issuers", headers=bearer(token)), 401, "unauthenticated")


def test_revoking_an_unknown_or_revoked_token_answers_200(
    client: TestClient, registered: NewClient
) -> None:
    token = _issue(client, registered)
    assert _revoke(client, registered, token).status_code == 200
    assert _revoke(client, registered, token).status_code == 200
    assert _revoke(client, registered, "never-issued").status_code == 200


def test_a_token_of_another_client_is_not_revoked(
    client: TestClient, registered: NewClient, make_token
) -> None:
    others = make_token("awards:read")
    response = _revoke(client, registered, others)
    assert response.status_code == 200
    assert client.get("/api/v1/issuers", headers=bearer(others)).status_code == 200


def test_revocation_with_a_wrong_secret_is_invalid_client(
    client: TestClient, registered: NewClient
) -> None:
    token = _issue(client, registered)
    response = client.post(
        "/oauth/revoke", data={"token": token}, auth=(registered.client.client_id, "wrong")
    )
    assert assert_problem(response, 401, "unauthenticated")["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert client.get("/api/v1/issuers", headers=bearer(token)).status_code == 200


def test_revocation_without_a_token_is_invalid_request(
    client: TestClient, registered: NewClient
) -> None:
    response = client.post(
        "/oauth/revoke", data={}, auth=(registered.client.client_id, registered.client_secret)
    )
    assert assert_problem(response, 400, "invalid-request")["error"] == "invalid_request"
