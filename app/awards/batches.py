"""Batches of awards: validated as a whole first, then issued a chunk at a time.

Every row is checked (shape, issuer, badge, CPEs) before anything is issued, and each row's
problems carry its index. With ``allOrNothing`` one bad row stops the whole batch; otherwise the
good rows are issued and the bad ones reported. Small batches answer at once; large ones become
a job that a background runner works through (app.awards.jobs) and
``GET /api/v1/jobs/{id}`` reports on.

Rows are issued under their own idempotency keys (the batch key or the job id, then ``#`` and
the row index), so a re-sent batch, or a job run again after a crash, never doubles an award.
A job commits a chunk of ``CHUNK`` rows at a time: a crash loses at most the chunk under way,
which the resumed job issues again.

Problems are gathered per row as they are found, so collating them stays linear in the batch; a
refused batch lists at most ``MAX_LISTED_PROBLEMS`` of them and counts the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.awards.input import AwardInput
from app.awards.service import Actor, AwardOutcome, AwardService, IdempotencyKeyReused
from app.issuer.keystore import PrivateKeyCache
from app.problems import InvalidRequest, NotFound, Problem, ProblemItem, validation_items
from app.settings import Settings
from app.store.models import AwardJob
from app.store.repositories import ClientRepository, IssuerRepository, JobRepository

log = logging.getLogger("xqbadges.batches")

MAX_BATCH = 10_000
INLINE_LIMIT = 100
"""Batches up to this many rows are answered in the response; larger ones become jobs."""
CHUNK = 100
"""Rows of a job issued in one transaction (one claim of status positions, one insert of each
kind of row)."""
MAX_LISTED_PROBLEMS = 100
"""Problems a refused batch lists; ``problemCount`` and ``invalidRows`` count them all."""

RowProblems = dict[int, list[ProblemItem]]
"""The problems of each invalid row, by the row's index in the batch."""


@dataclass(frozen=True)
class BatchOutcome:
    status_code: int
    body: dict[str, Any]


def _row_problems(index: int, error: Exception) -> list[ProblemItem]:
    prefix = f"$.awards[{index}]"
    if isinstance(error, ValidationError):
        return validation_items(error.errors(), prefix)
    assert isinstance(error, Problem)
    items = error.errors or [ProblemItem("$", error.detail)]
    return [
        ProblemItem(prefix + item.location.removeprefix("$"), item.message, item.extra)
        for item in items
    ]


class BatchService:
    def __init__(self, session: Session, settings: Settings, keys: PrivateKeyCache) -> None:
        self.session = session
        self.settings = settings
        self.keys = keys
        self.awards = AwardService(session, settings, keys)
        self.jobs = JobRepository(session)

    def submit(
        self,
        rows: list[dict[str, Any]],
        actor: Actor,
        *,
        all_or_nothing: bool,
        idempotency_key: str | None,
    ) -> BatchOutcome:
        digest = hashlib.sha256(
            json.dumps([rows, all_or_nothing], sort_keys=True).encode()
        ).hexdigest()
        if idempotency_key is not None:
            existing = self.jobs.by_key(actor.client_id, idempotency_key)
            if existing is not None:
                if existing.request_hash != digest:
                    raise IdempotencyKeyReused("this Idempotency-Key named another batch")
                return BatchOutcome(202, self.job_body(existing))
        parsed, problems = self.validate(rows, actor)
        if problems and (all_or_nothing or len(problems) == len(rows)):
            raise _refused(problems, all_or_nothing=all_or_nothing)
        if idempotency_key is None:
            _require_repeatable(parsed)
        if len(rows) <= INLINE_LIMIT:
            valid = [(index, request) for index, request in enumerate(parsed) if request]
            issued = self.issue_rows(valid, actor, lambda index: _row_key(idempotency_key, index))
            results = sorted(
                issued + [_failed_row(index, items) for index, items in problems.items()],
                key=lambda row: int(row["index"]),
            )
            return BatchOutcome(200, {"results": results, "summary": _summary(results)})
        job = self._create_job(rows, actor, idempotency_key, digest, problems)
        return BatchOutcome(202, self.job_body(job))

    def validate(
        self, rows: list[dict[str, Any]], actor: Actor
    ) -> tuple[list[AwardInput | None], RowProblems]:
        parsed: list[AwardInput | None] = []
        problems: RowProblems = {}
        for index, row in enumerate(rows):
            try:
                request = AwardInput.model_validate(row)
                self.awards.check(request, actor)
            except (ValidationError, Problem) as error:
                if isinstance(error, Problem) and error.status not in (403, 404, 422):
                    raise
                problems[index] = _row_problems(index, error)
                parsed.append(None)
                continue
            parsed.append(request)
        return parsed, problems

    def issue_rows(
        self,
        rows: Sequence[tuple[int, AwardInput]],
        actor: Actor,
        key_of: Callable[[int], str | None],
    ) -> list[dict[str, Any]]:
        """Issue valid rows (batch index, request) in one transaction; a result per row."""
        answers = self.awards.award_many(
            [(request, key_of(index)) for index, request in rows], actor
        )
        return [
            _row_result(index, answer)
            for (index, _request), answer in zip(rows, answers, strict=True)
        ]

    def _create_job(
        self,
        rows: list[dict[str, Any]],
        actor: Actor,
        key: str | None,
        digest: str,
        problems: RowProblems,
    ) -> AwardJob:
        results = [_failed_row(index, items) for index, items in problems.items()]
        job = AwardJob(
            uid=str(uuid.uuid4()),
            client_id=actor.client_id,
            issuer_id=actor.issuer_id,
            idempotency_key=key,
            request_hash=digest,
            status="queued",
            total=len(rows),
            processed=0,
            rows=rows,
            results=results,
        )
        try:
            self.jobs.add(job)
            self.session.commit()
        except IntegrityError:
            self.session.rollback()
            assert key is not None
            found = self.jobs.by_key(actor.client_id, key)
            assert found is not None
            return found
        return job

    def job_body(self, job: AwardJob) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": job.uid,
            "status": job.status,
            "total": job.total,
            "processed": job.processed,
            "url": f"/api/v1/jobs/{job.uid}",
        }
        if job.status == "done":
            body["results"] = sorted(job.results, key=lambda row: row["index"])
            body["summary"] = _summary(job.results)
        return body

    def get_job(self, uid: str, actor: Actor) -> dict[str, Any]:
        job = self.jobs.status_of(uid)
        if job is None or job.client_id != actor.client_id:
            raise NotFound(f"there is no job {uid!r}")
        return self.job_body(job)


