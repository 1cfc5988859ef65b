"""JSON a signed document cannot carry is refused at the edge with a 422 naming its place,
on every JSON route and on both databases, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_awards_api import award_body
from tests.api.test_problems import assert_problem


def post_text(client: TestClient, path: str, text: str, headers: dict[str, str]) -> Any:
    return client.post(
        path, content=text.encode(), headers={**headers, "Content-Type": "application/json"}
    )


def award_count(client: TestClient, reader: dict[str, str]) -> int:
    return len(client.get("/api/v1/awards", headers=reader).json()["awards"])


def locations(body: dict[str, Any]) -> list[str]:
    return [error["location"] for error in body["errors"]]


def test_nan_in_an_award_is_refused_by_its_path(client, writer):
    text = json.dumps(award_body()).replace('"level": "demonstrated"', '"level": NaN')
    body = assert_problem(
        post_text(client, "/api/v1/awards", text, writer), 422, "validation-error"
    )
    assert locations(body) == ["$.results[0].level"]


def test_a_batch_of_many_rows_with_infinity_is_refused_and_writes_nothing(client, writer, reader):
    rows = [award_body(sourceAwardId=f"lms-{n}") for n in range(150)]
    text = json.dumps({"awards": rows})
    text = text.replace('"sourceAwardId": "lms-120"', '"sourceAwardId": "lms-120", "x": Infinity')
    body = assert_problem(
        post_text(client, "/api/v1/awards/batch", text, writer), 422, "validation-error"
    )
    assert locations(body) == ["$.awards[120].x"]
    assert award_count(client, reader) == 0


def test_a_repeated_member_in_an_award_is_refused_by_its_path(client, writer, reader):
    text = json.dumps(award_body())[:-1] + ', "achievement": "M102"}'
    body = assert_problem(
        post_text(client, "/api/v1/awards", text, writer), 422, "validation-error"
    )
    assert locations(body) == ["$.achievement"]
    assert award_count(client, reader) == 0


def test_a_lone_surrogate_in_an_award_is_refused_by_its_path(client, writer):
    recipient = '"name": "Ana Lopez"'
    text = json.dumps(award_body()).replace(recipient, '"name": "Ana \\ud800"')
    body = assert_problem(
        post_text(client, "/api/v1/awards", text, writer), 422, "validation-error"
    )
    assert locations(body) == ["$.recipient.name"]


def test_a_lone_surrogate_sent_to_verify_is_refused_not_a_500(client):
    text = (
        '{"credential": {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "\\ud800"}}'
    )
    body = assert_problem(post_text(client, "/api/v1/verify", text, {}), 422, "validation-error")
    assert locations(body) == ["$.credential.name"]


def test_a_lone_surrogate_in_a_pasted_credential_is_unreadable(client):
    pasted = '{"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "\\ud800"}'
    response = client.post("/api/v1/verify", data={"credential": pasted})
    body = assert_problem(response, 422, "credential-unreadable")
    assert locations(body) == ["$.name"]


def test_a_lone_surrogate_in_an_uploaded_file_is_unreadable(client):
    data = b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "\\udc00"}'
    response = client.post(
        "/api/v1/verify", files={"file": ("badge.json", data, "application/json")}
    )
    body = assert_problem(response, 422, "credential-unreadable")
    assert locations(body) == ["$.name"]


def test_duplicate_keys_sent_to_the_vc_api_are_refused(client, make_token):
    text = '{"credential": {"id": "urn:uuid:1", "id": "urn:uuid:2"}}'
    headers = {"Authorization": f"Bearer {make_token('awards:write')}"}
    body = assert_problem(
        post_text(client, "/credentials/issue", text, headers), 422, "validation-error"
    )
    assert locations(body) == ["$.credential.id"]
