"""Changes after issuing: expiry recorded by the sweep, evidence replaced by a new credential."""

from __future__ import annotations

from typing import Any

import pytest

from app.awards.expiry import expire_due
from tests.api.test_awards_api import award_body, post, verification
from tests.api.test_problems import assert_problem
from tests.helpers import bearer

LONG_AGO = {"awardedDate": "2020-05-01T00:00:00Z", "validUntil": "2021-05-01T00:00:00Z"}
NEW_EVIDENCE = [
    {"url": "https://portfolio.example.org/ana/revised", "name": "Revised ratios project"},
    {"url": "https://portfolio.example.org/ana/draft", "public": False},
]


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


def sweep(runtime) -> int:
    return expire_due(runtime.sessions, runtime.settings, runtime.private_keys)


def detail(client, headers, award: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/v1/awards/{award['id']}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_sweep_marks_an_award_past_its_valid_until_expired(client, runtime, writer):
    award = post(client, writer, award_body(**LONG_AGO)).json()
    assert sweep(runtime) == 1
    assert detail(client, writer, award)["status"] == "expired"


def test_the_expiry_is_an_event_by_the_system(client, runtime, writer):
    award = post(client, writer, award_body(**LONG_AGO)).json()
    sweep(runtime)
    history = detail(client, writer, award)["history"]
    assert [(event["event"], event["actor"]) for event in history][-1] == ("expired", "system")


def test_a_second_sweep_records_nothing_more(client, runtime, writer):
    award = post(client, writer, award_body(**LONG_AGO)).json()
    sweep(runtime)
    assert sweep(runtime) == 0
    events = [event["event"] for event in detail(client, writer, award)["history"]]
    assert events == ["issued", "expired"]


def test_an_award_still_valid_is_left_alone(client, runtime, writer):
    award = post(client, writer, award_body(validUntil="2099-01-01T00:00:00Z")).json()
    assert sweep(runtime) == 0
    assert detail(client, writer, award)["status"] == "active"


def test_expired_awards_are_listed_by_status(client, runtime, writer):
    award = post(client, writer, award_body(**LONG_AGO)).json()
    post(client, writer, award_body(sourceAwardId="lms-2"))
    sweep(runtime)
    listed = client.get("/api/v1/awards?status=expired", headers=writer).json()["awards"]
    assert [item["id"] for item in listed] == [award["id"]]


def test_an_expired_credential_is_expired_not_revoked(client, runtime, writer):
    award = post(client, writer, award_body(**LONG_AGO)).json()
    sweep(runtime)
    report = verification(client, award["credential"])
    assert report["validity"]["code"] == "expired"
    assert report["status"]["outcome"] == "passed"
    assert report["proof"]["outcome"] == "passed"


def test_an_expired_award_cannot_be_revoked(client, runtime, writer):
    award = post(client, writer, award_body(**LONG_AGO)).json()
    sweep(runtime)
    response = client.post(
        f"/api/v1/awards/{award['id']}/revoke", json={"reason": "late"}, headers=writer
    )
    assert_problem(response, 409, "award-not-active")


def put_evidence(client, headers, award: dict[str, Any], evidence: list[dict[str, Any]]):
    return client.put(
        f"/api/v1/awards/{award['id']}/evidence",
        json={"evidence": evidence, "reason": "student revised the project"},
        headers=headers,
    )


def test_new_evidence_is_a_new_credential_with_that_evidence(client, writer):
    old = post(client, writer, award_body()).json()
    response = put_evidence(client, writer, old, NEW_EVIDENCE)
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["replaces"] == old["id"]
    assert [item["id"] for item in new["credential"]["evidence"]] == [NEW_EVIDENCE[0]["url"]]


def test_the_old_credential_is_superseded_by_the_evidence_update(client, writer):
    old = post(client, writer, award_body()).json()
    new = put_evidence(client, writer, old, NEW_EVIDENCE).json()
    body = detail(client, writer, old)
    assert body["status"] == "superseded"
    assert body["supersededBy"] == new["id"]


def test_the_update_is_recorded_as_an_evidence_event(client, writer):
    old = post(client, writer, award_body()).json()
    new = put_evidence(client, writer, old, NEW_EVIDENCE).json()
    [event] = detail(client, writer, new)["history"]
    assert event["event"] == "evidence-updated"
    assert event["details"]["changed"] == ["evidence"]
    assert event["details"]["replaces"] == old["id"]
    assert event["details"]["reason"] == "student revised the project"


def test_evidence_that_is_not_a_web_link_is_refused_and_nothing_changes(client, writer):
    old = post(client, writer, award_body()).json()
    response = put_evidence(client, writer, old, [{"url": "file:///etc/passwd"}])
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["location"] == "$.evidence[0].url"
    assert detail(client, writer, old)["status"] == "active"


def test_updating_evidence_needs_the_write_scope(client, make_token, writer):
    old = post(client, writer, award_body()).json()
    reader = bearer(make_token("awards:read"))
    assert_problem(put_evidence(client, reader, old, NEW_EVIDENCE), 403, "forbidden")
