"""Verification throughput and public credential page latency, over real HTTP.

Run ``python bench/verify.py`` (from the repository root, in the project's virtualenv). It makes a
fresh, migrated SQLite database in a temporary directory (and, with ``--postgres-url``,
``XQB_BENCH_POSTGRES_URL`` or ``--start-postgres``, a throw-away PostgreSQL database too; see
bench/awards.py, whose helpers it shares), bootstraps the service (issuer "xq" with its keys, the
XQ catalog), registers an API client and gets a token. The app is served by uvicorn in a process
of its own, as ``uvicorn app.main:create_app --factory --workers N`` (``--workers``, default 1)
on a free local port, configured by XQB_* environment variables; XQB_PUBLIC_BASE_URL is the
server's own ``http://127.0.0.1:<port>``, so credential ids point at it.

Setup: ``--credentials`` awards (default 200; M101 for distinct learners) through
``POST /api/v1/awards/batch`` in inline batches of 100, then each credential's JSON-LD form and
its VC-JWT form by ``GET <credential path>`` with ``Accept: application/ld+json`` and
``Accept: application/vc+jwt``. Then four phases, each from ``--concurrency`` clients
(default 32; ``httpx.AsyncClient``s, one connection each, one request after another) in a load
process separate from the server and from this one, for ``--seconds`` (default 15) or
``--requests`` requests:

1. ``POST /api/v1/verify`` with ``{"credential": <JSON-LD credential>}``;
2. ``POST /api/v1/verify`` with ``{"credential": <VC-JWT>}``: each answer must be 200 with
   ``verified: true`` and ``verdict: "valid"``;
3. first views: ``GET <credential path>`` with ``Accept: text/html``, each credential once, while
   the page cache is empty (every page is verified and rendered);
4. repeat views: the same pages again, round and round (served from the page cache): each answer
   must be 200, text/html, with ``data-verdict="valid"``.

The verify phases cycle through the credentials and start after 20 unmeasured requests from one
client. Reported per phase: requests per second, the p50/p95/p99/max latency of one request as
the client saw it, wrong answers, the load process's CPU time (it shares the machine's cores with
the server) and, on Linux, the uvicorn processes' CPU time (not PostgreSQL's). The 1-minute load
average is printed at the start and the end: other work on the machine shows in the figures.
Targets (at least 300 verifications a second through the API; page p95 under
50 ms at 32 clients) are printed next to the figures with whether they are met. The page cache is
per process: with ``--workers`` above 1 a page first viewed in one worker is rendered again the
first time another worker serves it, which happens during the repeat phase.

Wrong answers are printed and make the command exit with status 1. ``--profile`` then runs
cProfile in this process over ``--profile-count`` verifications (default 200, JSON-LD and VC-JWT
alternately) by ``VerificationService(session, runtime).verify(credential)``, each with a session
of its own as the API does, and prints the top entries by cumulative and by own time.

A run with the defaults takes about a minute and a half per database (80 s on SQLite on this
2-core machine in November 2026: setup 13 s, 15 s for each of three timed phases, the first views
4 s; some 70 verifications and 160 cached page views a second with one worker);
``--seconds 3 --credentials 50`` gives a first look in about half a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy.engine import make_url

from bench.awards import (
    add_database_options,
    award_body,
    finish,
    on_each_database,
    print_profile,
    verdict,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
VERIFY_TARGET_PER_SECOND = 300.0
PAGE_TARGET_P95_MS = 50.0
TARGET_CONCURRENCY = 32
START_POSTGRES_PORT = 54359  # not awards.py's, so both benchmarks can run at once
WARMUP_REQUESTS = 20
INLINE_BATCH = 100
PAGE_MARKER = 'data-verdict="valid"'
MAX_FAILURES_KEPT = 50


# -- the service ----------------------------------------------------------------------------------


@dataclass
class Service:
    runtime: Any
    base_url: str
    headers: dict[str, str]
    workers: int
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def served(database_url: str, work_dir: Path, workers: int) -> Iterator[Service]:
    """Migrate and bootstrap ``database_url``, register a client, and serve the app with uvicorn
    (``workers`` processes) in a process of its own on a free port, configured by XQB_* vars."""
    from app.access.clients import create_client
    from app.bootstrap import bootstrap
    from app.issuer.issuers import get_issuer
    from app.migrations import upgrade_to_head
    from app.runtime import Runtime
    from app.settings import Settings

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    keys_dir = work_dir / "keys"
    settings = Settings(
        database_url=database_url,
        keys_dir=keys_dir,
        public_base_url=base_url,
        key_passphrase=None,
    )
    upgrade_to_head(settings)
    runtime = Runtime.from_settings(settings)
    try:
        bootstrap(runtime)
        with runtime.sessions() as session:
            created = create_client(
                session, get_issuer(session, "xq"), name="bench", scopes="awards:write awards:read"
            )
            session.commit()
            client_id, secret = created.client.client_id, created.client_secret

        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("XQB_")
        }
        environment.update(
            XQB_DATABASE_URL=database_url,
            XQB_KEYS_DIR=str(keys_dir),
            XQB_PUBLIC_BASE_URL=base_url,
            XQB_RATE_LIMITS_ENABLED="false",
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
            ),
        )
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ]
        # cwd: the temporary directory, so no .env of the checkout's is read.
        server = subprocess.Popen(command, env=environment, cwd=work_dir)
        try:
            wait_until_up(server, base_url)
            answer = httpx.post(
                f"{base_url}/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, secret),
            )
            if answer.status_code != 200:
                raise SystemExit(f"no token: {answer.status_code} {answer.text}")
            token = answer.json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            yield Service(runtime, base_url, headers, workers, server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    finally:
        runtime.close()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) of process ``pid`` and its children so far, from Linux's
    /proc; None elsewhere."""
    try:
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # after the command's ")": state, ppid, ..., utime (12th), stime (13th)
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if stat.parent.name == str(pid) or fields[1] == str(pid):
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def wait_until_up(server: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the benchmark's uvicorn server exited ({server.returncode})")
        if time.monotonic() > deadline:
            raise SystemExit("the benchmark's uvicorn server did not start within 60 s")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)


