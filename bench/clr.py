"""Building and signing learners' CLR 2.0 credentials, in-process, on SQLite and on PostgreSQL.

Run ``python bench/clr.py`` (from the repository root, in the project's virtualenv). For each
database it makes a fresh, migrated database (SQLite: a file in a temporary directory;
PostgreSQL: a throw-away database on the server named by ``--postgres-url`` or
``XQB_BENCH_POSTGRES_URL``, or on a local cluster with ``--start-postgres``; see bench/awards.py,
whose helpers it shares) and bootstraps the service (issuer "xq" with its keys, the 23-badge XQ
catalog). No HTTP: everything runs in this process, as the route
``GET /api/v1/learners/{learner}/clr`` does it after authentication.

Setup (timed and printed, not part of the figures): one learner is awarded each of the 23
catalog badges once, and ``--learners`` learners (default 1,000) ``--badges-per-learner`` badges
each (default 5; each learner a different random subset of the catalog, seeded), by
``AwardService.award_many`` in chunks of 200, each chunk with a session of its own. Awards carry
no results or evidence. The learners' ids are the award answers' ``learnerId``.

Then, each CLR made with a fresh session as the API makes it (``LearnerRecords.learner``,
``.keeper``, ``.record(..., "issuer")``, then ``ClrSigner.signed`` or ``.signed_jwt``: the record
is read, the ClrCredential assembled with every current OpenBadgeCredential embedded, checked and
signed), timed from the session's opening to the signed answer:

1. one full CLR: the 23-badge learner's CLR with a Data Integrity (eddsa-rdfc-2022) proof,
   ``--repeat`` times (default 50) after 2 unmeasured warm-ups; then the same as a VC-JWT; then
   verifying the signed Data Integrity CLR with ``VerificationService(session, runtime).verify``
   (a session of its own each time; the CLR's proof and each embedded credential's proof, status
   and record are checked), which must answer ``verified`` with verdict "valid" and a report for
   each embedded credential. Reported for each: mean, p50, p95 and max in ms, and this
   process's CPU time per call (the rest of a call is waiting: for a core on a busy machine, or
   for the database). Target: the p50 of building and signing the Data Integrity CLR of 23
   credentials under 300 ms.
2. throughput: each of the ``--learners`` learners' CLR (Data Integrity), once, one after
   another. Reported: CLRs per second over the pass, the p50/p95/max of one CLR and its CPU time.

Each of these four measurements stops early once ``--budget`` seconds (default 30; 0: never)
are up, and then says how many calls it made and how long all of them would have taken; the
figures are those of the calls made. Every answer is checked: a signed CLR must have
``ClrCredential`` among its types and embed as many credentials as the learner was awarded (the
VC-JWT's payload likewise). Wrong answers are printed and make the command exit with status 1.
The 1-minute load average is printed at the start and the end: other work on the machine shows
in the figures. ``--profile`` then runs cProfile over ``--profile-count`` full (23-credential)
Data Integrity CLRs (default 10) and prints the top entries by cumulative and by own time.

The base URL is ``http://127.0.0.1:8000``, so the issuer is a did:key and the VC-JWT is signed
with EdDSA (an https deployment signs VC-JWTs with RS256 under did:web).

A default run takes about 70 s on SQLite on this 2-core machine when it is otherwise idle
(November 2026: setup 16 s; a 23-credential CLR signed in 83 ms p50 with Data Integrity and 79 ms
as a VC-JWT, verified in 231 ms; 37 CLRs of 5 credentials a second); on PostgreSQL the full CLR
took 125 ms p50 and the throughput pass stopped at its budget after 584 learners (19 a second).
``--learners 100`` gives a first look; ``--budget 0`` makes every measurement run to the end.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import json
import math
import os
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.engine import make_url

from bench.awards import add_database_options, finish, on_each_database, print_profile, verdict

CLR_TARGET_MS = 300.0
CLR_TARGET_CREDENTIALS = 23
START_POSTGRES_PORT = 54379  # not awards.py's nor verify.py's, so the benchmarks can run at once
WARMUPS = 2
AWARD_CHUNK = 200
SEED = 20261115
MAX_ERRORS_PRINTED = 20


# -- the service ----------------------------------------------------------------------------------


@contextlib.contextmanager
def bootstrapped(database_url: str, work_dir: Path) -> Iterator[Any]:
    """Migrate and bootstrap ``database_url``; the service's Runtime."""
    from app.bootstrap import bootstrap
    from app.migrations import upgrade_to_head
    from app.runtime import Runtime
    from app.settings import Settings

    settings = Settings(
        database_url=database_url,
        keys_dir=work_dir / "keys",
        public_base_url="http://127.0.0.1:8000",
        key_passphrase=None,
        rate_limits_enabled=False,
    )
    upgrade_to_head(settings)
    runtime = Runtime.from_settings(settings)
    try:
        bootstrap(runtime)
        yield runtime
    finally:
        runtime.close()


