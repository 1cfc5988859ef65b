"""Webhooks: registered endpoints hear of awards, signed, retried, logged, never to loopback
unless trusted."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from app.awards.expiry import expire_due
from app.bootstrap import bootstrap
from app.main import create_app
from app.runtime import Runtime
from app.settings import Settings
from app.webhooks.dispatch import WebhookDispatcher
from tests.api.test_awards_api import award_body
from tests.api.test_problems import assert_problem
from tests.helpers import bearer


class Receiver:
    """A platform's webhook endpoint on 127.0.0.1; answers with the statuses it is given."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.answers = list(answers or [])
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def hook_settings(settings: Settings, receiver: Receiver) -> Settings:
    return settings.model_copy(
        update={
            "webhook_trusted_hosts": [f"127.0.0.1:{receiver.port}"],
            "webhook_retry_base_seconds": 0.05,
            "webhook_poll_seconds": 0.05,
            "webhook_max_attempts": 3,
        }
    )


@pytest.fixture
def hook_client(hook_settings: Settings) -> Iterator[TestClient]:
    runtime = Runtime.from_settings(hook_settings)
    bootstrap(runtime)
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client
    runtime.engine.dispose()


def token(client: TestClient, scopes: str) -> dict[str, str]:
    from app.access.clients import create_client
    from app.issuer.issuers import get_issuer

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.sessions() as session:
        created = create_client(session, get_issuer(session, "xq"), name="t", scopes=scopes)
        session.commit()
        pair = (created.client.client_id, created.client_secret)
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=pair)
    return bearer(answer.json()["access_token"])


def wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def platform(hook_client) -> dict[str, str]:
    return token(hook_client, "awards:write awards:revoke webhooks:manage")


def register(client, headers, url, **extra) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_award_is_delivered_signed(hook_client, platform, receiver):
    hook = register(hook_client, platform, receiver.url)
    award = hook_client.post("/api/v1/awards", json=award_body(), headers=platform).json()
    wait_until(lambda: receiver.received)
    headers, body = receiver.received[0]
    event = json.loads(body)
    assert event["type"] == "award.issued"
    assert event["data"]["award"] == award["id"]
    assert event["data"]["publicUrl"] == award["publicUrl"]
    assert event["data"]["achievement"]["name"]
    stamp, mac = (part.split("=", 1)[1] for part in headers["XQB-Signature"].split(","))
    expected = hmac.new(hook["secret"].encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(mac, expected.hexdigest())


def test_the_event_carries_no_email_or_student_id(hook_client, platform, receiver):
    register(hook_client, platform, receiver.url)
    hook_client.post("/api/v1/awards", json=award_body(), headers=platform)
    wait_until(lambda: receiver.received)
    text = receiver.received[0][1].decode().lower()
    assert "students.example.org" not in text
    assert "s-1001" not in text


def test_a_revocation_is_delivered(hook_client, platform, receiver):
    register(hook_client, platform, receiver.url, events=["award.revoked"])
    award = hook_client.post("/api/v1/awards", json=award_body(), headers=platform).json()
    hook_client.post(
        f"/api/v1/awards/{award['id']}/revoke", json={"reason": "error"}, headers=platform
    )
    wait_until(lambda: receiver.received)
    event = json.loads(receiver.received[0][1])
    assert event["type"] == "award.revoked"
    assert event["data"]["reason"] == "error"
    assert len(receiver.received) == 1


def test_an_expiry_is_delivered(hook_client, platform, receiver):
    register(hook_client, platform, receiver.url, events=["award.expired"])
    body = award_body(awardedDate="2020-05-01T00:00:00Z", validUntil="2021-05-01T00:00:00Z")
    award = hook_client.post("/api/v1/awards", json=body, headers=platform).json()
    runtime = hook_client.app.state.runtime
    expire_due(runtime.sessions, runtime.settings, runtime.private_keys)
    wait_until(lambda: receiver.received)
    event = json.loads(receiver.received[0][1])
    assert event["type"] == "award.expired"
    assert event["data"]["award"] == award["id"]
    assert event["data"]["status"] == "expired"


def test_failures_are_retried_and_logged(hook_client, platform, receiver):
    receiver.answers = [500, 503]
    hook = register(hook_client, platform, receiver.url)
    hook_client.post("/api/v1/awards", json=award_body(), headers=platform)
    wait_until(lambda: len(receiver.received) == 3)
    url = f"/api/v1/webhooks/{hook['id']}/deliveries"
    wait_until(
        lambda: (
            hook_client.get(url, headers=platform).json()["deliveries"][0]["status"] == "delivered"
        )
    )
    log = hook_client.get(url, headers=platform).json()["deliveries"][0]
    assert [attempt["statusCode"] for attempt in log["attempts"]] == [500, 503, 204]
    ids = {headers["XQB-Delivery"] for headers, _ in receiver.received}
    assert len(ids) == 1


def test_delivery_gives_up_after_the_last_attempt(hook_client, platform, receiver):
    receiver.answers = [500, 500, 500, 500]
    hook = register(hook_client, platform, receiver.url)
    hook_client.post("/api/v1/awards", json=award_body(), headers=platform)
    url = f"/api/v1/webhooks/{hook['id']}/deliveries"
    wait_until(
        lambda: hook_client.get(url, headers=platform).json()["deliveries"][0]["status"] == "failed"
    )
    assert len(receiver.received) == 3


def test_plain_http_to_an_untrusted_host_is_refused(hook_client, platform):
    response = hook_client.post(
        "/api/v1/webhooks", json={"url": "http://hooks.example.org/x"}, headers=platform
    )
    assert_problem(response, 422, "validation-error")


def test_loopback_is_never_reached_unless_trusted(settings, runtime, client, make_token):
    """The default settings trust no host: an https URL resolving to loopback is refused."""
    headers = bearer(make_token("awards:write webhooks:manage"))
    hook = register(client, headers, "https://localhost:9/hooks")
    client.post("/api/v1/awards", json=award_body(), headers=headers)
    WebhookDispatcher(runtime.sessions, settings).run_once()
    url = f"/api/v1/webhooks/{hook['id']}/deliveries"

    def attempts() -> list[dict]:
        return client.get(url, headers=headers).json()["deliveries"][0]["attempts"]

    wait_until(attempts)
    assert attempts()[0]["error"].startswith("address_not_allowed")


def test_a_removed_endpoint_hears_nothing_more(hook_client, platform, receiver):
    hook = register(hook_client, platform, receiver.url)
    removed = hook_client.delete(f"/api/v1/webhooks/{hook['id']}", headers=platform)
    assert removed.status_code == 204
    hook_client.post("/api/v1/awards", json=award_body(), headers=platform)
    time.sleep(0.5)
    assert receiver.received == []