# -- setup: credentials to verify -----------------------------------------------------------------


@dataclass
class Credentials:
    paths: list[str]
    json_ld: list[dict[str, Any]]
    jwts: list[str]


def issue_credentials(service: Service, count: int) -> Credentials:
    """``count`` awards in inline batches, then each credential's JSON-LD and VC-JWT forms."""
    run = secrets.token_hex(4)
    paths: list[str] = []
    with httpx.Client(base_url=service.base_url, headers=service.headers, timeout=300) as http:
        for first in range(0, count, INLINE_BATCH):
            rows = [award_body(run, n) for n in range(first, min(count, first + INLINE_BATCH))]
            answer = http.post("/api/v1/awards/batch", json={"awards": rows})
            if answer.status_code != 200:
                raise SystemExit(f"a batch was answered {answer.status_code}: {answer.text[:2000]}")
            for row in answer.json()["results"]:
                if row["status"] != 201:
                    raise SystemExit(f"award {first + row['index']} was not issued: {row}")
                paths.append(urlsplit(row["publicUrl"]).path)
        json_ld: list[dict[str, Any]] = []
        jwts: list[str] = []
        for path in paths:
            document = http.get(path, headers={"Accept": "application/ld+json"})
            token = http.get(path, headers={"Accept": "application/vc+jwt"})
            if document.status_code != 200 or token.status_code != 200:
                raise SystemExit(
                    f"GET {path}: {document.status_code} (JSON-LD), {token.status_code} (VC-JWT)"
                )
            json_ld.append(document.json())
            jwts.append(token.text.strip())
    return Credentials(paths, json_ld, jwts)