def bench_actor(runtime: Any) -> Any:
    """An Actor for issuer "xq" that may act for any issuer, as a trusted client would."""
    from app.awards.service import Actor
    from app.issuer.issuers import get_issuer

    with runtime.sessions() as session:
        issuer_id = get_issuer(session, "xq").id
    return Actor(
        client_id="bench", issuer_id=issuer_id, may_act_for=lambda issuer: True, request_id="bench"
    )


def catalog_codes(runtime: Any) -> list[str]:
    from app.issuer.issuers import get_issuer
    from app.store.repositories import AchievementRepository

    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        return sorted(AchievementRepository(session).for_issuer_by_code(issuer.id))


# -- setup: learners and their awards -------------------------------------------------------------


@dataclass
class Learner:
    label: str
    codes: list[str]
    public_id: str | None = None


def subsets(codes: list[str], learners: int, size: int) -> list[list[str]]:
    """``learners`` random subsets of ``size`` codes each, distinct while there are enough."""
    rng = random.Random(SEED)
    distinct = math.comb(len(codes), size)
    seen: set[tuple[str, ...]] = set()
    chosen: list[list[str]] = []
    while len(chosen) < learners:
        subset = tuple(sorted(rng.sample(codes, size)))
        if subset in seen and len(seen) < distinct:
            continue
        seen.add(subset)
        chosen.append(list(subset))
    return chosen


def award_all(runtime: Any, actor: Any, learners: list[Learner], run: str) -> list[str]:
    """Award each learner its codes through ``AwardService.award_many`` in chunks; sets each
    learner's ``public_id`` and returns what went wrong."""
    from app.awards.input import AwardInput
    from app.awards.service import AwardOutcome, AwardService

    rows: list[tuple[Learner, Any]] = []
    for number, learner in enumerate(learners):
        recipient = {
            "email": f"learner-{run}-{number}@students.example.org",
            "studentId": f"S-{run}-{number}",
            "name": f"Learner {number}",
        }
        for code in learner.codes:
            body = {
                "achievement": code,
                "recipient": recipient,
                "sourceAwardId": f"bench-clr-{run}-{number}-{code}",
                "results": [],
            }
            rows.append((learner, AwardInput.model_validate(body)))
    errors: list[str] = []
    for first in range(0, len(rows), AWARD_CHUNK):
        chunk = rows[first : first + AWARD_CHUNK]
        with runtime.sessions() as session:
            service = AwardService(session, runtime.settings, runtime.private_keys)
            answers = service.award_many([(request, None) for _learner, request in chunk], actor)
        for (learner, request), answer in zip(chunk, answers, strict=True):
            if not isinstance(answer, AwardOutcome) or answer.status_code != 201:
                errors.append(f"award {request.source_award_id}: {answer!r}"[:500])
                continue
            learner_id = answer.body["learnerId"]
            if learner.public_id is None:
                learner.public_id = learner_id
            elif learner.public_id != learner_id:
                errors.append(
                    f"award {request.source_award_id} went to learner {learner_id},"
                    f" not {learner.public_id}"
                )
    return errors


# -- one CLR, as the API makes it -----------------------------------------------------------------


def make_clr(runtime: Any, actor: Any, public_id: str, form: str) -> Any:
    """The learner's signed CLR: a dict (``form`` "di") or a VC-JWT string ("jwt")."""
    from app.records.learner_records import ClrSigner, LearnerRecords

    with runtime.sessions() as session:
        records = LearnerRecords(session, runtime.settings)
        learner = records.learner(public_id, actor)
        record = records.record(learner, records.keeper(learner, None, actor), "issuer")
        signer = ClrSigner(session, runtime.settings, runtime.private_keys)
        return signer.signed_jwt(record) if form == "jwt" else signer.signed(record)


