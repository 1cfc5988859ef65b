"""Award throughput of the issuing service, over real HTTP, on SQLite and on PostgreSQL.

Run ``python bench/awards.py`` (from the repository root, in the project's virtualenv). For each
database it makes a fresh, migrated database (SQLite: a file in a temporary directory;
PostgreSQL: a new database on the server named by ``--postgres-url`` or ``XQB_BENCH_POSTGRES_URL``,
or on a throw-away local cluster with ``--start-postgres``, dropped afterwards), bootstraps the
service (issuer "xq" with its keys, the 23-badge XQ catalog), registers an API client, gets a
token at ``POST /oauth/token`` and serves the real app with uvicorn on a free local port. Then:

1. batch: ``POST /api/v1/awards/batch`` with ``--batch`` awards (default 10,000), answered 202
   with a job; the job is polled until it is done. Reported: the wall time from the POST to the
   poll that saw "done", awards per second, and where the time went (the POST's synchronous
   validation, then the job's run as the database recorded it). The job's summary must say
   every award was issued.
2. singles: ``--singles`` awards (default 2,000) by ``POST /api/v1/awards`` from
   ``--concurrency`` clients (default 32), each an ``httpx.AsyncClient`` with its own connection
   sending one award after another. Reported: awards per second and the p50/p95/p99/max latency
   of one request as the client saw it. Every answer must be 201. The clients run in a separate
   process, so that their Python work does not share the server's interpreter lock; they still
   share the machine's cores with the server (and with PostgreSQL).

Each award is ``M101`` for a new learner, with one CPE result and one piece of evidence. The
targets (a 10,000-award batch in under 20 s on each database; a single-award p99 under 100 ms at
32 concurrent clients) are printed next to the figures with whether they are met. Wrong answers
(a non-201, a batch row not issued) are printed and make the command exit with status 1.
``--profile`` then runs cProfile over a smaller batch issued in-process (``BatchService.submit``
then the job, a chunk at a time through ``AwardService.award_many``) on each database and prints
the top entries by cumulative and by own time.

A full run takes a few minutes per database (about two on this 2-core machine in November 2026:
some 200 batch awards a second, 30-40 single awards a second); ``--batch 500 --singles 200``
gives a first look in well under one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import math
import os
import pstats
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
BATCH_TARGET_AWARDS = 10_000
BATCH_TARGET_SECONDS = 20.0
SINGLES_TARGET_CONCURRENCY = 32
SINGLES_TARGET_P99_MS = 100.0
START_POSTGRES_PORT = 54349
WARMUP_AWARDS = 20


def award_body(run: str, n: int) -> dict[str, Any]:
    return {
        "achievement": "M101",
        "recipient": {"studentId": f"S-{n}", "name": f"Student {n}"},
        "sourceAwardId": f"bench-{run}-{n}",
        "results": [{"cpe": "101a", "level": "demonstrated"}],
        "evidence": [{"url": f"https://portfolio.example.org/{n}", "name": "Project"}],
    }


# -- databases ------------------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    yield f"sqlite:///{directory / 'bench.db'}"


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on ``server_url``'s server, dropped afterwards."""
    name = f"xqb_bench_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        try:
            yield make_url(server_url).set(database=name).render_as_string(False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


@contextlib.contextmanager
def local_postgres(port: int) -> Iterator[str]:
    """A throw-away cluster from scripts/postgres.sh on ``port``, stopped and removed after."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(
                f"--start-postgres: port {port} is in use (another benchmark's cluster?); "
                "stop it or pass --postgres-url"
            )
    directory = tempfile.mkdtemp(prefix="xqb-bench-pg-")
    script = str(REPO_ROOT / "scripts" / "postgres.sh")
    environment = {**os.environ, "XQB_TEST_POSTGRES_PORT": str(port)}
    try:
        started = subprocess.run(
            [script, "start", directory],
            env=environment,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", directory], env=environment, check=False)
        subprocess.run(["rm", "-rf", directory], check=False)


# -- the service ----------------------------------------------------------------------------------


@dataclass
class Service:
    runtime: Any
    base_url: str
    client_id: str
    headers: dict[str, str]


@contextlib.contextmanager
def running_service(database_url: str, keys_dir: Path) -> Iterator[Service]:
    """Migrate and bootstrap ``database_url``, register a client, serve the app on a free port."""
    import uvicorn

    from app.access.clients import create_client
    from app.bootstrap import bootstrap
    from app.issuer.issuers import get_issuer
    from app.main import create_app
    from app.migrations import upgrade_to_head
    from app.runtime import Runtime
    from app.settings import Settings

    settings = Settings(
        database_url=database_url,
        keys_dir=keys_dir,
        public_base_url="http://127.0.0.1:8000",
        key_passphrase=None,
        rate_limits_enabled=False,
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

        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        config = uvicorn.Config(create_app(runtime=runtime), log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise SystemExit("the benchmark's uvicorn server did not start")
                time.sleep(0.01)
            base_url = f"http://127.0.0.1:{port}"
            answer = httpx.post(
                f"{base_url}/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, secret),
            )
            if answer.status_code != 200:
                raise SystemExit(f"no token: {answer.status_code} {answer.text}")
            token = answer.json()["access_token"]
            yield Service(runtime, base_url, client_id, {"Authorization": f"Bearer {token}"})
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            listener.close()
    finally:
        runtime.engine.dispose()


# -- 1. one large batch ---------------------------------------------------------------------------


@dataclass
class BatchFigures:
    awards: int
    seconds: float
    post_seconds: float
    job_seconds: float | None
    summary: dict[str, int]
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.awards / self.seconds


def measure_batch(service: Service, run: str, count: int, poll: float) -> BatchFigures:
    from app.store.repositories import JobRepository

    rows = [award_body(run, n) for n in range(count)]
    with httpx.Client(base_url=service.base_url, headers=service.headers, timeout=600) as http:
        started = time.perf_counter()
        answer = http.post("/api/v1/awards/batch", json={"awards": rows})
        post_seconds = time.perf_counter() - started
        if answer.status_code != 202:
            raise SystemExit(f"the batch was answered {answer.status_code}: {answer.text[:2000]}")
        url = answer.json()["url"]
        while True:
            job_answer = http.get(url)
            if job_answer.status_code != 200:
                raise SystemExit(f"GET {url}: {job_answer.status_code} {job_answer.text[:2000]}")
            job = job_answer.json()
            if job["status"] == "done":
                seconds = time.perf_counter() - started
                break
            time.sleep(poll)
    with service.runtime.sessions() as session:
        stored = JobRepository(session).by_uid(job["id"])
        job_seconds = (
            (stored.finished_at - stored.created_at).total_seconds()
            if stored is not None and stored.finished_at is not None
            else None
        )
    summary = job["summary"]
    errors = []
    if summary != {"issued": count, "alreadyIssued": 0, "failed": 0}:
        errors.append(f"batch summary {summary}, expected all {count} issued")
        wrong = [row for row in job["results"] if row["status"] != 201]
        errors += [f"row {row['index']}: {row}" for row in wrong[:20]]
    return BatchFigures(count, seconds, post_seconds, job_seconds, summary, errors)


# -- 2. single awards from concurrent clients -----------------------------------------------------


@dataclass
class SinglesFigures:
    awards: int
    concurrency: int
    seconds: float
    latencies_ms: list[float]
    failures: list[str]

    @property
    def per_second(self) -> float:
        return self.awards / self.seconds

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def _send_awards(
    base_url: str, headers: dict[str, str], run: str, numbers: list[int], concurrency: int
) -> tuple[float, list[float], list[str]]:
    pending = iter(numbers)
    latencies: list[float] = []
    failures: list[str] = []

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120) as http:
            for n in pending:
                body = award_body(run, n)
                started = time.perf_counter()
                try:
                    answer = await http.post("/api/v1/awards", json=body)
                except httpx.HTTPError as error:
                    failures.append(f"award {n}: {error!r}")
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 201:
                    failures.append(f"award {n}: {answer.status_code} {answer.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def send_awards(
    base_url: str, headers: dict[str, str], run: str, numbers: list[int], concurrency: int
) -> tuple[float, list[float], list[str]]:
    """In the load process: send the awards numbered ``numbers`` from ``concurrency`` clients."""
    return asyncio.run(_send_awards(base_url, headers, run, numbers, concurrency))


def measure_singles(
    service: Service, run: str, first: int, count: int, concurrency: int
) -> SinglesFigures:
    warmup = list(range(first, first + min(WARMUP_AWARDS, count)))
    numbers = list(range(first + len(warmup), first + len(warmup) + count))
    # A pool's exit terminates its worker, also when the benchmark is interrupted.
    with get_context("spawn").Pool(1) as load:
        _, _, warmup_failures = load.apply(
            send_awards, (service.base_url, service.headers, run, warmup, 1)
        )
        seconds, latencies, failures = load.apply(
            send_awards, (service.base_url, service.headers, run, numbers, concurrency)
        )
    return SinglesFigures(count, concurrency, seconds, latencies, warmup_failures + failures)


# -- profile --------------------------------------------------------------------------------------


def profile_batch(service: Service, run: str, first: int, count: int, top: int) -> list[str]:
    """cProfile over ``count`` awards submitted and issued in-process, no HTTP; returns what
    went wrong (rows not issued)."""
    from app.awards.batches import BatchService, job_actor, run_job
    from app.awards.service import Actor
    from app.issuer.issuers import get_issuer

    runtime = service.runtime
    rows = [award_body(run, n) for n in range(first, first + count)]
    profiler = cProfile.Profile()
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        actor = Actor(
            client_id=service.client_id,
            issuer_id=issuer.id,
            may_act_for=lambda other: other.id == issuer.id,
            request_id="bench-profile",
        )
        batches = BatchService(session, runtime.settings, runtime.private_keys)
        started = time.perf_counter()
        profiler.enable()
        outcome = batches.submit(rows, actor, all_or_nothing=False, idempotency_key=None)
        submitted = time.perf_counter()
        job_uid = outcome.body["id"]
        run_job(runtime.sessions, runtime.settings, runtime.private_keys, job_uid, job_actor)
        profiler.disable()
        finished = time.perf_counter()
        session.expire_all()
        job = batches.get_job(job_uid, actor)
    print(
        f"  profiled {count} awards in-process (under cProfile): submit {submitted - started:.2f}"
        f" s, job {finished - submitted:.2f} s, {count / (finished - started):.0f} awards/s;"
        f" summary {job.get('summary')}"
    )
    print_profile(profiler, top)
    if job.get("summary") != {"issued": count, "alreadyIssued": 0, "failed": 0}:
        print(f"  ERROR profiled batch summary {job.get('summary')}, expected all {count} issued")
        return [f"profiled batch summary {job.get('summary')}"]
    return []


# -- reporting ------------------------------------------------------------------------------------


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    """The ``top`` entries of a profile by cumulative and by own time."""
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs()
    print(f"  -- top {top} by cumulative time --")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"  -- top {top} by own time --")
    stats.sort_stats("tottime").print_stats(top)


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report_batch(figures: BatchFigures) -> str:
    job = f"{figures.job_seconds:.2f} s" if figures.job_seconds is not None else "?"
    print(
        f"  batch:   {figures.awards} awards in {figures.seconds:.2f} s from POST to done"
        f" = {figures.per_second:.0f} awards/s"
        f"  (POST answered 202 after {figures.post_seconds:.2f} s; the job ran {job})"
    )
    print(f"           summary {figures.summary}")
    for error in figures.errors:
        print(f"           ERROR {error}")
    if figures.awards == BATCH_TARGET_AWARDS:
        met = figures.seconds < BATCH_TARGET_SECONDS
        line = f"{verdict(met)} ({figures.seconds:.1f} s)"
    else:
        projected = BATCH_TARGET_AWARDS / figures.per_second
        met = projected < BATCH_TARGET_SECONDS
        line = f"not measured (batch of {figures.awards}); at this rate {projected:.1f} s"
    print(
        f"           target: {BATCH_TARGET_AWARDS:,}-award batch under "
        f"{BATCH_TARGET_SECONDS:.0f} s: {line}"
    )
    return line


def report_singles(figures: SinglesFigures) -> str:
    p50, p95, p99 = (figures.percentile(f) for f in (0.50, 0.95, 0.99))
    print(
        f"  singles: {figures.awards} awards from {figures.concurrency} clients in"
        f" {figures.seconds:.2f} s = {figures.per_second:.0f} awards/s"
    )
    print(
        f"           latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}"
        f"  max {max(figures.latencies_ms):.1f}  mean {statistics.fmean(figures.latencies_ms):.1f}"
    )
    print(f"           answers other than 201: {len(figures.failures)}")
    for failure in figures.failures[:20]:
        print(f"           ERROR {failure}")
    if len(figures.failures) > 20:
        print(f"           ... and {len(figures.failures) - 20} more")
    met = p99 < SINGLES_TARGET_P99_MS
    if figures.concurrency == SINGLES_TARGET_CONCURRENCY:
        line = f"{verdict(met)} (p99 {p99:.1f} ms)"
    else:
        line = f"not measured (at {figures.concurrency} clients p99 was {p99:.1f} ms)"
    print(
        f"           target: p99 under {SINGLES_TARGET_P99_MS:.0f} ms at "
        f"{SINGLES_TARGET_CONCURRENCY} clients: {line}"
    )
    return line


# -- main -----------------------------------------------------------------------------------------


def bench_database(
    label: str, database_url: str, work_dir: Path, arguments: argparse.Namespace
) -> tuple[list[str], list[str]]:
    """Run the measurements on one database; returns (summary lines, errors)."""
    print(f"== {label}: {make_url(database_url).render_as_string(hide_password=True)}")
    run = secrets.token_hex(4)
    lines: list[str] = []
    errors: list[str] = []
    with running_service(database_url, work_dir / "keys") as service:
        if arguments.batch:
            figures = measure_batch(service, run, arguments.batch, arguments.poll)
            lines.append(f"{label} batch of {figures.awards}: {report_batch(figures)}")
            errors += [f"{label} batch: {error}" for error in figures.errors]
        if arguments.singles:
            singles = measure_singles(
                service, run, arguments.batch, arguments.singles, arguments.concurrency
            )
            lines.append(f"{label} singles p99: {report_singles(singles)}")
            errors += [f"{label} singles: {failure}" for failure in singles.failures]
        if arguments.profile:
            first = arguments.batch + arguments.singles + WARMUP_AWARDS
            problems = profile_batch(
                service, run, first, arguments.profile_rows, arguments.profile_top
            )
            errors += [f"{label} profile: {problem}" for problem in problems]
    return lines, errors


BenchDatabase = Callable[[str, str, Path, argparse.Namespace], tuple[list[str], list[str]]]
"""Runs one benchmark on one database: (label, URL, work folder, options) -> (summary lines,
wrong answers)."""


def add_database_options(parser: argparse.ArgumentParser, start_port: int) -> None:
    """--postgres-url, --start-postgres and --no-sqlite, which :func:`on_each_database` reads."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("XQB_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server to create a throw-away database on "
        "(default: $XQB_BENCH_POSTGRES_URL)",
    )
    parser.add_argument(
        "--start-postgres",
        action="store_true",
        help=f"start a throw-away cluster with scripts/postgres.sh on port {start_port}",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")


def on_each_database(
    arguments: argparse.Namespace, start_port: int, bench: BenchDatabase
) -> tuple[list[str], list[str]]:
    """``bench`` on a fresh SQLite file, then on a throw-away PostgreSQL database when a server
    is given or started; the summary lines and wrong answers of both."""
    summary: list[str] = []
    errors: list[str] = []
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="xqb-bench-") as directory:
            work_dir = Path(directory)
            with sqlite_database(work_dir) as url:
                lines, problems = bench("SQLite", url, work_dir, arguments)
        summary += lines
        errors += problems

    with contextlib.ExitStack() as stack:
        server_url = arguments.postgres_url
        if server_url is None and arguments.start_postgres:
            server_url = stack.enter_context(local_postgres(start_port))
        if server_url is None:
            reason = "no --postgres-url, no XQB_BENCH_POSTGRES_URL, no --start-postgres"
            print(f"== PostgreSQL: skipped ({reason})")
            summary.append(f"PostgreSQL: skipped ({reason})")
        else:
            work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xqb-bench-")))
            url = stack.enter_context(postgres_database(server_url))
            lines, problems = bench("PostgreSQL", url, work_dir, arguments)
            summary += lines
            errors += problems
    return summary, errors


