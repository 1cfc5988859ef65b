"""Learner records for transcripts: the CLR 2.0 credential and the student-information-system
exports (JSON and CSV) of a learner's current badges."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from app.access.clients import Principal
from app.api.awards import actor_for
from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.responses import JsonLdResponse, problems
from app.pages import negotiation
from app.problems import NotAcceptable
from app.records.learner_records import ClrSigner, LearnerRecord, LearnerRecords, Scope
from app.records.transcripts import COLUMNS, transcript_csv, transcript_json, transcript_rows
from app.runtime import Runtime

router = APIRouter(tags=["learner records"])

LearnerId = Annotated[str, Path(max_length=64, description="A learnerId")]
IssuerSlug = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Whose record: the learner's issuer (the default) or an organisation above it",
    ),
]
ScopeQuery = Annotated[
    Scope,
    Query(description="`issuer`: that issuer's awards; `tree`: also every organisation under it"),
]
TRANSCRIPT_TYPES = (negotiation.JSON, "text/csv")
CLR_TYPES = (
    negotiation.JSON_LD,
    negotiation.VC_JSON_LD,
    negotiation.JSON,
    negotiation.VC_JWT,
    negotiation.JWT,
)


def _record(
    session: Session,
    runtime: Runtime,
    principal: Principal,
    learner: str,
    issuer: str | None,
    scope: Scope,
) -> LearnerRecord:
    principal.require("awards:read")
    actor = actor_for(session, principal)
    records = LearnerRecords(session, runtime.settings)
    found = records.learner(learner, actor)
    return records.record(found, records.keeper(found, issuer, actor), scope)


@router.get(
    "/api/v1/learners/{learner}/clr",
    summary="The learner's current badges as a signed CLR 2.0 ClrCredential (scope awards:read)",
    description=(
        "Every current (not revoked, superseded or expired) OpenBadgeCredential of the learner, "
        "embedded as issued, with the badges' pathways and prerequisites as associations. "
        "`Accept: application/vc+jwt` gives a VC-JWT; JSON-LD with an eddsa-rdfc-2022 proof "
        "otherwise. CLR 2.0 requires at least one credential: a learner with no current badge "
        "gets a 404 `no-current-badges`."
    ),
    response_class=JsonLdResponse,
    responses={
        200: {
            "content": {
                "application/ld+json": {},
                "application/vc+ld+json": {},
                "application/vc+jwt": {},
            }
        },
        **problems(401, 403, 404, 406, 422),
    },
)
def learner_clr(
    learner: LearnerId,
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    issuer: IssuerSlug = None,
    scope: ScopeQuery = "issuer",
) -> Response:
    chosen = negotiation.negotiate(request.headers.get("accept"), CLR_TYPES)
    if chosen is None:
        raise NotAcceptable(
            "a CLR is available as application/ld+json, application/vc+ld+json or "
            "application/vc+jwt"
        )
    record = _record(session, runtime, principal, learner, issuer, scope)
    signer = ClrSigner(session, runtime.settings, runtime.private_keys)
    if chosen in (negotiation.VC_JWT, negotiation.JWT):
        return Response(signer.signed_jwt(record), media_type=chosen, headers={"Vary": "Accept"})
    media = chosen if chosen != negotiation.JSON else negotiation.JSON_LD
    return JsonLdResponse(signer.signed(record), media_type=media, headers={"Vary": "Accept"})


_COLUMN_TABLE = "\n".join(f"- `{name}`: {description}" for name, description in COLUMNS)


@router.get(
    "/api/v1/learners/{learner}/transcript",
    summary="The learner's current badges for a student information system, as JSON or CSV "
    "(scope awards:read)",
    description=(
        "One row per current badge, by pathway and code. `Accept: text/csv` gives CSV with a "
        "header row; JSON otherwise, where each badge also lists its CPE results. Columns:\n\n"
        + _COLUMN_TABLE
    ),
    responses={
        200: {"content": {"application/json": {}, "text/csv": {}}},
        **problems(401, 403, 404, 406, 422),
    },
)
def learner_transcript(
    learner: LearnerId,
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    issuer: IssuerSlug = None,
    scope: ScopeQuery = "issuer",
) -> Response:
    chosen = negotiation.negotiate(request.headers.get("accept"), TRANSCRIPT_TYPES)
    if chosen is None:
        raise NotAcceptable("a transcript is available as application/json or text/csv")
    record = _record(session, runtime, principal, learner, issuer, scope)
    rows = transcript_rows(record, runtime.settings)
    if chosen == "text/csv":
        return Response(
            transcript_csv([(record, rows)]),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="transcript-{learner}.csv"',
                "Vary": "Accept",
            },
        )
    return JSONResponse(transcript_json(record, rows), headers={"Vary": "Accept"})