# -- the load process -----------------------------------------------------------------------------


@dataclass
class Run:
    """What the load process saw in one phase."""

    seconds: float
    latencies_ms: list[float]
    failures: int
    failure_samples: list[str]
    cpu_seconds: float
    server_cpu_seconds: float | None = None


def _check_verification(answer: httpx.Response) -> str | None:
    if answer.status_code != 200:
        return f"{answer.status_code} {answer.text[:300]}"
    body = answer.json()
    if body.get("verified") is not True or body.get("verdict") != "valid":
        failed = [c for c in body.get("checks", []) if c.get("outcome") != "passed"]
        return f"verified {body.get('verified')!r}, verdict {body.get('verdict')!r}: {failed}"
    return None


def _check_page(answer: httpx.Response) -> str | None:
    media = answer.headers.get("content-type", "")
    if answer.status_code != 200 or not media.startswith("text/html"):
        return f"{answer.status_code} {media} {answer.text[:300]}"
    if PAGE_MARKER not in answer.text:
        return f"200 but no {PAGE_MARKER} in the page"
    return None


async def _load(
    base_url: str,
    kind: str,
    items: list[Any],
    concurrency: int,
    seconds: float | None,
    requests: int | None,
) -> Run:
    """``kind`` "verify": items are request bodies (objects), POSTed to /api/v1/verify;
    "page": items are credential paths, GETted as text/html. Requests go to the items in turn,
    round and round, until ``requests`` were sent or ``seconds`` are up."""
    if kind == "verify":
        bodies = [json.dumps(item).encode() for item in items]
        headers = {"Content-Type": "application/json"}
        check = _check_verification
    else:
        bodies = []
        headers = {"Accept": "text/html"}
        check = _check_page
    numbers = itertools.count()
    latencies: list[float] = []
    samples: list[str] = []
    failures = 0
    deadline: float | None = None

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while True:
            n = next(numbers)
            if requests is not None and n >= requests:
                return
            if deadline is not None and time.perf_counter() >= deadline:
                return
            index = n % len(items)
            started = time.perf_counter()
            try:
                if kind == "verify":
                    answer = await http.post("/api/v1/verify", content=bodies[index])
                else:
                    answer = await http.get(items[index])
            except httpx.HTTPError as error:
                problem: str | None = repr(error)
            else:
                latencies.append((time.perf_counter() - started) * 1000)
                problem = check(answer)
            if problem is not None:
                failures += 1
                if len(samples) < MAX_FAILURES_KEPT:
                    samples.append(f"#{index}: {problem}")

    # The clients are made before the clock starts: each loads an SSL context (tens of ms of
    # CPU), which would otherwise be charged to the phase and starve the server meanwhile.
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120)
            )
            for _ in range(concurrency)
        ]
        cpu = time.process_time()
        started = time.perf_counter()
        deadline = None if seconds is None else started + seconds
        await asyncio.gather(*(client(http) for http in clients))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return Run(elapsed, latencies, failures, samples, cpu)


def load(
    base_url: str,
    kind: str,
    items: list[Any],
    concurrency: int,
    seconds: float | None,
    requests: int | None,
) -> Run:
    """In the load process: one phase."""
    return asyncio.run(_load(base_url, kind, items, concurrency, seconds, requests))


# -- phases and their figures ---------------------------------------------------------------------


