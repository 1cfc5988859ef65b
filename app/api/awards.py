"""The award API for LMS and portfolio platforms: award, read, list, revoke, reissue."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy.orm import Session

from app import gcpause, jsontext
from app.access.clients import Principal
from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.errors import JSON_CONTENT_TYPE_HINT, parse_json_body
from app.api.responses import problems
from app.awards.batches import MAX_BATCH, BatchOutcome, BatchService
from app.awards.history import AwardHistory
from app.awards.input import AwardInput, Text
from app.awards.service import Actor, AwardService
from app.logs import request_id_var
from app.problems import InvalidRequest, UnsupportedMediaType, validation_items
from app.runtime import Runtime

router = APIRouter(tags=["awards"])

AwardUid = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="The award's id")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retries with the same key and body get the first answer again",
    ),
]
Status = Literal["active", "revoked", "superseded", "expired"]


def actor_for(session: Session, principal: Principal) -> Actor:
    return Actor(
        client_id=principal.client_id,
        issuer_id=principal.issuer_id,
        may_act_for=lambda issuer: principal.may_act_for(session, issuer),
        request_id=request_id_var.get(),
    )


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text


class ReissueIn(BaseModel):
    """What changes; everything else is carried over from the award being replaced."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Text | None = Field(default=None, description="The learner's corrected display name")
    results: list[dict[str, Any]] | None = None
    evidence: list[dict[str, Any]] | None = None
    narrative: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    valid_until: datetime | None = Field(default=None, alias="validUntil")
    reason: Text


class EvidenceIn(BaseModel):
    """The award's evidence as it should now be: it replaces the whole list."""

    model_config = ConfigDict(extra="forbid")

    evidence: list[dict[str, Any]] = Field(max_length=100)
    reason: Text = "evidence updated"


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    awards: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)
    all_or_nothing: bool = Field(
        default=False,
        alias="allOrNothing",
        description="Issue nothing unless every row is valid",
    )


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public: bool = Field(description="Whether /learners/{learnerId} lists the learner's badges")


class ProfileOut(BaseModel):
    learnerId: str
    public: bool
    profileUrl: str


class AwardPage(BaseModel):
    awards: list[dict[str, Any]]
    next: str | None


