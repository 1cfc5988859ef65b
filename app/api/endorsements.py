"""Endorsements of a badge (OB 3.0 EndorsementCredentials): issue, import, list, withdraw."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.awards import actor_for
from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.responses import JsonLdResponse, problems
from app.endorsements.service import EndorsementService, EndorsementView
from app.verifier.service import VerificationService

router = APIRouter(tags=["endorsements"])

SCOPE = "endorsements:write"
AchievementUid = Annotated[
    str, Path(pattern=r"^[0-9a-f-]{36}$", description="The endorsed achievement's id")
]
EndorsementUid = Annotated[
    str, Path(pattern=r"^[0-9a-f-]{36}$", description="The endorsement's id")
]


class EndorseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endorser: str = Field(
        pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
        description="Slug of the endorsing issuer: the caller's, or one below it",
    )
    comment: str | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        description="The endorser's words about the badge (endorsementComment; may be Markdown)",
    )


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any] | str = Field(
        description="A signed EndorsementCredential: a JSON object with its proof, or a VC-JWT"
    )


class EndorserOut(BaseModel):
    id: str = Field(description="The endorser's DID or URL, as the credential's issuer")
    name: str
    url: str | None


class EndorsementOut(BaseModel):
    id: str
    url: str = Field(description="Where this service serves the credential")
    endorser: EndorserOut
    comment: str | None
    endorsedAt: str
    source: Literal["issued", "imported"] = Field(
        description="issued: signed here for an endorser this service holds; imported: signed "
        "elsewhere and verified on import"
    )
    status: Literal["active", "withdrawn"]
    format: Literal["ldp", "jwt"]
    credential: dict[str, Any] = Field(
        description="The EndorsementCredential (for a VC-JWT, the credential its claims carry)"
    )
    credentialJwt: str | None = Field(description="The VC-JWT, when it came as one")


class EndorsementList(BaseModel):
    achievement: str = Field(description="The endorsed achievement's id (URL)")
    endorsements: list[EndorsementOut]


def endorsement_out(view: EndorsementView) -> EndorsementOut:
    return EndorsementOut(
        id=view.uid,
        url=view.url,
        endorser=EndorserOut(id=view.endorser_id, name=view.endorser_name, url=view.endorser_url),
        comment=view.comment,
        endorsedAt=view.endorsed_on.isoformat(),
        source="issued" if view.issued_here else "imported",
        status="active" if view.status == "active" else "withdrawn",
        format="jwt" if view.credential_jwt else "ldp",
        credential=view.credential,
        credentialJwt=view.credential_jwt,
    )


def _service(runtime: RuntimeDep, session: SessionDep) -> EndorsementService:
    return EndorsementService(session, runtime.settings, runtime.private_keys)


@router.get(
    "/api/v1/achievements/{uid}/endorsements",
    response_model=EndorsementList,
    summary="The achievement's endorsements in force (public)",
    responses=problems(404),
)
def list_endorsements(
    uid: AchievementUid, runtime: RuntimeDep, session: SessionDep
) -> EndorsementList:
    service = _service(runtime, session)
    achievement = service.achievement(uid)
    return EndorsementList(
        achievement=service.publisher.achievement_url(achievement),
        endorsements=[endorsement_out(view) for view in service.in_force(achievement)],
    )


@router.post(
    "/api/v1/achievements/{uid}/endorsements",
    status_code=201,
    response_model=EndorsementOut,
    summary="Endorse the achievement as an issuer of this service (scope endorsements:write)",
    description=(
        "Signs an OB 3.0 EndorsementCredential (eddsa-rdfc-2022) by `endorser`, an issuer the "
        "client acts for, about this achievement, with a status entry in the endorser's status "
        "list. An issuer cannot endorse its own badges; an endorser has one endorsement in "
        "force per badge (409 `endorsement-exists`)."
    ),
    responses=problems(401, 403, 404, 409, 422),
)
def issue_endorsement(
    uid: AchievementUid,
    body: EndorseIn,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> EndorsementOut:
    principal.require(SCOPE)
    service = _service(runtime, session)
    achievement = service.achievement(uid)
    endorsement = service.issue(
        achievement, body.endorser, body.comment, actor_for(session, principal)
    )
    session.commit()
    return endorsement_out(service.view(achievement, endorsement))


@router.post(
    "/api/v1/achievements/{uid}/endorsements/import",
    status_code=201,
    response_model=EndorsementOut,
    summary="Record an endorsement of the achievement signed elsewhere (scope endorsements:write)",
    description=(
        "For a client of the achievement's issuer. The credential is verified like "
        "`POST /api/v1/verify` does and recorded only if every check passes "
        "(`endorsement-not-verified` lists the failed checks), it is an EndorsementCredential "
        "(`not-an-endorsement`) and its `credentialSubject.id` is this achievement's id "
        "(`endorsement-subject-mismatch`)."
    ),
    responses=problems(401, 403, 404, 409, 422),
)
def import_endorsement(
    uid: AchievementUid,
    body: ImportIn,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> EndorsementOut:
    principal.require(SCOPE)
    service = _service(runtime, session)
    achievement = service.achievement(uid)
    endorsement = service.import_credential(
        achievement,
        body.credential,
        actor_for(session, principal),
        VerificationService(session, runtime).verify,
    )
    session.commit()
    return endorsement_out(service.view(achievement, endorsement))


@router.delete(
    "/api/v1/achievements/{uid}/endorsements/{endorsement}",
    response_model=EndorsementOut,
    summary="Withdraw an endorsement (scope endorsements:write)",
    description=(
        "An issued endorsement is withdrawn by a client of its endorser: its status bit is set, "
        "so verifiers see it revoked. An imported one is withdrawn by a client of the "
        "achievement's issuer: this service stops listing it. Withdrawing again changes nothing."
    ),
    responses=problems(401, 403, 404),
)
def withdraw_endorsement(
    uid: AchievementUid,
    endorsement: EndorsementUid,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> EndorsementOut:
    principal.require(SCOPE)
    service = _service(runtime, session)
    achievement = service.achievement(uid)
    withdrawn = service.withdraw(achievement, endorsement, actor_for(session, principal))
    session.commit()
    return endorsement_out(service.view(achievement, withdrawn))


@router.get(
    "/achievements/{uid}/endorsements/{endorsement}",
    response_class=JsonLdResponse,
    summary="One endorsement credential, at its id (JSON-LD, or the VC-JWT it came as)",
    responses={
        200: {"content": {"application/ld+json": {}, "application/vc+jwt": {}}},
        **problems(404),
    },
)
def get_endorsement(
    uid: AchievementUid, endorsement: EndorsementUid, runtime: RuntimeDep, session: SessionDep
) -> Response:
    service = _service(runtime, session)
    found = service.get(service.achievement(uid), endorsement)
    if found.credential_jwt is not None:
        return Response(found.credential_jwt, media_type="application/vc+jwt")
    return JsonLdResponse(found.credential, headers={"Cache-Control": "no-cache"})
