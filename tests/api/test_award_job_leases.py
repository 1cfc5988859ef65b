"""Award jobs by lease: one runner per job, a live runner's job left alone, a dead one's taken
over, and a job that goes on by itself through a database outage (no restart)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from app.awards.jobs import JobRunner
from app.runtime import Runtime
from app.store.models import Award, AwardJob, StatusList
from tests.api.test_award_batches import rows, wait_for_job
from tests.helpers import bearer

CHUNK = 100


def positions_claimed(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.coalesce(func.sum(StatusList.next_index), 0))) or 0)


def awards_and_credentials(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        count = int(session.scalar(select(func.count(Award.id))) or 0)
        distinct = int(
            session.scalar(select(func.count(func.distinct(Award.source_award_id)))) or 0
        )
        return count, distinct


def job_row(runtime: Runtime, uid: str) -> AwardJob:
    with runtime.sessions() as session:
        job = session.scalars(select(AwardJob).where(AwardJob.uid == uid)).one()
        session.expunge(job)
        return job


def submit(client, headers, count: int, key: str) -> str:
    response = client.post(
        "/api/v1/awards/batch",
        json={"awards": rows(count)},
        headers={**headers, "Idempotency-Key": key},
    )
    assert response.status_code == 202, response.text
    return str(response.json()["url"])


def test_a_second_process_leaves_a_live_runners_job_alone(client, runtime, make_token):
    headers = bearer(make_token("awards:write"))
    url = submit(client, headers, 600, "live-1")
    uid = url.rsplit("/", 1)[1]
    other = JobRunner(runtime.sessions, runtime.settings, runtime.private_keys)
    while (job := job_row(runtime, uid)).owner is None:
        time.sleep(0.01)
    assert not job.owner.startswith(other.process)
    for _ in range(20):
        other.sweep()
        assert other.running() == set()
        time.sleep(0.05)
    done = wait_for_job(client, headers, url)
    assert done["summary"] == {"issued": 600, "alreadyIssued": 0, "failed": 0}
    assert positions_claimed(runtime) == 600
    assert job_row(runtime, uid).owner is None


def test_a_job_whose_lease_ran_out_is_taken_over_and_a_resent_batch_revives_it(
    client, runtime, make_token
):
    headers = bearer(make_token("awards:write"))
    runtime.jobs.stopping.set()
    url = submit(client, headers, 150, "stalled-1")
    runtime.jobs.stopping.clear()
    uid = url.rsplit("/", 1)[1]
    with runtime.sessions() as session:
        session.execute(
            update(AwardJob)
            .where(AwardJob.uid == uid)
            .values(
                owner="dead-host:1:x/y",
                status="running",
                lease_until=datetime.now(UTC) + timedelta(seconds=2),
            )
        )
        session.commit()
    again = client.post(
        "/api/v1/awards/batch",
        json={"awards": rows(150)},
        headers={**headers, "Idempotency-Key": "stalled-1"},
    )
    assert again.json()["id"] == uid
    time.sleep(0.3)
    assert job_row(runtime, uid).owner == "dead-host:1:x/y"

    time.sleep(2)
    again = client.post(
        "/api/v1/awards/batch",
        json={"awards": rows(150)},
        headers={**headers, "Idempotency-Key": "stalled-1"},
    )
    assert again.json()["id"] == uid
    done = wait_for_job(client, headers, url)
    assert done["summary"] == {"issued": 150, "alreadyIssued": 0, "failed": 0}


ROWS = 3_000
OUTAGE_SECONDS = 5.5
WASTE_BOUND = 3 * CHUNK
"""Status positions an outage may leave unused: each attempt cut short wastes at most the chunk
it had claimed, and the runner's backoff allows few attempts in 5.5 s of outage."""


def _outage(server_url: str, database: str, seconds: float) -> None:
    """Refuse new connections to the database and end every open one, for ``seconds``."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {database} ALLOW_CONNECTIONS false"))
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database},
                )
                time.sleep(0.05)
            connection.execute(text(f"ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
    finally:
        admin.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_job_goes_on_by_itself_through_a_database_outage(
    client, runtime, make_token, postgres_server_url
):
    headers = bearer(make_token("awards:write"))
    url = submit(client, headers, ROWS, "outage-1")
    uid = url.rsplit("/", 1)[1]
    deadline = time.monotonic() + 300
    while job_row(runtime, uid).processed < 600:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    database = make_url(runtime.settings.database_url).database
    assert database is not None
    cut = threading.Thread(target=_outage, args=(postgres_server_url, database, OUTAGE_SECONDS))
    cut.start()
    cut.join()
    assert job_row(runtime, uid).status == "running"

    done = wait_for_job(client, headers, url, timeout=600)
    assert sorted(row["index"] for row in done["results"]) == list(range(ROWS))
    assert done["summary"]["failed"] == 0
    assert done["summary"]["issued"] + done["summary"]["alreadyIssued"] == ROWS
    assert awards_and_credentials(runtime) == (ROWS, ROWS)
    wasted = positions_claimed(runtime) - ROWS
    assert 0 <= wasted <= WASTE_BOUND, wasted
