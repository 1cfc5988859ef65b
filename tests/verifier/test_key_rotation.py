"""Credentials signed before a key rotation keep verifying, on both kinds of instance.

On an http (development) instance an issuer is the did:key of its current key, so a rotation
gives it a new DID; its earlier credentials name the old did:key, and their status lists must
still be accepted as the issuer's (signed, since the rotation, by the new key). On an https
instance the did:web stays and lists every key. Revoking an earlier credential after the
rotation still shows it revoked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import bootstrap
from app.issuer.issuers import get_issuer, rotate_keys
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from tests.api.test_awards_api import award_body
from tests.helpers import bearer


def _rotate(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        rotate_keys(session, runtime.keystore, get_issuer(session, "xq"))
        session.commit()


def _award(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/awards", json=award_body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _verify(client: TestClient, credential: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json={"credential": credential})
    assert response.status_code == 200, response.text
    return response.json()


def _outcomes(result: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {check["check"]: (check["outcome"], check.get("code")) for check in result["checks"]}


@pytest.fixture
def https_client(settings: Settings) -> Iterator[tuple[TestClient, Runtime]]:
    runtime = Runtime.from_settings(
        settings.model_copy(update={"public_base_url": "https://badges.example.org"})
    )
    bootstrap(runtime)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client, runtime
    runtime.close()


def _rotation_keeps_credentials(client: TestClient, runtime: Runtime, token: str) -> None:
    headers = bearer(token)
    before = _award(client, headers, sourceAwardId="before-1")
    revoked_later = _award(client, headers, sourceAwardId="before-2")
    jwt_before = client.get(
        urlsplit(before["publicUrl"]).path, headers={"Accept": "application/vc+jwt"}
    ).text
    _rotate(runtime)
    after = _award(client, headers, sourceAwardId="after-1")

    for credential in (before["credential"], jwt_before, after["credential"]):
        result = _verify(client, credential)
        assert (result["verdict"], result["verified"]) == ("valid", True), result["checks"]
        assert _outcomes(result)["status"] == ("passed", None)

    response = client.post(
        f"/api/v1/awards/{revoked_later['id']}/revoke",
        json={"reason": "recorded for the wrong student"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    result = _verify(client, revoked_later["credential"])
    assert result["verdict"] == "revoked", result["checks"]
    assert _outcomes(result)["status"] == ("failed", "revoked")
    assert _outcomes(result)["proof"] == ("passed", None)


def test_a_did_key_instance_keeps_verifying_credentials_signed_before_a_rotation(
    client, runtime, make_token
):
    issuer_before = client.get("/issuers/xq").json()["id"]
    _rotation_keeps_credentials(client, runtime, make_token("awards:write awards:revoke"))
    assert client.get("/issuers/xq").json()["id"] != issuer_before


def test_a_did_web_instance_keeps_verifying_credentials_signed_before_a_rotation(
    https_client, make_token
):
    client, runtime = https_client
    token = make_token("awards:write awards:revoke")
    _rotation_keeps_credentials(client, runtime, token)