def jwt_payload(token: str) -> Any:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def clr_problem(answer: Any, credentials: int) -> str | None:
    """What is wrong with a signed CLR (a dict, or a VC-JWT) that should embed
    ``credentials`` credentials; None when nothing is."""
    if isinstance(answer, str):
        try:
            answer = jwt_payload(answer)
        except (IndexError, ValueError) as error:
            return f"not a JWT with a JSON payload: {error!r}"
    if not isinstance(answer, dict):
        return f"not a JSON object: {type(answer).__name__}"
    types = answer.get("type")
    if not isinstance(types, list) or "ClrCredential" not in types:
        return f"type {types!r} has no ClrCredential"
    subject = answer.get("credentialSubject")
    embedded = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    count = len(embedded) if isinstance(embedded, list) else None
    if count != credentials:
        return f"{count} embedded credentials, expected {credentials}"
    return None


# -- figures --------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(
    action: Callable[[], Any], repeat: int, warmups: int, budget: float
) -> tuple[list[float], float, list[Any]]:
    """``warmups`` unmeasured calls, then up to ``repeat`` timed ones, fewer when ``budget``
    seconds (0: no limit) are up after one: (ms of each, this process's CPU ms per timed call,
    every answer)."""
    answers = [action() for _ in range(warmups)]
    times: list[float] = []
    deadline = time.perf_counter() + budget if budget else math.inf
    cpu = time.process_time()
    for _ in range(repeat):
        started = time.perf_counter()
        answer = action()
        finished = time.perf_counter()
        times.append((finished - started) * 1000)
        answers.append(answer)
        if finished >= deadline:
            break
    return times, (time.process_time() - cpu) * 1000 / len(times), answers


def cut_short(done: int, wanted: int, times: list[float], budget: float) -> str:
    """A note when a measurement stopped at its budget before ``wanted`` calls."""
    if done >= wanted:
        return ""
    whole = statistics.fmean(times) * wanted / 1000
    return (
        f" (stopped at the {budget:g} s budget after {done} of {wanted};"
        f" all {wanted} would take about {whole:.0f} s)"
    )


def spread(times: list[float], cpu_ms: float) -> str:
    """Wall-clock figures of ``times``, and the CPU time of one call (the rest of a call's time
    went waiting: for a core, when the machine is busy, or for the database)."""
    return (
        f"mean {statistics.fmean(times):.1f}  p50 {percentile(times, 0.50):.1f}"
        f"  p95 {percentile(times, 0.95):.1f}  max {max(times):.1f};  CPU {cpu_ms:.1f} a call"
    )


# -- 1. one full CLR ------------------------------------------------------------------------------


