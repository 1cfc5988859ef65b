"""The verifier and CLR 2.0: the record's own proof, then every credential it carries."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_learner_records_api import clr_of
from tests.interop.digitalbazaar import Node, node_runner


@pytest.fixture(scope="module")
def node() -> Node:
    return node_runner()


def verify(client: TestClient, credential: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json={"credential": credential})
    assert response.status_code == 200, response.text
    return dict(response.json())


def check(report: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [item for item in report["checks"] if item["check"] == name]
    return found


@pytest.fixture
def two_badges(client, award, reader) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A CLR of two awards, and the awards."""
    awards = [award(achievement="M101"), award(achievement="M102", results=[])]
    response = clr_of(client, reader, awards[0]["learnerId"])
    assert response.status_code == 200, response.text
    return response.json(), awards


def test_a_clr_passes_the_clr_schema_check(client, two_badges):
    clr, _awards = two_badges
    assert check(verify(client, clr), "schema")["message"] == "valid against the CLR 2.0 schema"


def test_each_embedded_credential_is_checked_against_the_records(client, two_badges):
    clr, _awards = two_badges
    report = verify(client, clr)
    for inner in report["embedded"]:
        assert check(inner, "records")["outcome"] == "passed"


def test_a_revoked_credential_inside_a_clr_makes_the_clr_fail(client, two_badges, writer):
    clr, awards = two_badges
    response = client.post(
        f"/api/v1/awards/{awards[1]['id']}/revoke", json={"reason": "error"}, headers=writer
    )
    assert response.status_code == 200, response.text
    report = verify(client, clr)
    assert report["verified"] is False
    assert report["verdict"] == "revoked"
    assert check(report, "proof")["outcome"] == "passed"
    assert check(report, "embedded")["code"] == "embedded_revoked"
    assert [inner["verdict"] for inner in report["embedded"]] == ["valid", "revoked"]


def test_a_changed_embedded_credential_breaks_the_clr_signature(client, two_badges):
    clr, _awards = two_badges
    changed = copy.deepcopy(clr)
    inner = changed["credentialSubject"]["verifiableCredential"][0]
    inner["credentialSubject"]["result"][0]["status"] = "InProgress"
    report = verify(client, changed)
    assert report["verdict"] == "invalid"
    assert check(report, "proof")["outcome"] == "failed"
    assert report["embedded"][0]["verdict"] == "invalid"
    assert check(report, "embedded")["code"] == "embedded_invalid"


def test_a_clr_with_too_many_credentials_is_not_unpacked(client, two_badges):
    clr, _awards = two_badges
    crowded = copy.deepcopy(clr)
    first = crowded["credentialSubject"]["verifiableCredential"][0]
    crowded["credentialSubject"]["verifiableCredential"] = [first] * 65
    report = verify(client, crowded)
    assert check(report, "embedded")["code"] == "too_many_credentials"
    assert report["embedded"] == []


def test_our_clr_verifies_in_digital_bazaars_verifier(node: Node, two_badges):
    clr, _awards = two_badges
    verdict = node("verify", {"credential": clr})
    assert verdict["verified"] is True, verdict["error"]


def test_a_tampered_clr_fails_in_digital_bazaars_verifier(node: Node, two_badges):
    clr, _awards = two_badges
    changed = copy.deepcopy(clr)
    changed["name"] = "Learner record from somebody else"
    assert node("verify", {"credential": changed})["verified"] is False


def test_the_verify_page_lists_each_credential_of_a_pasted_clr(client, two_badges, writer):
    clr, awards = two_badges
    client.post(f"/api/v1/awards/{awards[1]['id']}/revoke", json={"reason": "x"}, headers=writer)
    response = client.post("/verify", data={"credential": json.dumps(clr)})
    assert response.status_code == 200, response.text
    assert 'data-verdict="revoked"' in response.text
    verdicts = re.findall(r'data-embedded-verdict="([a-z-]+)"', response.text)
    assert verdicts == ["valid", "revoked"]
    assert "Credentials in this record" in response.text
