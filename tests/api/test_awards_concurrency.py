"""Real concurrent requests over HTTP: identical awards racing each other make one credential."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from app.store.models import Award
from tests.api.test_awards_api import award_body
from tests.helpers import bearer

RACERS = 8


def race(live_server: str, headers: dict[str, str], body: dict) -> list[httpx.Response]:
    start = threading.Barrier(RACERS)

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            start.wait()
            return http.post("/api/v1/awards", json=body, headers=headers)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(send, range(RACERS)))


def award_count(runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count(Award.id))) or 0)


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write"))


def test_racing_retries_with_one_idempotency_key_make_one_credential(live_server, runtime, writer):
    headers = {**writer, "Idempotency-Key": "race-1"}
    responses = race(live_server, headers, award_body())
    assert {response.status_code for response in responses} == {201}, [
        response.text for response in responses if response.status_code != 201
    ]
    assert len({response.json()["credential"]["id"] for response in responses}) == 1
    assert award_count(runtime) == 1


def test_racing_requests_with_one_source_award_id_make_one_credential(live_server, runtime, writer):
    responses = race(live_server, writer, award_body())
    assert {response.status_code for response in responses} <= {200, 201}, [
        response.text for response in responses
    ]
    assert len({response.json()["id"] for response in responses}) == 1
    assert award_count(runtime) == 1


def test_racing_revocations_record_one_revocation(live_server, make_token):
    headers = bearer(make_token("awards:write awards:read awards:revoke"))
    with httpx.Client(base_url=live_server, timeout=60) as http:
        award = http.post("/api/v1/awards", json=award_body(), headers=headers).json()
    path = f"/api/v1/awards/{award['id']}/revoke"
    start = threading.Barrier(RACERS)

    def send(_: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            start.wait()
            return http.post(path, json={"reason": "error"}, headers=headers).status_code

    with ThreadPoolExecutor(RACERS) as pool:
        codes = sorted(pool.map(send, range(RACERS)))
    assert codes == [200] + [409] * (RACERS - 1)
    with httpx.Client(base_url=live_server, timeout=60) as http:
        history = http.get(f"/api/v1/awards/{award['id']}", headers=headers).json()["history"]
    assert [event["event"] for event in history] == ["issued", "revoked"]
