"""The award API: award, retry safely, read the history, list, revoke, reissue."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.credentials.status_list import decode_encoded_list
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

ANA = {"email": "Ana.Lopez@Students.Example.org", "studentId": "S-1001", "name": "Ana Lopez"}


def award_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "achievement": "M101",
        "recipient": dict(ANA),
        "sourceAwardId": "lms-7781",
        "results": [{"cpe": "101a", "level": "demonstrated"}],
        "evidence": [
            {
                "url": "https://portfolio.example.org/ana/ratios",
                "name": "Ratios project",
                "genre": "Project",
            },
            {"url": "https://portfolio.example.org/ana/private", "public": False},
        ],
    }
    body.update(changes)
    return body


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


def post(client, headers, body, **extra_headers):
    return client.post("/api/v1/awards", json=body, headers={**headers, **extra_headers})


def test_an_award_returns_the_signed_credential_and_its_public_url(client, writer):
    response = post(client, writer, award_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "active"
    credential = body["credential"]
    assert credential["id"] == body["publicUrl"]
    assert body["publicUrl"].startswith("http://127.0.0.1:8000/credentials/")
    assert len(body["publicUrl"].rsplit("/", 1)[1]) >= 32
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialSubject"]["achievement"]["humanCode"] == "M101"


def test_the_credential_never_carries_the_plain_email_or_student_id(client, writer):
    text = post(client, writer, award_body()).text.lower()
    assert "ana.lopez@" not in text
    assert "s-1001" not in text


def test_the_recipient_is_a_salted_hash_of_the_lower_cased_email_per_ob3(client, writer):
    import hashlib

    subject = post(client, writer, award_body()).json()["credential"]["credentialSubject"]
    email = next(i for i in subject["identifier"] if i["identityType"] == "emailAddress")
    expected = hashlib.sha256(("ana.lopez@students.example.org" + email["salt"]).encode())
    assert email["identityHash"] == "sha256$" + expected.hexdigest()
    assert email["hashed"] is True


def test_an_email_spelled_in_another_case_names_the_same_learner(client, writer):
    first = post(client, writer, award_body()).json()
    other_spelling = {**ANA, "email": "  ANA.LOPEZ@students.example.ORG "}
    second = post(
        client, writer, award_body(recipient=other_spelling, sourceAwardId="lms-7782")
    ).json()
    assert second["learnerId"] == first["learnerId"]


def test_private_evidence_stays_out_of_the_credential(client, writer):
    credential = post(client, writer, award_body()).json()["credential"]
    assert [item["id"] for item in credential["evidence"]] == [
        "https://portfolio.example.org/ana/ratios"
    ]


def test_the_credential_verifies_and_a_tampered_copy_does_not(client, writer):
    credential = post(client, writer, award_body()).json()["credential"]
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert verified.status_code == 200, verified.text
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["result"][0]["status"] = "InProgress"
    refused = client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert refused.status_code == 400


def test_the_public_url_serves_the_credential(client, writer):
    body = post(client, writer, award_body()).json()
    hosted = client.get(body["publicUrl"].removeprefix("http://127.0.0.1:8000"))
    assert hosted.status_code == 200
    assert hosted.json() == body["credential"]


def test_an_idempotency_key_replays_the_first_answer(client, writer):
    first = post(client, writer, award_body(), **{"Idempotency-Key": "k-1"})
    again = post(client, writer, award_body(), **{"Idempotency-Key": "k-1"})
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_reused_key_with_another_body_is_refused(client, writer):
    post(client, writer, award_body(), **{"Idempotency-Key": "k-2"})
    other = award_body(sourceAwardId="lms-other")
    response = post(client, writer, other, **{"Idempotency-Key": "k-2"})
    assert_problem(response, 422, "idempotency-key-reused")


def test_a_retry_without_a_key_finds_the_award_by_source_id(client, writer):
    first = post(client, writer, award_body()).json()
    again = post(client, writer, award_body())
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]


def test_a_source_id_reused_for_other_content_is_a_conflict(client, writer):
    post(client, writer, award_body())
    response = post(client, writer, award_body(achievement="M102", results=[]))
    assert_problem(response, 409, "source-award-conflict")


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"achievement": "M999"}, "$.achievement"),
        ({"recipient": {"name": "Nobody"}}, "$.recipient"),
        ({"recipient": {"email": "not-an-email"}}, "$.recipient.email"),
        ({"results": [{"cpe": "215z", "level": "demonstrated"}]}, "$.results[0].cpe"),
        ({"evidence": [{"url": "ftp://example.org/x"}]}, "$.evidence[0].url"),
        ({"awardedDate": "1999-12-31T00:00:00Z"}, "$"),
        ({"awardedDate": "2026-01-01T00:00:00"}, "$.awardedDate"),
        ({"validUntil": "2001-01-01T00:00:00Z"}, "$"),
        ({"favouriteColour": "blue"}, "$.favouriteColour"),
    ],
)
def test_bad_awards_are_refused_and_nothing_is_stored(client, writer, change, location):
    response = post(client, writer, award_body(**change))
    body = assert_problem(response, 422, "validation-error")
    assert location in [item["location"] for item in body["errors"]], body
    listed = client.get("/api/v1/awards", headers=writer).json()
    assert listed["awards"] == []


def test_an_achievement_of_another_issuer_is_refused(client, runtime, make_token):
    from app.issuer.issuers import IssuerDraft, create_issuer

    with runtime.sessions() as session:
        create_issuer(session, runtime.keystore, IssuerDraft(slug="other", name="Other State"))
        session.commit()
    other = bearer(make_token("awards:write", issuer="other"))
    response = post(client, other, award_body())
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["location"] == "$.achievement"


def test_a_district_awards_the_badges_of_the_organisation_above_it(client, runtime, make_token):
    from app.issuer.issuers import IssuerDraft, create_issuer

    with runtime.sessions() as session:
        create_issuer(
            session, runtime.keystore, IssuerDraft(slug="d1", name="District 1", parent_slug="xq")
        )
        session.commit()
    district = bearer(make_token("awards:write", issuer="d1"))
    response = post(client, district, award_body())
    assert response.status_code == 201, response.text
    assert response.json()["issuer"] == "d1"


def test_the_award_shows_its_history(client, writer):
    award = post(client, writer, award_body()).json()
    detail = client.get(f"/api/v1/awards/{award['id']}", headers=writer).json()
    assert [event["event"] for event in detail["history"]] == ["issued"]
    assert detail["history"][0]["actor"].startswith("client:")


def test_awards_are_listed_by_learner_and_status(client, writer):
    award = post(client, writer, award_body()).json()
    post(client, writer, award_body(achievement="M102", sourceAwardId="lms-2", results=[]))
    by_learner = client.get(f"/api/v1/learners/{award['learnerId']}/awards", headers=writer)
    assert len(by_learner.json()["awards"]) == 2
    by_code = client.get("/api/v1/awards?achievement=M102", headers=writer).json()
    assert [item["achievement"]["humanCode"] for item in by_code["awards"]] == ["M102"]


def test_listing_pages_with_a_cursor(client, writer):
    for index in range(3):
        post(client, writer, award_body(sourceAwardId=f"lms-{index}"))
    first = client.get("/api/v1/awards?limit=2", headers=writer).json()
    second = client.get(f"/api/v1/awards?limit=2&cursor={first['next']}", headers=writer).json()
    assert len(first["awards"]) == 2
    assert len(second["awards"]) == 1
    assert second["next"] is None


def status_bit(client, credential) -> bool:
    entry = credential["credentialStatus"]
    listed = client.get(entry["statusListCredential"].removeprefix("http://127.0.0.1:8000"))
    assert listed.status_code == 200
    bits = decode_encoded_list(listed.json()["credentialSubject"]["encodedList"])
    return bits.get(int(entry["statusListIndex"]))


def test_revocation_sets_the_bit_in_the_signed_status_list(client, writer):
    award = post(client, writer, award_body()).json()
    assert status_bit(client, award["credential"]) is False
    revoked = client.post(
        f"/api/v1/awards/{award['id']}/revoke", json={"reason": "entered in error"}, headers=writer
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert status_bit(client, award["credential"]) is True


def test_the_status_list_is_signed_by_the_issuer(client, writer):
    award = post(client, writer, award_body()).json()
    url = award["credential"]["credentialStatus"]["statusListCredential"]
    listed = client.get(url.removeprefix("http://127.0.0.1:8000")).json()
    verified = client.post("/credentials/verify", json={"verifiableCredential": listed})
    assert verified.status_code == 200, verified.text
    assert listed["issuer"] == award["credential"]["issuer"]["id"]


def test_a_revoked_award_cannot_be_revoked_again(client, writer):
    award = post(client, writer, award_body()).json()
    path = f"/api/v1/awards/{award['id']}/revoke"
    client.post(path, json={"reason": "error"}, headers=writer)
    again = client.post(path, json={"reason": "error"}, headers=writer)
    assert_problem(again, 409, "award-not-active")


def test_revoking_needs_the_revoke_scope(client, make_token, writer):
    award = post(client, writer, award_body()).json()
    reader = bearer(make_token("awards:read"))
    response = client.post(
        f"/api/v1/awards/{award['id']}/revoke", json={"reason": "x"}, headers=reader
    )
    assert_problem(response, 403, "forbidden")


def test_reissue_supersedes_the_old_award(client, writer):
    old = post(client, writer, award_body()).json()
    response = client.post(
        f"/api/v1/awards/{old['id']}/reissue",
        json={"name": "Ana María López", "reason": "name corrected"},
        headers=writer,
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["replaces"] == old["id"]
    assert new["credential"]["id"] != old["credential"]["id"]
    detail = client.get(f"/api/v1/awards/{old['id']}", headers=writer).json()
    assert detail["status"] == "superseded"
    assert detail["supersededBy"] == new["id"]
    assert [event["event"] for event in detail["history"]] == ["issued", "superseded"]
    assert status_bit(client, old["credential"]) is True


def verification(client, credential) -> dict[str, Any]:
    response = client.post("/credentials/verify", json={"verifiableCredential": credential})
    return {check["check"]: check for check in response.json()["report"]} | {
        "verified": response.json()["verified"]
    }


def test_the_verifier_reads_the_status_list(client, writer):
    award = post(client, writer, award_body()).json()
    before = verification(client, award["credential"])
    assert before["verified"] is True
    assert before["status"]["outcome"] == "passed"


def test_the_verifier_sees_a_revocation(client, writer):
    award = post(client, writer, award_body()).json()
    client.post(f"/api/v1/awards/{award['id']}/revoke", json={"reason": "error"}, headers=writer)
    after = verification(client, award["credential"])
    assert after["verified"] is False
    assert after["status"]["code"] == "revoked"
    assert after["proof"]["outcome"] == "passed"


def test_a_database_that_is_down_gives_503(settings):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.runtime import Runtime

    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://xqb@127.0.0.1:9/nothing?connect_timeout=2"}
    )
    runtime = Runtime.from_settings(down)
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as http:
        response = http.post("/api/v1/awards", json=award_body(), headers=bearer("x" * 43))
    runtime.engine.dispose()
    assert_problem(response, 503, "unavailable")
