"""POST /api/v1/verify: verify a credential given as JSON, a VC-JWT, a baked image or a URL."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from typing import Any, Literal

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import UploadFile

from app.api.deps import RuntimeDep
from app.api.errors import JSON_CONTENT_TYPE_HINT, parse_json_body
from app.api.responses import problems
from app.credentials.baking import extract_baked
from app.credentials.errors import CredentialError
from app.problems import (
    InvalidRequest,
    UnsupportedMediaType,
    validation_items,
)
from app.runtime import Runtime
from app.verifier.report import VerificationReport
from app.verifier.service import (
    CredentialUnreadable,
    VerificationService,
    credential_from_text,
)

router = APIRouter(tags=["verification"])

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
Source = Literal["json", "jwt", "url", "image"]


class VerifyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any] | str | None = Field(
        default=None, description="The credential: a JSON object (with proof) or a VC-JWT string"
    )
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="Where a credential is hosted (this service's or another issuer's)",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> VerifyInput:
        if (self.credential is None) == (self.url is None):
            raise ValueError("send exactly one of credential and url")
        return self


class CheckOut(BaseModel):
    check: str = Field(
        description="jsonld, schema, issuer_key, proof, validity, status, achievement, issuer, "
        "records; embedded for a CLR"
    )
    outcome: Literal["passed", "failed", "warning", "unknown", "skipped"]
    code: str | None = Field(default=None, description="Stable reason code when not passed")
    message: str


VerdictOut = Literal[
    "valid",
    "invalid",
    "revoked",
    "suspended",
    "superseded",
    "expired",
    "not-yet-valid",
    "unknown",
]


class IssuerOut(BaseModel):
    id: str | None = Field(description="The issuer's DID (or URL) as the credential states it")
    name: str | None = Field(
        description="The issuer's name as the credential states it: the signer's own claim"
    )
    recognised: bool = Field(
        description="True when the verifier knows who holds the signing key (see basis); a "
        "valid signature by an unrecognised issuer proves nothing about its name"
    )
    basis: Literal["this-service", "trust-registry", "domain"] | None = Field(
        description="this-service: one of this service's issuers; trust-registry: listed in a "
        "trust registry the operator configured; domain: a did:web, bound to a web domain"
    )
    registry: str | None = Field(description="The trust registry that lists the issuer")
    listedName: str | None = Field(
        description="The issuer's name in this service's records or in the trust registry"
    )
    domain: str | None = Field(description="The web domain a did:web issuer controls")


def issuer_out(report: VerificationReport) -> IssuerOut | None:
    return None if report.issuer is None else IssuerOut(**report.issuer.as_dict())


class EmbeddedOut(BaseModel):
    id: str | None = Field(description="The embedded credential's id")
    name: str | None
    verified: bool
    verdict: VerdictOut
    format: Literal["ldp", "jwt"] | None
    issuer: IssuerOut | None
    checks: list[CheckOut]


class VerificationOut(BaseModel):
    verified: bool = Field(description="True when every check passed (warnings allowed)")
    verdict: VerdictOut
    source: Source
    format: Literal["ldp", "jwt"] | None = Field(
        description="ldp: Data Integrity proof; jwt: VC-JWT"
    )
    checkedAt: str
    issuer: IssuerOut | None = Field(
        description="Who issued the credential and whether the verifier recognises them; null "
        "when the credential could not be read"
    )
    checks: list[CheckOut]
    credential: dict[str, Any] | None = Field(
        description="The credential as read (the JWT's claims for a VC-JWT)"
    )
    embedded: list[EmbeddedOut] = Field(
        default_factory=list,
        description="For a CLR: each credential it carries, verified on its own, in order",
    )


def _text(credential: dict[str, Any] | None, key: str) -> str | None:
    value = None if credential is None else credential.get(key)
    return value if isinstance(value, str) else None


def verification_out(report: VerificationReport, source: Source) -> VerificationOut:
    return VerificationOut(
        verified=report.verified,
        verdict=report.verdict.value,
        source=source,
        format=report.format,
        checkedAt=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        issuer=issuer_out(report),
        checks=[CheckOut(**check.as_dict()) for check in report.checks],
        credential=report.credential,
        embedded=[
            EmbeddedOut(
                id=_text(inner.credential, "id"),
                name=_text(inner.credential, "name"),
                verified=inner.verified,
                verdict=inner.verdict.value,
                format=inner.format,
                issuer=issuer_out(inner),
                checks=[CheckOut(**check.as_dict()) for check in inner.checks],
            )
            for inner in report.embedded
        ],
    )


def run_verification(
    runtime: Runtime, credential: Any = None, url: str | None = None
) -> tuple[VerificationReport, Source]:
    """Verify in the calling (worker) thread with a session of its own."""
    with runtime.sessions() as session:
        service = VerificationService(session, runtime)
        source: Source = "url"
        if url is not None:
            credential = service.credential_at(url)
        else:
            source = "jwt" if isinstance(credential, str) else "json"
        return service.verify(credential), source


def credential_from_upload(data: bytes) -> dict[str, Any] | str:
    """An uploaded file: a baked PNG or SVG badge, or a JSON or VC-JWT text file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise CredentialUnreadable(f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KiB")
    stripped = data.removeprefix(codecs.BOM_UTF8).lstrip()  # editors on Windows add a BOM
    if stripped.startswith(b"{") or stripped.startswith(b"ey"):
        try:
            return credential_from_text(stripped.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise CredentialUnreadable("the file is not UTF-8 text") from error
    try:
        return extract_baked(data)
    except CredentialError as error:
        raise CredentialUnreadable(error.message) from error


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip().startswith((b"{", b"["))


async def read_verify_input(request: Request) -> tuple[Any, str | None, Source | None]:
    """The credential (or URL) from a JSON body or a form (multipart, or URL-encoded without a
    file); the source is "image" for an uploaded file."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded" and _looks_like_json(await request.body()):
        raise UnsupportedMediaType(
            "the body is JSON sent as application/x-www-form-urlencoded (what curl -d sends): "
            + JSON_CONTENT_TYPE_HINT
        )
    if media_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # As a context manager, so the uploaded file's temporary file is closed on the way out.
        async with request.form(max_files=1, max_fields=4) as form:
            upload, text, url = form.get("file"), form.get("credential"), form.get("url")
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read(MAX_UPLOAD_BYTES + 1)
                return credential_from_upload(data), None, "image"
            if isinstance(text, str) and text.strip():
                return credential_from_text(text), None, None
            if isinstance(url, str) and url.strip():
                return None, url.strip(), None
        raise InvalidRequest("send a file, a pasted credential or a URL")
    if media_type not in ("application/json", ""):
        raise UnsupportedMediaType(
            "send application/json ({credential} or {url}) or multipart/form-data (file)"
        )
    document = await anyio.to_thread.run_sync(parse_json_body, await request.body())
    try:
        body = VerifyInput.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest(
            "the body is not a verification request", errors=validation_items(error.errors())
        ) from error
    return body.credential, body.url, None


@router.post(
    "/api/v1/verify",
    response_model=VerificationOut,
    summary="Verify a credential: JSON, VC-JWT, baked PNG/SVG, or the URL of a hosted one",
    description=(
        'Public: no token needed. Send `application/json` with `{"credential": <object or '
        'VC-JWT>}` or `{"url": "https://..."}`, or `multipart/form-data` with `file` (a '
        "baked PNG or SVG badge, or a JSON/JWT file), `credential` (pasted text) or `url`. "
        "The answer is always 200 once a credential was read: `verified` and `verdict` say "
        "what the checks found, each check with an outcome, a stable code and a sentence. "
        "Other issuers' keys, status lists and credentials are fetched over https only, never "
        "from private addresses, within size and time limits."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": VerifyInput.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "credential": {"type": "string"},
                            "url": {"type": "string"},
                        },
                    }
                },
            },
        }
    },
    responses={
        **problems(404, 413, 422),
        415: {"description": "Not JSON or multipart", "content": {"application/problem+json": {}}},
        502: {
            "description": "The URL could not be fetched, or did not answer a credential",
            "content": {"application/problem+json": {}},
        },
    },
)
async def verify(request: Request, runtime: RuntimeDep) -> VerificationOut:
    credential, url, source = await read_verify_input(request)
    report, read_from = await anyio.to_thread.run_sync(
        lambda: run_verification(runtime, credential, url)
    )
    return verification_out(report, source or read_from)
