"""The W3C VC API issue and verify endpoints, so standard tools and test suites can drive us."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.responses import problems
from app.credentials.ob3 import is_open_badge
from app.issuer.signing import CredentialSigner
from app.problems import PROBLEM_TYPE_BASE
from app.store.repositories import IssuerRepository
from app.verifier.report import Check
from app.verifier.service import VerificationService

router = APIRouter(tags=["vc-api"])


class IssueOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    format: Literal["ldp_vc", "jwt_vc"] = Field(
        default="ldp_vc",
        description="ldp_vc: a Data Integrity eddsa-rdfc-2022 proof; jwt_vc: a VC-JWT",
    )


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any]
    options: IssueOptions = Field(default_factory=IssueOptions)


class IssueResponse(BaseModel):
    verifiableCredential: dict[str, Any] | str


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verifiableCredential: dict[str, Any] | str
    options: dict[str, Any] = Field(default_factory=dict)


class CheckOut(BaseModel):
    check: str
    outcome: str
    code: str | None = None
    message: str


class VerifyResponse(BaseModel):
    verified: bool
    checks: list[str]
    warnings: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    report: list[CheckOut]


@router.post(
    "/credentials/issue",
    status_code=201,
    response_model=IssueResponse,
    summary="Sign a credential as the token's issuer (scope awards:write)",
    description=(
        "Signs any well-formed VC 2.0 credential that uses the allowed contexts; Open Badges "
        "must also pass the OB 3.0 schema and data model rules. Without an `issuer`, the "
        "token's issuer is filled in (its OB3 Profile for an Open Badge, its DID otherwise); "
        "another issuer is refused."
    ),
    responses=problems(401, 403, 413, 422),
)
def issue(
    body: IssueRequest, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> IssueResponse:
    principal.require("awards:write")
    issuer = IssuerRepository(session).by_id(principal.issuer_id)
    assert issuer is not None
    signer = CredentialSigner(session, runtime.settings, runtime.private_keys)
    credential = dict(body.credential)
    if "issuer" not in credential:
        credential["issuer"] = (
            signer.identity.profile(issuer)
            if is_open_badge(credential)
            else signer.identity.did(issuer)
        )
    if body.options.format == "jwt_vc":
        return IssueResponse(verifiableCredential=signer.sign_jwt(issuer, credential))
    return IssueResponse(verifiableCredential=signer.sign(issuer, credential))


def _problem(check: Check, status: int) -> dict[str, Any]:
    code = check.code or check.name
    return {
        "type": PROBLEM_TYPE_BASE + code.replace("_", "-"),
        "title": f"{check.name} check {check.outcome.value}",
        "status": status,
        "detail": check.message,
        "code": code,
    }


@router.post(
    "/credentials/verify",
    response_model=VerifyResponse,
    summary="Verify a credential (JSON-LD with proof, or VC-JWT); 200 if verified, else 400",
    responses={400: {"description": "Not verified; `errors` says why", "model": VerifyResponse}},
)
def verify(body: VerifyRequest, runtime: RuntimeDep, session: SessionDep) -> JSONResponse:
    report = VerificationService(session, runtime).verify(body.verifiableCredential)
    status = 200 if report.verified else 400
    payload = VerifyResponse(
        verified=report.verified,
        checks=[check.name for check in report.checks if check.outcome.value == "passed"],
        warnings=[_problem(check, 200) for check in report.warnings()],
        errors=[_problem(check, 400) for check in report.failures()],
        report=[CheckOut(**check.as_dict()) for check in report.checks],
    )
    return JSONResponse(payload.model_dump(), status_code=status)