@router.post(
    "/api/v1/awards",
    status_code=201,
    summary="Award a badge (scope awards:write); retried safely with Idempotency-Key",
    responses={
        200: {"description": "This sourceAwardId was already awarded: the existing award"},
        **problems(401, 403, 409, 413, 422),
    },
)
def post_award(
    body: AwardInput,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    principal.require("awards:write")
    outcome = AwardService(session, runtime.settings, runtime.private_keys).award(
        body, actor_for(session, principal), idempotency_key=idempotency_key
    )
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.post(
    "/api/v1/awards/batch",
    summary="Award many (up to 10,000; scope awards:write): 200 with per-row results, or "
    "202 with a job for more than 100 rows",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BatchIn.model_json_schema()}},
        }
    },
    responses={202: {"description": "A job; poll its url"}, **problems(401, 403, 413, 422)},
)
async def post_batch(
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Async only to read the body: parsing 10,000 rows, checking and issuing them run on a
    worker thread, so the event loop keeps answering other requests meanwhile."""
    principal.require("awards:write")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"this route reads a JSON body, but the request said {media_type}: "
            + JSON_CONTENT_TYPE_HINT
        )
    body = await request.body()
    actor = actor_for(session, principal)
    return await anyio.to_thread.run_sync(
        lambda: _submit_batch(runtime, session, actor, body, idempotency_key)
    )


def _submit_batch(
    runtime: Runtime, session: Session, actor: Actor, body: bytes, idempotency_key: str | None
) -> JSONResponse:
    with gcpause.paused():
        outcome = _submit(runtime, session, actor, body, idempotency_key)
    if outcome.status_code == 202 and outcome.body["status"] != "done":
        runtime.jobs.start(outcome.body["id"])
    return JSONResponse(outcome.body, status_code=outcome.status_code)


def _submit(
    runtime: Runtime, session: Session, actor: Actor, body: bytes, idempotency_key: str | None
) -> BatchOutcome:
    """The parsed rows die with this call, before the collector resumes (see app.gcpause)."""
    batch = _batch_input(body)
    service = BatchService(session, runtime.settings, runtime.private_keys)
    outcome = service.submit(
        batch.awards,
        actor,
        all_or_nothing=batch.all_or_nothing,
        idempotency_key=idempotency_key,
    )
    session.expunge_all()
    return outcome


def _batch_input(body: bytes) -> BatchIn:
    document = parse_json_body(body)
    try:
        return BatchIn.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest(
            f"{error.error_count()} problem(s) in the request",
            errors=validation_items(error.errors()),
        ) from error


@router.get(
    "/api/v1/jobs/{uid}",
    summary="A batch job's progress, and its per-row results once done (scope awards:write)",
    responses={200: {"content": {"application/json": {}}}, **problems(401, 403, 404)},
)
def get_job(
    uid: AwardUid, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> Response:
    """Rendered here, on the worker thread: a finished job's 10,000 results are megabytes."""
    principal.require("awards:write")
    with gcpause.paused():
        body = _job_json(runtime, session, principal, uid)
    return Response(body, media_type="application/json")


def _job_json(runtime: Runtime, session: Session, principal: Principal, uid: str) -> bytes:
    """The job's JSON, its results written a row at a time; nothing built here outlives it."""
    service = BatchService(session, runtime.settings, runtime.private_keys)
    job = service.get_job(uid, actor_for(session, principal))
    session.expunge_all()
    results = job.pop("results", None)
    text = json.dumps(job)
    if results is not None:
        text = f'{text[:-1]}, "results": {jsontext.dumps(results)}}}'
    return text.encode()


@router.get(
    "/api/v1/awards/{uid}",
    summary="One award: its current state and its whole history (scope awards:read)",
    responses=problems(401, 403, 404),
)
def get_award(
    uid: AwardUid, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    principal.require("awards:read")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    return history.detail(uid, actor_for(session, principal))


@router.get(
    "/api/v1/awards",
    response_model=AwardPage,
    summary="Awards of the client's issuers, filtered, a page at a time (scope awards:read)",
    responses=problems(401, 403, 404, 422),
)
def list_awards(
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    learner: Annotated[str | None, Query(max_length=64, description="A learnerId")] = None,
    achievement: Annotated[
        str | None, Query(max_length=2000, description="id or humanCode")
    ] = None,
    issuer: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(description="Changed at or after")] = None,
    status: Status | None = None,
    cursor: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AwardPage:
    principal.require("awards:read")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    items, next_cursor = history.page(
        actor_for(session, principal),
        learner=learner,
        achievement=achievement,
        issuer=issuer,
        since=since,
        status=status,
        after=int(cursor or 0),
        limit=limit,
    )
    return AwardPage(awards=items, next=next_cursor)


@router.get(
    "/api/v1/learners/{learner}/awards",
    response_model=AwardPage,
    summary="A learner's awards (scope awards:read)",
    responses=problems(401, 403, 404),
)
def learner_awards(
    learner: Annotated[str, Path(max_length=64)],
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AwardPage:
    principal.require("awards:read")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    actor = actor_for(session, principal)
    history.require_learner(learner, actor)
    items, next_cursor = history.page(
        actor,
        learner=learner,
        achievement=None,
        issuer=None,
        since=None,
        status=None,
        after=int(cursor or 0),
        limit=limit,
    )
    return AwardPage(awards=items, next=next_cursor)


@router.put(
    "/api/v1/learners/{learner}/profile",
    response_model=ProfileOut,
    summary="Make a learner's badge page public, or private again (scope awards:write)",
    description=(
        "Learner pages are private by default. Turn one on when the learner (or a guardian) "
        "asks; the page lists only current badges and never an email or student id."
    ),
    responses=problems(401, 403, 404, 422),
)
def set_learner_profile(
    learner: Annotated[str, Path(max_length=64)],
    body: ProfileIn,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    principal.require("awards:write")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    return history.set_profile_public(learner, body.public, actor_for(session, principal))


@router.post(
    "/api/v1/awards/{uid}/revoke",
    summary="Revoke an award with a reason (scope awards:revoke); status lists show it at once",
    responses=problems(401, 403, 404, 409, 422),
)
def revoke_award(
    uid: AwardUid,
    body: RevokeIn,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    principal.require("awards:revoke")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    return history.revoke(uid, body.reason, actor_for(session, principal))


@router.post(
    "/api/v1/awards/{uid}/reissue",
    status_code=201,
    summary="Replace an award with a corrected credential; the old one becomes superseded",
    responses=problems(401, 403, 404, 409, 422),
)
def reissue_award(
    uid: AwardUid,
    body: ReissueIn,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    principal.require("awards:revoke")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    changes = body.model_dump(by_alias=True, exclude_none=True, mode="json")
    reason = changes.pop("reason")
    return history.reissue(uid, changes, reason, actor_for(session, principal))


@router.put(
    "/api/v1/awards/{uid}/evidence",
    status_code=201,
    summary="Replace an award's evidence: a new credential with the new evidence supersedes "
    "the old one (scope awards:write)",
    responses=problems(401, 403, 404, 409, 422),
)
def update_evidence(
    uid: AwardUid,
    body: EvidenceIn,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> dict[str, Any]:
    principal.require("awards:write")
    history = AwardHistory(session, runtime.settings, runtime.private_keys)
    return history.reissue(
        uid,
        {"evidence": body.evidence},
        body.reason,
        actor_for(session, principal),
        event="evidence-updated",
    )
