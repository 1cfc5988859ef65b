"""GET /api/v1/learners/{learner}/transcript: one row per current badge, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.records.transcripts import COLUMN_NAMES
from tests.api.test_awards_api import ANA
from tests.api.test_problems import assert_problem


@pytest.fixture
def badges(award, writer) -> dict[str, dict[str, Any]]:
    """M101 (one CPE demonstrated, one not yet), M151, and a revoked M102, all to Ana."""
    awarded = {
        "M101": award(
            results=[
                {"cpe": "101a", "level": "demonstrated"},
                {"cpe": "101b", "level": "not-yet"},
            ]
        ),
        "M151": award(achievement="M151", results=[]),
        "M102": award(achievement="M102", results=[]),
    }
    return awarded


@pytest.fixture
def revoked(client: TestClient, badges, writer) -> dict[str, dict[str, Any]]:
    response = client.post(
        f"/api/v1/awards/{badges['M102']['id']}/revoke", json={"reason": "error"}, headers=writer
    )
    assert response.status_code == 200, response.text
    return badges


def transcript(client: TestClient, headers: dict[str, str], learner: str, accept: str):
    return client.get(
        f"/api/v1/learners/{learner}/transcript", headers={**headers, "Accept": accept}
    )


def test_the_json_export_lists_current_badges_by_pathway(client, revoked, reader):
    learner = revoked["M101"]["learnerId"]
    response = transcript(client, reader, learner, "application/json")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [row["badgeCode"] for row in body["badges"]] == ["M101", "M151"]
    assert body["badges"][0]["pathway"] == "Algebra and Modeling"


def test_the_json_export_spells_out_the_cpe_results(client, revoked, reader):
    learner = revoked["M101"]["learnerId"]
    row = transcript(client, reader, learner, "application/json").json()["badges"][0]
    assert row["cpesDemonstrated"] == ["101a"]
    assert row["cpesInProgress"] == ["101b"]
    assert row["cpes"][0]["text"].startswith("Reason about and solve")
    assert row["cpeCount"] == 4


def test_the_csv_export_has_the_documented_columns(client, revoked, reader):
    learner = revoked["M101"]["learnerId"]
    response = transcript(client, reader, learner, "text/csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == COLUMN_NAMES
    assert [row["badgeCode"] for row in rows] == ["M101", "M151"]


def test_a_csv_row_carries_what_a_student_information_system_matches_on(
    client,
    revoked,
    reader,
):
    learner = revoked["M101"]["learnerId"]
    [first, _second] = csv.DictReader(
        io.StringIO(transcript(client, reader, learner, "text/csv").text)
    )
    assert first["studentId"] == ANA["studentId"]
    assert first["cpesDemonstrated"] == "101a"
    assert first["cpesInProgress"] == "101b"
    assert first["credentialUrl"] == revoked["M101"]["publicUrl"]
    assert first["awardedDate"] == revoked["M101"]["awardedDate"][:10]


def test_each_row_links_to_a_one_click_verification(client, revoked, reader):
    learner = revoked["M101"]["learnerId"]
    row = transcript(client, reader, learner, "application/json").json()["badges"][0]
    page = client.get(row["verifyUrl"].removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert 'data-verdict="valid"' in page.text


def test_a_learner_with_no_current_badge_has_an_empty_transcript(
    client,
    award,
    reader,
    writer,
):
    only = award()
    client.post(f"/api/v1/awards/{only['id']}/revoke", json={"reason": "x"}, headers=writer)
    body = transcript(client, reader, only["learnerId"], "application/json").json()
    assert body["badges"] == []
    rows = transcript(client, reader, only["learnerId"], "text/csv").text.splitlines()
    assert rows == [",".join(COLUMN_NAMES)]


def test_a_transcript_in_another_format_is_not_acceptable(client, revoked, reader):
    response = transcript(client, reader, revoked["M101"]["learnerId"], "application/pdf")
    assert_problem(response, 406, "not-acceptable")


def test_a_transcript_of_an_unknown_learner_is_a_404(client, reader):
    assert_problem(transcript(client, reader, "nobody", "text/csv"), 404, "not-found")