def measure_full(
    runtime: Any, actor: Any, learner: Learner, repeat: int, budget: float
) -> tuple[list[str], list[str]]:
    """Build and sign the full learner's CLR in both forms, and verify the signed one."""
    from app.verifier.service import VerificationService

    assert learner.public_id is not None
    public_id, count = learner.public_id, len(learner.codes)
    lines: list[str] = []
    errors: list[str] = []

    def check(label: str, answers: list[Any]) -> None:
        wrong = [problem for answer in answers if (problem := clr_problem(answer, count))]
        errors.extend(f"{label}: {problem}" for problem in wrong)
        if wrong:
            print(f"           ERROR {len(wrong)} wrong: {wrong[0]}")

    def figures(what: str, times: list[float], cpu_ms: float) -> str:
        print(f"           {what} ms, {len(times)}x: {spread(times, cpu_ms)}")
        note = cut_short(len(times), repeat, times, budget)
        if note:
            print(f"          {note}")
        return (
            f"p50 {percentile(times, 0.50):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
            f" ({len(times)}x)"
        )

    times, cpu_ms, answers = timed(
        lambda: make_clr(runtime, actor, public_id, "di"), repeat, WARMUPS, budget
    )
    size = len(json.dumps(answers[-1], separators=(",", ":")).encode())
    print(f"  full CLR of {count} credentials, Data Integrity ({size:,} bytes of JSON):")
    figures("build + sign", times, cpu_ms)
    check("full CLR (Data Integrity)", answers)
    p50 = percentile(times, 0.50)
    if count == CLR_TARGET_CREDENTIALS:
        line = f"{verdict(p50 < CLR_TARGET_MS)} (p50 {p50:.1f} ms, {len(times)}x)"
    else:
        line = f"not measured ({count} credentials; p50 {p50:.1f} ms)"
    print(
        f"           target: p50 under {CLR_TARGET_MS:.0f} ms for one CLR of"
        f" {CLR_TARGET_CREDENTIALS} credentials: {line}"
    )
    lines.append(f"full CLR ({count} credentials), Data Integrity: {line}")
    signed = answers[-1]

    times, cpu_ms, answers = timed(
        lambda: make_clr(runtime, actor, public_id, "jwt"), repeat, WARMUPS, budget
    )
    print(f"  full CLR of {count} credentials, VC-JWT ({len(answers[-1]):,} characters):")
    line = figures("build + sign", times, cpu_ms)
    check("full CLR (VC-JWT)", answers)
    lines.append(f"full CLR ({count} credentials), VC-JWT: {line}")

    def verify() -> Any:
        with runtime.sessions() as session:
            return VerificationService(session, runtime).verify(signed)

    times, cpu_ms, reports = timed(verify, repeat, WARMUPS, budget)
    print("  verifying that signed Data Integrity CLR in-process (VerificationService.verify):")
    line = figures("verify", times, cpu_ms)
    not_valid = [
        report
        for report in reports
        if not report.verified or report.verdict.value != "valid" or len(report.embedded) != count
    ]
    if not_valid:
        report = not_valid[0]
        failed = [item for item in report.checks if item.outcome.value != "passed"]
        print(f"           ERROR {len(not_valid)} not valid; the first: {report.verdict.value}")
        print(f"           {failed}"[:2000])
        errors.append(
            f"verify full CLR: {len(not_valid)} of {len(reports)} not valid"
            f" ({report.verdict.value}, {len(report.embedded)} embedded reports): {failed}"[:2000]
        )
    else:
        print(f"           every answer verified, verdict valid, {count} embedded reports")
    lines.append(f"verify full CLR ({count} credentials): {line}")
    return lines, errors


# -- 2. throughput over many learners -------------------------------------------------------------


def measure_throughput(
    runtime: Any, actor: Any, learners: list[Learner], budget: float
) -> tuple[list[str], list[str]]:
    """Each learner's Data Integrity CLR once, one after another, until ``budget`` seconds
    (0: no limit) are up."""
    times: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    deadline = started + budget if budget else math.inf
    cpu = time.process_time()
    for learner in learners:
        assert learner.public_id is not None
        before = time.perf_counter()
        try:
            answer = make_clr(runtime, actor, learner.public_id, "di")
        except Exception as error:  # a refusal is a wrong answer, not the end of the run
            problem: str | None = f"raised {error!r}"[:500]
        else:
            problem = clr_problem(answer, len(learner.codes))
        finished = time.perf_counter()
        times.append((finished - before) * 1000)
        if problem is not None:
            errors.append(f"{learner.label} ({learner.public_id}): {problem}")
        if finished >= deadline:
            break
    seconds = time.perf_counter() - started
    done = len(times)
    cpu_ms = (time.process_time() - cpu) * 1000 / done
    per_second = done / seconds
    print(
        f"  throughput: {done} learners' CLRs (Data Integrity, {len(learners[0].codes)}"
        f" credentials each) one after another in {seconds:.2f} s = {per_second:.1f} CLRs/s"
    )
    print(f"           one CLR ms: {spread(times, cpu_ms)}")
    note = cut_short(done, len(learners), times, budget)
    if note:
        print(f"          {note}")
    print(f"           wrong answers: {len(errors)}")
    for wrong in errors[:MAX_ERRORS_PRINTED]:
        print(f"           ERROR {wrong}")
    if len(errors) > MAX_ERRORS_PRINTED:
        print(f"           ... and {len(errors) - MAX_ERRORS_PRINTED} more")
    line = (
        f"throughput, {done} of {len(learners)} learners: {per_second:.1f} CLRs/s,"
        f" p50 {percentile(times, 0.50):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
    )
    return [line], errors


# -- profile --------------------------------------------------------------------------------------


