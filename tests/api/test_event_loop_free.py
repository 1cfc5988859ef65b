"""Heavy work never stalls the event loop: /healthz keeps answering within 100 ms (a stray
probe the scheduler delays aside, and never past 250 ms) on a real uvicorn server while a 5 MB
catalog is imported and a 10,000-award batch is taken in and worked through. (The one latency
assertion in the unit tests, asked for by issue 13.)

The server is `xqbadges serve` in a child process, as production runs it: in the test's own
process (the ``live_server`` fixture) the probes would also wait for the test harness's work,
the objects earlier tests left behind and the parsing of the job's answer."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.test_award_batches import rows
from tests.api.test_award_jobs_crash import service, token  # noqa: F401 (fixture)

LIMIT_SECONDS = 0.100
MIN_PROBES = 50
STRAY_SHARE = 1 / 500
"""Probes that may pass 100 ms: on two cores shared by the server, PostgreSQL, the client and the
prober, the operating system now and then leaves one probe waiting for a core. A blocked event
loop (the fault: 52 s during a catalog import) makes every probe of that time slow instead."""
HARD_LIMIT_SECONDS = 0.250
"""No probe at all may take this long: a loop blocked for a quarter second fails at once."""


def large_catalog(badges: int, cpes: int = 10, indicators: int = 6) -> str:
    """A valid catalog of ``badges`` badges, about 9 KB of YAML each."""
    filler = "demonstrates the practice with a worked example and explains each step in writing"
    lines = ["catalog: Load test catalog", 'version: "1"', "language: en-US", "badges:"]
    for b in range(badges):
        lines += [
            f"  - id: L-{b:04d}",
            f"    title: Load badge {b}",
            "    pathway: Load",
            f"    counts: {{cpes: {cpes}, indicators: {cpes * indicators}}}",
            "    cpes:",
        ]
        for c in range(cpes):
            lines += [
                f"      - code: c{b}x{c}",
                f"        text: CPE {c} of badge {b} {filler}",
                "        indicators:",
            ]
            lines += [
                f"          - {{code: i{i}, text: indicator {i} {filler}}}"
                for i in range(indicators)
            ]
    return "\n".join(lines) + "\n"


PROBE = """
import json, pathlib, sys, time
import httpx
url, stop = sys.argv[1], pathlib.Path(sys.argv[2])
timings = []
with httpx.Client(base_url=url, timeout=10) as client:
    while not stop.exists():
        started = time.perf_counter()
        status = client.get("/healthz").status_code
        timings.append(time.perf_counter() - started)
        if status != 200:
            sys.exit(f"/healthz answered {status}")
        time.sleep(0.01)
print(json.dumps(timings))
"""


@contextmanager
def probing(url: str, work_dir: Path) -> Iterator[list[float]]:
    """Time GET /healthz every 10 ms until the block ends; the durations, in seconds.

    The probes run in a process of their own: in this one they would also wait for the test's
    own work (encoding the batch, reading answers), which is not the server's latency.
    """
    stop = work_dir / "stop-probing"
    prober = subprocess.Popen(
        [sys.executable, "-c", PROBE, url, str(stop)], stdout=subprocess.PIPE, text=True
    )
    timings: list[float] = []
    try:
        yield timings
    finally:
        stop.touch()
        output, _ = prober.communicate(timeout=60)
    assert prober.returncode == 0, output
    timings.extend(json.loads(output))


def assert_answered_quickly(timings: list[float]) -> None:
    assert len(timings) >= MIN_PROBES, len(timings)
    slow = [t for t in timings if t >= LIMIT_SECONDS]
    summary = (
        f"slowest of {len(timings)} probes: {max(timings) * 1000:.0f} ms; over 100 ms: {len(slow)}"
    )
    assert len(slow) <= len(timings) * STRAY_SHARE, summary
    assert max(timings) < HARD_LIMIT_SECONDS, summary


def test_healthz_answers_within_100_ms_during_a_5_mb_catalog_import(service, runtime, tmp_path):  # noqa: F811
    service.start()
    live_server = service.url
    headers = {**token(runtime, live_server, "catalog:write"), "Content-Type": "application/yaml"}
    body = large_catalog(530).encode()
    assert 4_500_000 < len(body) < 5 * 1024 * 1024
    with (
        probing(live_server, tmp_path) as timings,
        httpx.Client(base_url=live_server, timeout=600) as http,
    ):
        response = http.post("/api/v1/catalogs?issuer=xq", content=body, headers=headers)
    assert response.status_code == 201, response.text[:2000]
    assert response.json()["created"] == 530
    assert_answered_quickly(timings)


def test_healthz_answers_within_100_ms_during_a_10000_award_batch(service, runtime, tmp_path):  # noqa: F811
    service.start()
    live_server = service.url
    headers = {**token(runtime, live_server), "Idempotency-Key": "loop-10000"}
    with (
        probing(live_server, tmp_path) as timings,
        httpx.Client(base_url=live_server, timeout=600) as http,
    ):
        started = http.post("/api/v1/awards/batch", json={"awards": rows(10_000)}, headers=headers)
        assert started.status_code == 202, started.text[:2000]
        deadline = time.monotonic() + 900
        while len(polled := http.get(started.json()["url"], headers=headers).content) < 1000:
            assert time.monotonic() < deadline, polled
            time.sleep(0.5)
    # Only a finished job's answer is large; it is read once the probes have stopped, as the
    # test's own parsing of it shares this process's interpreter with the server.
    job = json.loads(polled)
    assert job["status"] == "done"
    assert job["summary"] == {"issued": 10_000, "alreadyIssued": 0, "failed": 0}
    assert_answered_quickly(timings)
