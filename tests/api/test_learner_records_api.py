"""GET /api/v1/learners/{learner}/clr: a learner's current badges as a signed CLR 2.0."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from app.credentials.schema_validation import validate_against
from tests.api.test_awards_api import ANA
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

BO = {"email": "bo.chen@students.example.org", "studentId": "S-2002", "name": "Bo Chen"}


@pytest.fixture
def admin(make_token) -> dict[str, str]:
    return bearer(make_token("admin awards:read", covers_descendants=True))


def clr_of(client: TestClient, headers: dict[str, str], learner: str, **params: str):
    return client.get(f"/api/v1/learners/{learner}/clr", params=params, headers=headers)


def embedded(clr: dict[str, Any]) -> list[dict[str, Any]]:
    return list(clr["credentialSubject"]["verifiableCredential"])


def test_a_clr_embeds_each_current_credential_exactly_as_issued(client, award, reader):
    first = award(achievement="M101")
    second = award(achievement="M102", results=[])
    response = clr_of(client, reader, first["learnerId"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    assert embedded(response.json()) == [first["credential"], second["credential"]]


def test_the_clr_validates_against_the_official_clr_schema(client, award, reader):
    learner = award(achievement="M101")["learnerId"]
    award(achievement="M151", results=[])
    clr = clr_of(client, reader, learner).json()
    assert validate_against(clr, "clr2.clrcredential") == []
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_pathways_are_learning_programs_that_are_parents_of_their_badges(client, award, reader):
    m101 = award(achievement="M101")
    m151 = award(achievement="M151", results=[])
    subject = clr_of(client, reader, m101["learnerId"]).json()["credentialSubject"]
    pathways = {
        item["name"]: item["id"]
        for item in subject["achievement"]
        if item.get("achievementType") == "LearningProgram"
    }
    assert set(pathways) == {"Algebra and Modeling", "Geometry"}
    parents = {
        (item["sourceId"], item["targetId"])
        for item in subject["association"]
        if item["associationType"] == "isParentOf"
    }
    assert parents == {
        (pathways["Algebra and Modeling"], m101["achievement"]["id"]),
        (pathways["Geometry"], m151["achievement"]["id"]),
    }


def test_a_pathway_id_dereferences_to_the_pathway(client, award, reader):
    learner = award(achievement="M101")["learnerId"]
    subject = clr_of(client, reader, learner).json()["credentialSubject"]
    [pathway] = [
        item
        for item in subject["achievement"]
        if item["type"] == ["Achievement"] and item.get("achievementType") == "LearningProgram"
    ]
    response = client.get(pathway["id"].removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200, response.text
    published = response.json()
    assert published["name"] == "Algebra and Modeling"
    assert "M101 Linear Equations" in published["criteria"]["narrative"]


def test_the_cpe_results_travel_inside_the_embedded_credentials(client, award, reader):
    learner = award(results=[{"cpe": "101a", "level": "demonstrated"}])["learnerId"]
    [credential] = embedded(clr_of(client, reader, learner).json())
    assert credential["credentialSubject"]["result"][0]["status"] == "Completed"


def test_the_clr_subject_names_the_learner_without_revealing_the_email(client, award, reader):
    learner = award()["learnerId"]
    subject = clr_of(client, reader, learner).json()["credentialSubject"]
    kinds = {item["identityType"]: item for item in subject["identifier"]}
    assert kinds["emailAddress"]["hashed"] is True
    assert ANA["email"] not in str(subject["identifier"])
    assert kinds["name"]["identityHash"] == "Ana Lopez"


def test_revoked_and_superseded_credentials_are_left_out(client, award, reader, writer):
    kept = award(achievement="M101")
    revoked = award(achievement="M102", results=[])
    replaced = award(achievement="M103", results=[])
    assert (
        client.post(
            f"/api/v1/awards/{revoked['id']}/revoke", json={"reason": "error"}, headers=writer
        ).status_code
        == 200
    )
    reissued = client.post(
        f"/api/v1/awards/{replaced['id']}/reissue",
        json={"reason": "typo", "narrative": "Corrected."},
        headers=writer,
    )
    assert reissued.status_code == 201, reissued.text
    ids = [item["id"] for item in embedded(clr_of(client, reader, kept["learnerId"]).json())]
    assert ids == [kept["publicUrl"], reissued.json()["publicUrl"]]


def test_a_learner_with_no_current_badge_gets_a_clear_404(client, award, reader, writer):
    only = award()
    client.post(f"/api/v1/awards/{only['id']}/revoke", json={"reason": "error"}, headers=writer)
    body = assert_problem(clr_of(client, reader, only["learnerId"]), 404, "no-current-badges")
    assert "at least one credential" in body["detail"]


def test_an_unknown_learner_is_a_404(client, reader):
    assert_problem(clr_of(client, reader, "nobody-here"), 404, "not-found")


def test_the_clr_needs_the_awards_read_scope(client, award, make_token):
    learner = award()["learnerId"]
    writer_only = bearer(make_token("awards:write"))
    assert_problem(clr_of(client, writer_only, learner), 403, "forbidden")


def test_the_clr_verifies_in_the_services_verifier(client, award, reader):
    learner = award(achievement="M101")["learnerId"]
    award(achievement="M102", results=[])
    clr = clr_of(client, reader, learner).json()
    report = client.post("/api/v1/verify", json={"credential": clr}).json()
    assert report["verified"] is True, report["checks"]
    assert report["verdict"] == "valid"
    assert [item["verdict"] for item in report["embedded"]] == ["valid", "valid"]


def test_a_clr_as_vc_jwt_carries_the_same_record(client, award, reader):
    award = award()
    response = clr_of(client, {**reader, "Accept": "application/vc+jwt"}, award["learnerId"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vc+jwt")
    claims = jwt.decode(response.text, options={"verify_signature": False})
    assert claims["type"] == ["VerifiableCredential", "ClrCredential"]
    assert claims["credentialSubject"]["verifiableCredential"] == [award["credential"]]


def test_a_clr_as_vc_jwt_verifies(client, award, reader):
    learner = award()["learnerId"]
    token = clr_of(client, {**reader, "Accept": "application/vc+jwt"}, learner).text
    report = client.post("/api/v1/verify", json={"credential": token}).json()
    assert report["verified"] is True, report["checks"]
    assert report["format"] == "jwt"


def test_a_clr_in_html_is_not_acceptable(client, award, reader):
    learner = award()["learnerId"]
    response = clr_of(client, {**reader, "Accept": "text/html"}, learner)
    assert_problem(response, 406, "not-acceptable")


# -- an organisation tree -----------------------------------------------------------------------


@pytest.fixture
def school(client: TestClient, admin, make_token) -> dict[str, str]:
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "hs-12", "name": "High School 12", "parent": "xq"},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return bearer(make_token("awards:write awards:read awards:revoke", issuer="hs-12"))


def test_the_whole_tree_joins_a_learners_records_by_email(client, award, school, admin):
    at_state = award(achievement="M101")
    at_school = award(headers=school, achievement="M151", results=[])
    assert at_state["learnerId"] != at_school["learnerId"]
    response = clr_of(client, admin, at_state["learnerId"], scope="tree")
    assert response.status_code == 200, response.text
    ids = {item["id"] for item in embedded(response.json())}
    assert ids == {at_state["publicUrl"], at_school["publicUrl"]}


def test_one_issuers_record_leaves_out_the_organisations_under_it(client, award, school, admin):
    at_state = award(achievement="M101")
    award(headers=school, achievement="M151", results=[])
    ids = {item["id"] for item in embedded(clr_of(client, admin, at_state["learnerId"]).json())}
    assert ids == {at_state["publicUrl"]}


def test_a_school_learner_record_can_be_kept_by_the_organisation_above(
    client, award, school, admin
):
    at_school = award(headers=school, achievement="M151", results=[])
    response = clr_of(client, admin, at_school["learnerId"], issuer="xq", scope="tree")
    assert response.status_code == 200, response.text
    clr = response.json()
    assert clr["issuer"]["name"] == "XQ Institute"
    assert [item["id"] for item in embedded(clr)] == [at_school["publicUrl"]]


def test_other_students_are_never_joined(client, award, school, admin):
    at_state = award(achievement="M101")
    award(headers=school, achievement="M151", results=[], recipient=dict(BO))
    ids = {
        item["id"]
        for item in embedded(clr_of(client, admin, at_state["learnerId"], scope="tree").json())
    }
    assert ids == {at_state["publicUrl"]}


def test_a_record_cannot_be_kept_by_an_issuer_below_the_learner(client, award, school, admin):
    learner = award(achievement="M101")["learnerId"]
    response = clr_of(client, admin, learner, issuer="hs-12")
    assert_problem(response, 404, "not-found")


# -- prerequisites ------------------------------------------------------------------------------


def test_a_prerequisite_precedes_the_badge_that_builds_on_it(client, award, make_token, reader):
    from tests.api.test_catalogs_api import SAMPLE, post_catalog

    response = post_catalog(client, make_token("catalog:write"), SAMPLE.read_bytes(), "xq")
    assert response.status_code == 201, response.text
    second = award(achievement="EMC-02", results=[])
    subject = clr_of(client, reader, second["learnerId"]).json()["credentialSubject"]
    [first] = [item for item in subject["achievement"] if item.get("humanCode") == "EMC-01"]
    precedes = [item for item in subject["association"] if item["associationType"] == "precedes"]
    assert [(item["sourceId"], item["targetId"]) for item in precedes] == [
        (first["id"], second["achievement"]["id"])
    ]
