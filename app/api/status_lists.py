"""Public status lists: what verifiers fetch to learn whether a credential was revoked."""

from __future__ import annotations

import json
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import JsonLdResponse, problems
from app.issuer.issuers import get_issuer
from app.issuer.signing import CredentialSigner
from app.issuer.status_lists import StatusLists, etag_of

router = APIRouter(tags=["status"])

STATUS_CACHE_CONTROL = "public, max-age=0, must-revalidate"
"""Caches may keep a list but must ask again each time: a revocation shows on the next fetch."""


@router.get(
    "/status-lists/{uid}",
    summary="A signed BitstringStatusListCredential (revocation)",
    response_class=JsonLdResponse,
    responses={304: {"description": "Not modified (If-None-Match)"}, **problems(404)},
)
def get_status_list(
    uid: Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")],
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    lists = StatusLists(session, runtime.settings)
    status_list = lists.get(uid)
    signer = CredentialSigner(session, runtime.settings, runtime.private_keys)
    signed = lists.current(status_list, signer, runtime.status_list_cache)
    headers = {
        "ETag": signed.etag,
        "Cache-Control": STATUS_CACHE_CONTROL,
        "Last-Modified": format_datetime(signed.last_modified, usegmt=True),
    }
    return _revalidated(request, signed.body, headers, "application/vc+ld+json")


@router.get(
    "/issuers/{slug}/revocations",
    summary="The issuer's 1EdTech revocation list (status method 1EdTechRevocationList)",
    responses={
        200: {"content": {"application/json": {}}},
        304: {"description": "Not modified (If-None-Match)"},
        **problems(404),
    },
)
def get_revocation_list(
    slug: Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$")],
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    document = StatusLists(session, runtime.settings).revocation_list(get_issuer(session, slug))
    body = json.dumps(document, separators=(",", ":")).encode()
    headers = {
        "ETag": etag_of(body),
        "Cache-Control": STATUS_CACHE_CONTROL,
    }
    return _revalidated(request, body, headers, "application/json")


def _revalidated(request: Request, body: bytes, headers: dict[str, str], media: str) -> Response:
    """The body, or a 304 when the client's cached copy (``If-None-Match``) is still current."""
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
