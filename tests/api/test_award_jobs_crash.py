"""A batch job survives the process being killed: nothing committed is lost, nothing doubles."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.access.clients import create_client
from app.issuer.issuers import get_issuer
from app.runtime import Runtime
from app.settings import Settings
from app.store.models import Award
from tests.api.test_award_batches import rows

ROWS = 300
LEASE_SECONDS = 3
"""The killed process's lease: the restarted one takes the job over once it has run out."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """``xqbadges serve`` in a child process, as production runs it."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "XQB_DATABASE_URL": settings.database_url,
            "XQB_KEYS_DIR": str(settings.keys_dir),
            "XQB_PUBLIC_BASE_URL": settings.public_base_url,
            "XQB_LOG_LEVEL": "WARNING",
            "XQB_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "XQB_JOB_POLL_SECONDS": "0.5",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=Path(__file__).resolve().parents[2]
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "the service exited"
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def service(runtime: Runtime, settings: Settings) -> Iterator[Service]:
    running = Service(settings)
    yield running
    running.stop()


def token(runtime: Runtime, url: str, scopes: str = "awards:write") -> dict[str, str]:
    with runtime.sessions() as session:
        made = create_client(session, get_issuer(session, "xq"), name="t", scopes=scopes)
        session.commit()
        pair = (made.client.client_id, made.client_secret)
    answer = httpx.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"}, auth=pair)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def awards_in(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count(Award.id))) or 0)


def test_a_killed_job_resumes_on_restart_without_duplicates(service, runtime):
    service.start()
    headers = {**token(runtime, service.url), "Idempotency-Key": "crash-1"}
    batch = {"awards": rows(ROWS)}
    started = httpx.post(f"{service.url}/api/v1/awards/batch", json=batch, headers=headers)
    assert started.status_code == 202, started.text
    job_url = service.url + started.json()["url"]
    deadline = time.monotonic() + 120
    while httpx.get(job_url, headers=headers).json()["processed"] < 50:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    service.kill()
    committed = awards_in(runtime)
    assert 50 <= committed < ROWS

    service.start()
    deadline = time.monotonic() + 300
    while (job := httpx.get(job_url, headers=headers).json())["status"] != "done":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["summary"]["failed"] == 0
    assert job["summary"]["issued"] + job["summary"]["alreadyIssued"] == ROWS
    assert awards_in(runtime) == ROWS

    again = httpx.post(f"{service.url}/api/v1/awards/batch", json=batch, headers=headers)
    assert again.json()["id"] == started.json()["id"]
    assert awards_in(runtime) == ROWS
