"""Every error leaves as an RFC 9457 problem document with the right status."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.runtime import Runtime
from tests.helpers import bearer

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:xqbadges:problem:{code}"
    return body


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/no/such/thing"), 404, "not-found")


def test_unknown_issuer_is_a_404_problem_naming_it(client: TestClient) -> None:
    body = assert_problem(client.get("/issuers/nobody"), 404, "not-found")
    assert "nobody" in body["detail"]


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    assert_problem(client.delete("/healthz"), 405, "method-not-allowed")


def test_malformed_json_names_its_line_and_column(client: TestClient, make_token) -> None:
    response = client.post(
        "/api/v1/awards",
        content=b'{\n  "achievement": "M101",\n  "learner": {}\n  "evidence": []\n}',
        headers={**bearer(make_token("admin")), "content-type": "application/json"},
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["detail"] == (
        "the body is not valid JSON: Expecting ',' delimiter at line 4, column 3 (character 45)"
    )
    assert body["errors"] == [
        {
            "location": "line 4, column 3",
            "message": "Expecting ',' delimiter at line 4, column 3 (character 45)",
            "line": 4,
            "column": 3,
        }
    ]


JSON_ROUTES = [
    "/api/v1/awards",
    "/api/v1/issuers",
    "/api/v1/webhooks",
    "/credentials/verify",
]


@pytest.mark.parametrize("path", JSON_ROUTES)
def test_json_sent_as_a_form_is_a_415_saying_which_header_to_send(
    client: TestClient, make_token, path: str
) -> None:
    """What ``curl -d '{...}'`` sends: a JSON text labelled as a URL-encoded form."""
    response = client.post(
        path,
        content=b'{"achievement": "M101"}',
        headers={
            **bearer(make_token("admin")),
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    body = assert_problem(response, 415, "unsupported-media-type")
    assert "-H 'Content-Type: application/json'" in body["detail"]
    assert "application/x-www-form-urlencoded" in body["detail"]


def test_json_without_a_content_type_is_a_415(client: TestClient, make_token) -> None:
    response = client.post(
        "/api/v1/awards", content=b'{"achievement": "M101"}', headers=bearer(make_token("admin"))
    )
    body = assert_problem(response, 415, "unsupported-media-type")
    assert "no Content-Type" in body["detail"]


def test_a_form_missing_a_field_is_refused_for_that_not_as_a_415(client: TestClient) -> None:
    response = client.post("/oauth/token", data={"scope": "awards:read"})
    body = assert_problem(response, 400, "invalid-request")
    assert body["error"] == "invalid_request"
    assert "grant_type is missing" in body["detail"]


def test_every_invalid_field_is_listed(client: TestClient, make_token) -> None:
    response = client.post(
        "/api/v1/issuers",
        json={"slug": "Not A Slug", "name": "", "parent": "xq", "surprise": 1},
        headers=bearer(make_token("admin")),
    )
    body = assert_problem(response, 422, "validation-error")
    locations = {error["location"] for error in body["errors"]}
    assert {"$.slug", "$.name", "$.surprise"} <= locations


@pytest.fixture
def small_body_client(runtime: Runtime) -> Iterator[TestClient]:
    limited = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"max_body_bytes": 1024})
    )
    with TestClient(create_app(runtime=limited)) as test_client:
        yield test_client


def test_body_over_the_limit_is_a_413_problem(small_body_client: TestClient) -> None:
    response = small_body_client.post(
        "/api/v1/catalogs?issuer=xq",
        content=b"x" * 4096,
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")


def test_streamed_body_over_the_limit_is_a_413_problem(
    small_body_client: TestClient, make_token
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b"y" * 512

    response = small_body_client.post(
        "/api/v1/catalogs?issuer=xq",
        content=chunks(),
        headers={**bearer(make_token("catalog:write")), "content-type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")


def _chunks() -> Iterator[bytes]:
    """A body with no Content-Length: httpx sends a generator with Transfer-Encoding: chunked."""
    for _ in range(8):
        yield b"y" * 512


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/awards", "application/json"),
        ("/api/v1/verify", "application/json"),
        ("/oauth/token", "application/x-www-form-urlencoded"),
    ],
)
def test_chunked_body_over_the_limit_is_the_same_413_on_routes_fastapi_reads(
    small_body_client: TestClient, make_token, path: str, content_type: str
) -> None:
    response = small_body_client.post(
        path,
        content=_chunks(),
        headers={**bearer(make_token("admin")), "content-type": content_type},
    )
    body = assert_problem(response, 413, "payload-too-large")
    assert body["detail"] == "the request body is larger than 1024 bytes"


def test_chunked_body_over_the_limit_on_the_wire_is_a_413(
    live_server: str, runtime: Runtime
) -> None:
    """A real chunked request over a socket to the app under uvicorn, one chunk past the limit."""
    chunk = b"y" * 16384
    count = runtime.settings.max_body_bytes // len(chunk) + 1
    url = urlsplit(live_server)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/v1/awards HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        for _ in range(count - 1):
            sock.sendall(framed)
        sock.sendall(framed + b"0\r\n\r\n")
        answer = b""
        while data := sock.recv(65536):
            answer += data
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), head
    assert b"content-type: application/problem+json" in head.lower()
    assert json.loads(payload)["code"] == "payload-too-large"


def test_responses_carry_a_request_id(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_hostile_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 16