def finish(summary: list[str], errors: list[str], *footer: str) -> None:
    """Print the summary (and ``footer`` lines); exit with status 1 on any wrong answer."""
    print("== summary")
    for line in [*summary, *footer]:
        print(f"  {line}")
    if errors:
        print(f"FAILED: {len(errors)} wrong answer(s); the first:")
        for error in errors[:10]:
            print(f"  {error}")
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10_000, help="awards in the batch (0: skip)")
    parser.add_argument("--singles", type=int, default=2_000, help="single awards (0: skip)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent single clients")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between job polls")
    add_database_options(parser, START_POSTGRES_PORT)
    parser.add_argument("--profile", action="store_true", help="profile an in-process batch")
    parser.add_argument("--profile-rows", type=int, default=500, help="awards in the profile")
    parser.add_argument("--profile-top", type=int, default=25, help="entries printed")
    arguments = parser.parse_args()
    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the database is dropped, the cluster stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if arguments.batch and arguments.batch <= 100:
        parser.error("--batch must exceed 100 awards (smaller batches are not jobs)")
    if arguments.profile and arguments.profile_rows <= 100:
        parser.error("--profile-rows must exceed 100 awards (smaller batches are not jobs)")

    print(
        f"awards: batch {arguments.batch}, singles {arguments.singles} from"
        f" {arguments.concurrency} clients; {os.cpu_count()} cores; python {sys.version.split()[0]}"
    )
    summary, errors = on_each_database(arguments, START_POSTGRES_PORT, bench_database)
    finish(summary, errors)


if __name__ == "__main__":
    main()