@dataclass
class Figures:
    label: str
    unit: str
    concurrency: int
    run: Run

    @property
    def requests(self) -> int:
        return len(self.run.latencies_ms) + self.run.failures

    @property
    def per_second(self) -> float:
        return self.requests / self.run.seconds

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile."""
        ordered = sorted(self.run.latencies_ms)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def report(figures: Figures, target: str) -> str:
    """Print one phase; ``target`` is "verify" or "page". Returns the target's line."""
    run = figures.run
    print(
        f"  {figures.label}: {figures.requests} requests from {figures.concurrency} clients in"
        f" {run.seconds:.2f} s = {figures.per_second:.0f} {figures.unit}/s"
    )
    if not run.latencies_ms:
        print("           no answers")
        return "no answers"
    p50, p95, p99 = (figures.percentile(f) for f in (0.50, 0.95, 0.99))
    print(
        f"           latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}"
        f"  max {max(run.latencies_ms):.1f}  mean {statistics.fmean(run.latencies_ms):.1f}"
    )
    print(
        f"           wrong answers: {run.failures};  load process CPU {run.cpu_seconds:.1f} s"
        f" ({100 * run.cpu_seconds / run.seconds:.0f}% of a core)"
        + (
            ""
            if run.server_cpu_seconds is None
            else f", server CPU {run.server_cpu_seconds:.1f} s"
            f" ({100 * run.server_cpu_seconds / run.seconds:.0f}% of a core)"
        )
    )
    for sample in run.failure_samples[:10]:
        print(f"           ERROR {sample}")
    if run.failures > 10:
        print(f"           ... and {run.failures - 10} more")
    if target == "verify":
        met = figures.per_second >= VERIFY_TARGET_PER_SECOND
        line = f"{verdict(met)} ({figures.per_second:.0f}/s)"
        print(f"           target: at least {VERIFY_TARGET_PER_SECOND:.0f} verifications/s: {line}")
        return line
    met = p95 < PAGE_TARGET_P95_MS
    if figures.concurrency == TARGET_CONCURRENCY:
        line = f"{verdict(met)} (p95 {p95:.1f} ms)"
    else:
        line = f"not measured (at {figures.concurrency} clients p95 was {p95:.1f} ms)"
    print(
        f"           target: p95 under {PAGE_TARGET_P95_MS:.0f} ms at {TARGET_CONCURRENCY}"
        f" clients: {line}"
    )
    return line


def measure(
    service: Service, credentials: Credentials, arguments: argparse.Namespace
) -> tuple[list[str], list[str]]:
    """The four phases; returns (summary lines, wrong answers)."""
    concurrency, seconds, requests = arguments.concurrency, arguments.seconds, arguments.requests
    if requests is not None:
        seconds = None
    json_bodies = [{"credential": credential} for credential in credentials.json_ld]
    jwt_bodies = [{"credential": token} for token in credentials.jwts]
    lines: list[str] = []
    errors: list[str] = []

    def record(figures: Figures, target: str) -> None:
        lines.append(f"{figures.label}: {figures.per_second:.0f}/s; {report(figures, target)}")
        errors.extend(f"{figures.label}: {sample}" for sample in figures.run.failure_samples)
        if figures.run.failures > len(figures.run.failure_samples):
            extra = figures.run.failures - len(figures.run.failure_samples)
            errors.append(f"{figures.label}: {extra} more wrong answers")

    base = service.base_url
    # A pool's exit terminates its worker, also when the benchmark is interrupted.
    with get_context("spawn").Pool(1) as pool:

        def phase(kind: str, items: list[Any], count: int | None, timed: float | None) -> Run:
            before = cpu_seconds(service.pid)
            run: Run = pool.apply(load, (base, kind, items, concurrency, timed, count))
            after = cpu_seconds(service.pid)
            if before is not None and after is not None:
                run.server_cpu_seconds = after - before
            return run

        for label, bodies in (("verify JSON-LD", json_bodies), ("verify VC-JWT", jwt_bodies)):
            warmup = pool.apply(load, (base, "verify", bodies, 1, None, WARMUP_REQUESTS))
            run = phase("verify", bodies, requests, seconds)
            run.failures += warmup.failures
            run.failure_samples = warmup.failure_samples + run.failure_samples
            record(Figures(label, "verifications", concurrency, run), "verify")
        paths = credentials.paths
        first = phase("page", paths, len(paths), None)
        record(Figures("page, first views", "pages", concurrency, first), "page")
        repeat = phase("page", paths, requests, seconds)
        record(Figures("page, repeat views", "pages", concurrency, repeat), "page")
    return lines, errors


