"""Award many: validated as a whole, issued row by row, large batches as jobs."""

from __future__ import annotations

import time

import pytest

from tests.api.test_awards_api import award_body
from tests.api.test_problems import assert_problem
from tests.helpers import bearer


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read"))


def rows(count: int, **changes) -> list[dict]:
    return [
        award_body(
            recipient={"studentId": f"S-{index}", "name": f"Student {index}"},
            sourceAwardId=f"batch-{index}",
            **changes,
        )
        for index in range(count)
    ]


def test_a_small_batch_answers_per_row(client, writer):
    response = client.post("/api/v1/awards/batch", json={"awards": rows(3)}, headers=writer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"] == {"issued": 3, "alreadyIssued": 0, "failed": 0}
    assert [row["index"] for row in body["results"]] == [0, 1, 2]


def test_bad_rows_are_reported_by_index_and_good_rows_issued(client, writer):
    batch = rows(3)
    batch[1]["achievement"] = "M999"
    batch[2]["recipient"] = {}
    body = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=writer).json()
    assert body["summary"] == {"issued": 1, "alreadyIssued": 0, "failed": 2}
    assert body["results"][1]["errors"][0]["location"] == "$.awards[1].achievement"
    assert body["results"][2]["errors"][0]["location"].startswith("$.awards[2].recipient")


def test_all_or_nothing_issues_nothing_when_a_row_is_bad(client, writer):
    batch = rows(3)
    batch[2]["results"] = [{"cpe": "999x", "level": "demonstrated"}]
    response = client.post(
        "/api/v1/awards/batch", json={"awards": batch, "allOrNothing": True}, headers=writer
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["location"] == "$.awards[2].results[0].cpe"
    assert client.get("/api/v1/awards", headers=writer).json()["awards"] == []


def test_a_resent_batch_doubles_nothing(client, writer):
    first = client.post("/api/v1/awards/batch", json={"awards": rows(3)}, headers=writer).json()
    again = client.post("/api/v1/awards/batch", json={"awards": rows(3)}, headers=writer).json()
    assert again["summary"] == {"issued": 0, "alreadyIssued": 3, "failed": 0}
    assert [row["id"] for row in again["results"]] == [row["id"] for row in first["results"]]


def wait_for_job(client, headers, url: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(url, headers=headers).json()
        if job["status"] == "done":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_a_large_batch_runs_as_a_job(client, writer):
    response = client.post(
        "/api/v1/awards/batch",
        json={"awards": rows(150)},
        headers={**writer, "Idempotency-Key": "big-1"},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, writer, response.json()["url"])
    assert job["summary"] == {"issued": 150, "alreadyIssued": 0, "failed": 0}
    listed = client.get("/api/v1/awards?limit=200", headers=writer).json()["awards"]
    assert len(listed) == 150


def test_a_resent_job_with_its_key_is_the_same_job(client, writer):
    headers = {**writer, "Idempotency-Key": "big-2"}
    first = client.post("/api/v1/awards/batch", json={"awards": rows(120)}, headers=headers)
    again = client.post("/api/v1/awards/batch", json={"awards": rows(120)}, headers=headers)
    assert again.json()["id"] == first.json()["id"]
    wait_for_job(client, writer, first.json()["url"])


def test_a_batch_over_the_limit_is_refused(client, writer):
    response = client.post("/api/v1/awards/batch", json={"awards": [{}] * 10_001}, headers=writer)
    assert_problem(response, 422, "validation-error")


def test_one_new_learner_named_by_two_rows_is_one_learner(client, writer):
    batch = rows(2)
    batch[1]["recipient"] = dict(batch[0]["recipient"])
    body = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=writer).json()
    assert body["summary"]["issued"] == 2
    awards = client.get("/api/v1/awards", headers=writer).json()["awards"]
    assert len({award["learnerId"] for award in awards}) == 1


def test_a_row_whose_identifiers_name_two_learners_fails_alone(client, writer):
    batch = rows(3)
    batch[2]["recipient"] = {"studentId": "S-0", "email": "someone@students.example.org"}
    batch[2]["sourceAwardId"] = "batch-2"
    setup = [award_body(recipient={"email": "someone@students.example.org"}, sourceAwardId="setup")]
    client.post("/api/v1/awards/batch", json={"awards": setup}, headers=writer)
    body = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=writer).json()
    assert body["summary"] == {"issued": 2, "alreadyIssued": 0, "failed": 1}
    assert body["results"][2]["errors"][0]["location"] == "$.awards[2].recipient"


def test_a_row_repeated_in_one_batch_is_issued_once(client, writer):
    batch = rows(2)
    batch.append(dict(batch[0]))
    body = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=writer).json()
    assert [row["status"] for row in body["results"]] == [201, 201, 200]
    assert body["results"][2]["id"] == body["results"][0]["id"]


@pytest.mark.parametrize("all_or_nothing", [False, True])
def test_a_batch_of_10000_invalid_rows_is_refused_with_every_problem_counted(
    client, writer, all_or_nothing
):
    batch = rows(10_000, results=[{"cpe": "999x", "level": "demonstrated"}])
    batch[7]["results"] = [{"cpe": cpe, "level": "demonstrated"} for cpe in ("998x", "999x")]
    response = client.post(
        "/api/v1/awards/batch",
        json={"awards": batch, "allOrNothing": all_or_nothing},
        headers=writer,
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["invalidRows"] == 10_000
    assert body["problemCount"] == 10_001
    assert len(body["errors"]) == 100
    assert body["errors"][0]["location"] == "$.awards[0].results[0].cpe"
    assert {error["location"].split("]")[0] for error in body["errors"]} < {
        f"$.awards[{index}" for index in range(100)
    }
    assert len(response.content) < 50_000
    assert client.get("/api/v1/awards", headers=writer).json()["awards"] == []


def test_a_job_reports_each_invalid_row_with_its_own_problems_only(client, writer):
    batch = rows(150)
    for index in range(0, 150, 3):
        batch[index]["achievement"] = "M999"
    response = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=writer)
    assert response.status_code == 202, response.text
    job = wait_for_job(client, writer, response.json()["url"])
    assert job["summary"] == {"issued": 100, "alreadyIssued": 0, "failed": 50}
    for row in job["results"]:
        if row["index"] % 3 == 0:
            assert [error["location"] for error in row["errors"]] == [
                f"$.awards[{row['index']}].achievement"
            ]


def test_a_batch_a_retry_would_double_is_refused_and_issues_nothing(client, writer, reader):
    batch = rows(3)
    del batch[1]["sourceAwardId"]
    response = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=writer)
    body = assert_problem(response, 422, "batch-not-repeatable")
    assert [error["location"] for error in body["errors"]] == ["$.awards[1].sourceAwardId"]
    assert client.get("/api/v1/awards", headers=reader).json()["awards"] == []


def test_an_idempotency_key_makes_rows_without_source_ids_safe_to_resend(client, writer, reader):
    batch = [{k: v for k, v in row.items() if k != "sourceAwardId"} for row in rows(3)]
    headers = {**writer, "Idempotency-Key": "term-1-upload"}
    first = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=headers)
    again = client.post("/api/v1/awards/batch", json={"awards": batch}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert len(client.get("/api/v1/awards", headers=reader).json()["awards"]) == 3