def profile_full(runtime: Any, actor: Any, learner: Learner, count: int, top: int) -> list[str]:
    """cProfile over ``count`` full Data Integrity CLRs; returns what went wrong."""
    assert learner.public_id is not None
    public_id = learner.public_id
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    answers = [make_clr(runtime, actor, public_id, "di") for _ in range(count)]
    profiler.disable()
    elapsed = time.perf_counter() - started
    problems = [
        f"profiled CLR: {problem}"
        for answer in answers
        if (problem := clr_problem(answer, len(learner.codes)))
    ]
    print(
        f"  profiled {count} full CLRs in-process (under cProfile): {elapsed:.2f} s,"
        f" {1000 * elapsed / count:.0f} ms each; wrong: {len(problems)}"
    )
    print_profile(profiler, top)
    return problems


# -- main -----------------------------------------------------------------------------------------


def bench_database(
    label: str, database_url: str, work_dir: Path, arguments: argparse.Namespace
) -> tuple[list[str], list[str]]:
    """Run the measurements on one database; returns (summary lines, errors)."""
    print(f"== {label}: {make_url(database_url).render_as_string(hide_password=True)}")
    run = f"{os.getpid()}-{int(time.time())}"
    with bootstrapped(database_url, work_dir) as runtime:
        actor = bench_actor(runtime)
        codes = catalog_codes(runtime)
        if arguments.badges_per_learner > len(codes):
            raise SystemExit(
                f"--badges-per-learner {arguments.badges_per_learner}: the catalog has only"
                f" {len(codes)} badges"
            )
        full = Learner("the full learner", codes)
        learners = [
            Learner(f"learner {number}", subset)
            for number, subset in enumerate(
                subsets(codes, arguments.learners, arguments.badges_per_learner)
            )
        ]
        started = time.perf_counter()
        errors = award_all(runtime, actor, [full, *learners], run)
        awards = len(codes) + sum(len(learner.codes) for learner in learners)
        seconds = time.perf_counter() - started
        print(
            f"  setup: {awards} awards ({len(codes)} to one learner, {arguments.badges_per_learner}"
            f" to each of {len(learners)} others) by AwardService.award_many in chunks of"
            f" {AWARD_CHUNK} in {seconds:.1f} s ({awards / seconds:.0f} awards/s);"
            f" {len(errors)} refused"
        )
        for error in errors[:MAX_ERRORS_PRINTED]:
            print(f"           ERROR {error}")
        if errors or full.public_id is None or any(x.public_id is None for x in learners):
            return [f"{label}: setup failed"], [f"{label} setup: {error}" for error in errors] or [
                f"{label} setup: a learner got no award"
            ]
        lines, problems = measure_full(runtime, actor, full, arguments.repeat, arguments.budget)
        errors += problems
        if learners:
            more_lines, problems = measure_throughput(runtime, actor, learners, arguments.budget)
            lines += more_lines
            errors += problems
        if arguments.profile:
            errors += profile_full(
                runtime, actor, full, arguments.profile_count, arguments.profile_top
            )
    return [f"{label} {line}" for line in lines], [f"{label} {error}" for error in errors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed full CLRs of each kind")
    parser.add_argument("--learners", type=int, default=1000, help="learners in the throughput")
    parser.add_argument(
        "--badges-per-learner", type=int, default=5, help="badges each of those learners holds"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds after which a measurement stops early (0: never)",
    )
    add_database_options(parser, START_POSTGRES_PORT)
    parser.add_argument("--profile", action="store_true", help="profile full CLRs in-process")
    parser.add_argument("--profile-count", type=int, default=10, help="full CLRs profiled")
    parser.add_argument("--profile-top", type=int, default=25, help="entries printed")
    arguments = parser.parse_args()
    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the database is dropped, the cluster stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if arguments.budget < 0:
        parser.error("--budget must not be negative")
    if arguments.repeat < 1 or arguments.profile_count < 1:
        parser.error("--repeat and --profile-count must be at least 1")
    if arguments.learners < 0 or arguments.badges_per_learner < 1:
        parser.error("--learners must not be negative, --badges-per-learner at least 1")

    print(
        f"clr: full CLR {arguments.repeat}x each; {arguments.learners} learners of"
        f" {arguments.badges_per_learner} badges; budget {arguments.budget:g} s a measurement;"
        f" {os.cpu_count()} cores;"
        f" python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f}"
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