# -- profile --------------------------------------------------------------------------------------


def profile_verifications(
    service: Service, credentials: Credentials, count: int, top: int
) -> list[str]:
    """cProfile over ``count`` in-process verifications (JSON-LD and VC-JWT alternately), each
    with a session of its own as the API does; returns what went wrong."""
    from app.verifier.service import VerificationService

    runtime = service.runtime
    forms: list[Any] = [
        form for pair in zip(credentials.json_ld, credentials.jwts, strict=True) for form in pair
    ]
    chosen = [forms[n % len(forms)] for n in range(count)]

    def verify(credential: Any) -> Any:
        with runtime.sessions() as session:
            return VerificationService(session, runtime).verify(credential)

    for credential in forms[:4]:  # the first ones fill this process's caches
        verify(credential)
    problems: list[str] = []
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    reports = [verify(credential) for credential in chosen]
    profiler.disable()
    elapsed = time.perf_counter() - started
    for n, result in enumerate(reports):
        if not result.verified or result.verdict.value != "valid":
            problems.append(f"profiled verification {n}: {result.verdict.value}")
    print(
        f"  profiled {count} verifications in-process (under cProfile): {elapsed:.2f} s,"
        f" {count / elapsed:.0f}/s; not valid: {len(problems)}"
    )
    print_profile(profiler, top)
    return problems


# -- main -----------------------------------------------------------------------------------------


def bench_database(
    label: str, database_url: str, work_dir: Path, arguments: argparse.Namespace
) -> tuple[list[str], list[str]]:
    """Run the measurements on one database; returns (summary lines, errors)."""
    print(f"== {label}: {make_url(database_url).render_as_string(hide_password=True)}")
    with served(database_url, work_dir, arguments.workers) as service:
        started = time.perf_counter()
        credentials = issue_credentials(service, arguments.credentials)
        print(
            f"  setup: {len(credentials.paths)} awards issued and fetched as JSON-LD and VC-JWT"
            f" in {time.perf_counter() - started:.1f} s; served at {service.base_url}"
        )
        lines, errors = measure(service, credentials, arguments)
        if arguments.profile:
            errors += profile_verifications(
                service, credentials, arguments.profile_count, arguments.profile_top
            )
    return [f"{label} {line}" for line in lines], [f"{label} {error}" for error in errors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=200, help="awards to verify and view")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of a timed phase")
    parser.add_argument(
        "--requests", type=int, help="requests per timed phase, instead of --seconds"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    add_database_options(parser, START_POSTGRES_PORT)
    parser.add_argument("--profile", action="store_true", help="profile in-process verifications")
    parser.add_argument("--profile-count", type=int, default=200, help="verifications profiled")
    parser.add_argument("--profile-top", type=int, default=25, help="entries printed")
    arguments = parser.parse_args()
    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the server stops, the database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if arguments.credentials < 1 or arguments.concurrency < 1 or arguments.workers < 1:
        parser.error("--credentials, --concurrency and --workers must be at least 1")
    if arguments.requests is not None and arguments.requests < 1:
        parser.error("--requests must be at least 1")

    length = (
        f"{arguments.requests} requests"
        if arguments.requests is not None
        else f"{arguments.seconds:g} s"
    )
    print(
        f"verify: {arguments.credentials} credentials, {arguments.concurrency} clients,"
        f" {length} a timed phase, {arguments.workers} uvicorn worker(s);"
        f" {os.cpu_count()} cores; python {sys.version.split()[0]};"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    wall = time.perf_counter()
    summary, errors = on_each_database(arguments, START_POSTGRES_PORT, bench_database)
    finish(
        summary,
        errors,
        f"the run took {time.perf_counter() - wall:.0f} s;"
        f" load average now {os.getloadavg()[0]:.2f} (1 min)",
    )


if __name__ == "__main__":
    main()
