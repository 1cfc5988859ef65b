"""Open Badges 2.0 hosted verification: each award as an Assertion, with its BadgeClass, issuer
Profile and RevocationList, for platforms that import only OB 2.0.

Badge Objects answer as ``application/ld+json``, or ``application/json`` to a client that asks
only for that, as the OB 2.0 specification says. A revoked (or superseded) assertion answers
410 Gone with its document marked ``revoked: true``, the specification's way of revoking a
hosted assertion.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import JsonLdResponse, problems
from app.pages import negotiation
from app.records.ob2_export import Ob2Export

router = APIRouter(tags=["ob2"])

Token = Annotated[str, Path(max_length=200)]
Uid = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="The achievement's id")]
Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$", description="The issuer's slug")]

_BADGE_OBJECT = {
    "content": {negotiation.JSON_LD: {}, negotiation.JSON: {}},
    "description": "The Badge Object",
}
_GONE = {
    "description": "Revoked or replaced: the assertion, marked revoked, with a reason",
    "content": {negotiation.JSON_LD: {}, negotiation.JSON: {}},
}


def _badge_object(request: Request, document: dict[str, Any], status: int = 200) -> Response:
    chosen = negotiation.negotiate(
        request.headers.get("accept"), (negotiation.JSON_LD, negotiation.JSON)
    )
    return JsonLdResponse(
        document,
        status_code=status,
        media_type=negotiation.JSON if chosen == negotiation.JSON else negotiation.JSON_LD,
        headers={"Cache-Control": "no-cache", "Vary": "Accept"},
    )


@router.get(
    "/ob2/assertions/{token}",
    response_class=JsonLdResponse,
    summary="An award as an Open Badges 2.0 hosted Assertion",
    responses={200: _BADGE_OBJECT, 410: _GONE, **problems(404)},
)
def get_assertion(
    token: Token, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    export = Ob2Export(session, runtime.settings)
    hosted = export.assertion(export.award(token))
    return _badge_object(request, hosted.document, 410 if hosted.revoked else 200)


@router.get(
    "/ob2/assertions/{token}/badge.png",
    summary="The badge image with the OB 2.0 assertion baked in (PNG iTXt openbadges)",
    responses={200: {"content": {"image/png": {}}}, **problems(404)},
)
def get_baked_png(token: Token, runtime: RuntimeDep, session: SessionDep) -> Response:
    export = Ob2Export(session, runtime.settings)
    return Response(
        export.baked_png(export.award(token)),
        media_type="image/png",
        headers={"Cache-Control": "no-cache"},
    )


@router.get(
    "/ob2/badges/{uid}",
    response_class=JsonLdResponse,
    summary="An achievement as an Open Badges 2.0 BadgeClass (current version unless ?version=N)",
    responses={200: _BADGE_OBJECT, **problems(404)},
)
def get_badge_class(
    uid: Uid,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    return _badge_object(request, Ob2Export(session, runtime.settings).badge_class(uid, version))


@router.get(
    "/ob2/issuers/{slug}",
    response_class=JsonLdResponse,
    summary="The issuer as an Open Badges 2.0 issuer Profile",
    responses={200: _BADGE_OBJECT, **problems(404)},
)
def get_issuer_profile(
    slug: Slug, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    return _badge_object(request, Ob2Export(session, runtime.settings).issuer_profile(slug))


@router.get(
    "/ob2/issuers/{slug}/revocations",
    response_class=JsonLdResponse,
    summary="The issuer's Open Badges 2.0 RevocationList: its revoked and replaced assertions",
    responses={200: _BADGE_OBJECT, **problems(404)},
)
def get_revocation_list(
    slug: Slug, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    return _badge_object(request, Ob2Export(session, runtime.settings).revocation_list(slug))
