"""The 1EdTech revocation list: served for every issuer, named by the credentials of issuers
that chose it, and read by the verifier."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.credentials.schema_validation import validate_against
from tests.api.test_awards_api import award_body, post, verification
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def admin(make_token) -> dict[str, str]:
    return bearer(make_token("admin", covers_descendants=True))


@pytest.fixture
def district(client: TestClient, admin, make_token) -> dict[str, str]:
    """A district whose credentials name the 1EdTech revocation list."""
    response = client.post(
        "/api/v1/issuers",
        json={
            "slug": "d7",
            "name": "District 7",
            "parent": "xq",
            "statusMethod": "1EdTechRevocationList",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["statusMethod"] == "1EdTechRevocationList"
    return bearer(make_token("awards:write awards:read awards:revoke", issuer="d7"))


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


def revoke(client: TestClient, headers: dict[str, str], award: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/awards/{award['id']}/revoke", json={"reason": "entered in error"}, headers=headers
    )
    assert response.status_code == 200, response.text


def revocation_list(client: TestClient, slug: str) -> dict[str, Any]:
    response = client.get(f"/issuers/{slug}/revocations")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=0, must-revalidate"
    body: dict[str, Any] = response.json()
    return body


def test_a_credential_of_such_an_issuer_names_its_revocation_list(client, district):
    credential = post(client, district, award_body()).json()["credential"]
    assert credential["credentialStatus"] == {
        "id": f"{BASE}/issuers/d7/revocations",
        "type": "1EdTechRevocationList",
    }


def test_that_credential_meets_the_ob3_schema(client, district):
    credential = post(client, district, award_body()).json()["credential"]
    assert validate_against(credential, "ob3.achievementcredential") == []


def test_the_list_names_the_issuer_and_is_empty_at_first(client, district):
    credential = post(client, district, award_body()).json()["credential"]
    listed = revocation_list(client, "d7")
    assert listed["id"] == f"{BASE}/issuers/d7/revocations"
    assert listed["issuer"] == credential["issuer"]["id"]
    assert listed["revokedCredentials"] == []


def test_a_revoked_credential_appears_in_the_list_without_its_reason(client, district):
    award = post(client, district, award_body()).json()
    revoke(client, district, award)
    assert revocation_list(client, "d7")["revokedCredentials"] == [
        {"id": award["credential"]["id"], "revoked": True}
    ]


def test_the_verifier_passes_a_credential_not_in_the_list(client, district):
    award = post(client, district, award_body()).json()
    report = verification(client, award["credential"])
    assert report["verified"] is True
    assert report["status"]["outcome"] == "passed"


def test_the_verifier_sees_a_revocation_in_the_list(client, district):
    award = post(client, district, award_body()).json()
    revoke(client, district, award)
    report = verification(client, award["credential"])
    assert report["verified"] is False
    assert report["status"]["code"] == "revoked"
    assert report["proof"]["outcome"] == "passed"


def test_a_bitstring_issuer_has_a_revocation_list_too(client, writer):
    award = post(client, writer, award_body()).json()
    assert award["credential"]["credentialStatus"]["type"] == "BitstringStatusListEntry"
    revoke(client, writer, award)
    listed = revocation_list(client, "xq")["revokedCredentials"]
    assert [item["id"] for item in listed] == [award["credential"]["id"]]


def test_a_superseded_credential_is_listed(client, district):
    old = post(client, district, award_body()).json()
    response = client.post(
        f"/api/v1/awards/{old['id']}/reissue",
        json={"name": "Ana María López", "reason": "name corrected"},
        headers=district,
    )
    assert response.status_code == 201, response.text
    listed = revocation_list(client, "d7")["revokedCredentials"]
    assert [item["id"] for item in listed] == [old["credential"]["id"]]


def test_an_unchanged_list_answers_304_to_its_etag(client, district):
    first = client.get("/issuers/d7/revocations")
    again = client.get("/issuers/d7/revocations", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_a_revocation_changes_the_etag(client, district):
    award = post(client, district, award_body()).json()
    before = client.get("/issuers/d7/revocations").headers["etag"]
    revoke(client, district, award)
    assert client.get("/issuers/d7/revocations").headers["etag"] != before


def test_an_unknown_issuer_has_no_list(client):
    assert_problem(client.get("/issuers/nobody/revocations"), 404, "not-found")


def test_an_unknown_status_method_is_refused(client, admin):
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "d8", "name": "District 8", "parent": "xq", "statusMethod": "CRL"},
        headers=admin,
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["location"] == "$.statusMethod"
