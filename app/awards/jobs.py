"""Running award jobs: one runner per job at a time, by lease, and on through database outages.

A job row names its ``owner`` and how long it holds the job (``lease_until``). A runner takes a
job with one conditional UPDATE that succeeds only while the job is unfinished and free (never
taken, or its lease ran out) or already its own, so two processes never work one job: a process
started next to a live one leaves that one's jobs alone. The lease is renewed with the progress
before every chunk; a runner that finds another owner there stops before issuing anything more.

When the database goes away mid-job the runner keeps what it has issued in memory, backs off
and claims the job again (it is still its own) once the database answers, going on from the
chunk it was at. A process that dies leaves its lease to run out; then the sweep of any other
process (every ``job_poll_seconds``), or a re-sent batch, takes the job over and replays the
rows already committed under their idempotency keys. A signing key that cannot sign pauses the
job the same way.

Status positions are claimed (and committed) before a chunk's awards: a chunk cut short by an
outage leaves at most its ``CHUNK`` positions unused, never a position used twice.

A run keeps the job's rows as JSON text, one string a row, parsed a chunk at a time: as dicts,
10,000 rows are some hundred thousand objects that every full garbage collection would visit
with the event loop waiting; strings the collector does not visit at all.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app import gcpause
from app.awards.batches import CHUNK, BatchService, job_actor
from app.awards.input import AwardInput
from app.awards.service import Actor
from app.issuer.keystore import PrivateKeyCache, SigningKeyUnavailable, SigningKeyUnsafe
from app.settings import Settings
from app.store.models import AwardJob
from app.store.repositories import JobRepository

log = logging.getLogger("xqbadges.jobs")

FIRST_RETRY_SECONDS = 0.2
LAST_RETRY_SECONDS = 5.0
_PAUSES = (OperationalError, InterfaceError, SigningKeyUnsafe, SigningKeyUnavailable)
"""What makes a run wait and try again, rather than give the job up."""


class _LeaseLost(Exception):
    """Another runner holds the job now."""


def _row_texts(rows: list[Any]) -> list[str]:
    return [json.dumps(row) for row in rows]


class JobRunner:
    """This process's award jobs: a thread per job it holds, and the sweep for free ones."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        keys: PrivateKeyCache,
        actor_for: Callable[[Session, AwardJob], Actor] = job_actor,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.keys = keys
        self.actor_for = actor_for
        self.process = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.stopping = threading.Event()
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def start(self, uid: str) -> bool:
        """Work on the job in a thread, unless this process already does; the thread simply
        ends when another process holds the job."""
        with self._lock:
            if uid in self._running or self.stopping.is_set():
                return False
            self._running.add(uid)
        threading.Thread(
            target=self._work, args=(uid,), name=f"award-job-{uid}", daemon=True
        ).start()
        return True

    def sweep(self) -> int:
        """Start the unfinished jobs nobody holds; how many were started."""
        with self.sessions() as session:
            free = JobRepository(session).claimable(datetime.now(UTC))
        return sum(self.start(uid) for uid in free)

    def sweep_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.sweep()
            except (OperationalError, InterfaceError) as error:
                log.warning("job sweep: the database is unavailable (%s)", type(error).__name__)
            stop.wait(self.settings.job_poll_seconds)

    def running(self) -> set[str]:
        with self._lock:
            return set(self._running)

    def _work(self, uid: str) -> None:
        try:
            self._attempts(uid)
        except Exception:
            log.exception("award job %s stopped; another runner takes it when its lease ends", uid)
        finally:
            with self._lock:
                self._running.discard(uid)

    def _attempts(self, uid: str) -> None:
        """Run the job, pausing and claiming it again after an outage, until it is done, another
        runner has it, or the process stops. Everything it built is gone when it returns (before
        the collector resumes: see app.gcpause)."""
        owner = f"{self.process}/{secrets.token_hex(4)}"
        results: dict[int, dict[str, Any]] = {}
        pause = FIRST_RETRY_SECONDS
        while not self.stopping.is_set():
            try:
                self._run(uid, owner, results)
                return
            except _LeaseLost:
                log.warning("award job %s: another runner took it over", uid)
                return
            except _PAUSES as error:
                log.warning(
                    "award job %s paused (%s); trying again in %.1f s",
                    uid,
                    type(error).__name__,
                    pause,
                )
            self.stopping.wait(pause)
            pause = min(pause * 2, LAST_RETRY_SECONDS)

    def _lease(self) -> tuple[datetime, datetime]:
        now = datetime.now(UTC)
        return now, now + timedelta(seconds=self.settings.job_lease_seconds)

    def _run(self, uid: str, owner: str, results: dict[int, dict[str, Any]]) -> None:
        """Claim the job and issue its rows not yet in ``results``; raises `_LeaseLost` or what
        `_PAUSES` names. ``results`` outlives a failed attempt, so a retry goes on from there."""
        with self.sessions() as session:
            jobs = JobRepository(session)
            if not jobs.claim(uid, owner, *self._lease()):
                session.commit()
                return
            session.commit()
            job = jobs.status_of(uid)
            assert job is not None
            with gcpause.paused():
                rows = _row_texts(jobs.rows_of(job.id))
            for row in job.results:
                results.setdefault(row["index"], row)
            actor = self.actor_for(session, job)
            service = BatchService(session, self.settings, self.keys)
            for start in range(0, job.total, CHUNK):
                end = min(start + CHUNK, job.total)
                todo = [index for index in range(start, end) if index not in results]
                if not todo:
                    continue
                if self.stopping.is_set():
                    jobs.release(job.id, owner)
                    session.commit()
                    return
                if not jobs.renew(job.id, owner, *self._lease(), processed=start):
                    session.rollback()
                    raise _LeaseLost
                session.commit()
                chunk = [(index, AwardInput.model_validate_json(rows[index])) for index in todo]
                for row in service.issue_rows(chunk, actor, lambda index: f"job:{uid}#{index}"):
                    results[row["index"]] = row
            if not jobs.finish(job.id, owner, list(results.values()), datetime.now(UTC)):
                session.rollback()
                raise _LeaseLost
            session.commit()