def job_actor(session: Session, job: AwardJob) -> Actor:
    """The job's client, acting for its issuer (and those below it, as it may)."""
    client = ClientRepository(session).by_client_id(job.client_id)
    issuers = IssuerRepository(session)
    allowed = {job.issuer_id}
    if client is not None and client.covers_descendants:
        allowed |= issuers.descendant_ids(job.issuer_id)
    return Actor(
        client_id=job.client_id,
        issuer_id=job.issuer_id,
        may_act_for=lambda issuer: issuer.id in allowed,
        request_id=f"job:{job.uid}",
    )


def _row_key(batch_key: str | None, index: int) -> str | None:
    return None if batch_key is None else f"{batch_key}#{index}"


def _failed_row(index: int, items: list[ProblemItem]) -> dict[str, Any]:
    return {
        "index": index,
        "status": 422,
        "code": "validation-error",
        "errors": [item.as_dict() for item in items],
    }


class BatchNotRepeatable(Problem):
    status, code, title = 422, "batch-not-repeatable", "A re-sent batch would award twice"


def _require_repeatable(parsed: Sequence[AwardInput | None]) -> None:
    """Refuse a batch that a retry would issue again: without an Idempotency-Key, only rows
    with a ``sourceAwardId`` are recognised when sent a second time."""
    unnamed = [
        index for index, row in enumerate(parsed) if row is not None and not row.source_award_id
    ]
    if unnamed:
        raise BatchNotRepeatable(
            f"{len(unnamed)} row(s) have no sourceAwardId and the request has no "
            "Idempotency-Key, so sending the batch again would award them twice; give each row "
            "its sourceAwardId or send an Idempotency-Key header",
            errors=[
                ProblemItem(f"$.awards[{index}].sourceAwardId", "missing, and no Idempotency-Key")
                for index in unnamed[:MAX_LISTED_PROBLEMS]
            ],
        )


def _refused(problems: RowProblems, *, all_or_nothing: bool) -> InvalidRequest:
    """The whole batch refused: the first problems in row order, and how many there are."""
    count = sum(len(items) for items in problems.values())
    listed: list[ProblemItem] = []
    for index in sorted(problems):
        listed.extend(problems[index][: MAX_LISTED_PROBLEMS - len(listed)])
        if len(listed) >= MAX_LISTED_PROBLEMS:
            break
    reason = "allOrNothing" if all_or_nothing else "no row is valid"
    return InvalidRequest(
        f"{len(problems)} row(s) are not valid; nothing was issued ({reason})"
        + (
            f"; the first {len(listed)} of {count} problems are listed"
            if count > len(listed)
            else ""
        ),
        errors=listed,
        extensions={"invalidRows": len(problems), "problemCount": count},
    )


def _row_result(index: int, answer: AwardOutcome | Problem) -> dict[str, Any]:
    if isinstance(answer, Problem):
        return {
            "index": index,
            "status": answer.status,
            "code": answer.code,
            "errors": [item.as_dict() for item in _row_problems(index, answer)],
        }
    return {
        "index": index,
        "status": answer.status_code,
        "id": answer.body["id"],
        "publicUrl": answer.body["publicUrl"],
    }


def _summary(results: list[dict[str, Any]]) -> dict[str, int]:
    issued = sum(1 for row in results if row["status"] == 201)
    existing = sum(1 for row in results if row["status"] == 200)
    return {"issued": issued, "alreadyIssued": existing, "failed": len(results) - issued - existing}
