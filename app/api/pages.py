"""Public pages and the hosted credential: what students share and admissions offices open.

``/credentials/{token}`` is both the credential's id and its page: browsers get HTML, machine
clients the JSON-LD credential (the default) or its VC-JWT form, by the Accept header.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import JsonLdResponse, problems
from app.api.verify import read_verify_input, run_verification
from app.pages import negotiation
from app.pages.credential_page import CredentialPages
from app.pages.learner_page import learner_page
from app.pages.render import render
from app.pages.transcript_page import transcript_page
from app.pages.view import (
    VERDICT_HEADLINES,
    RecognitionView,
    checks_view,
    credential_view,
    verdict_sentence,
)
from app.problems import NotAcceptable, NotFound, Problem
from app.runtime import Runtime
from app.store.models import Award

router = APIRouter(tags=["pages"])

Token = Annotated[str, Path(max_length=200)]
"""Any text: a mistyped link gets the "not found" page, not a validation error."""
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' https: data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_ASSETS = {
    "site.css": "text/css; charset=utf-8",
    "site.js": "text/javascript; charset=utf-8",
    "docs.js": "text/javascript; charset=utf-8",
}


def _page(body: str, status: int = 200, cache: str = "no-cache") -> HTMLResponse:
    return HTMLResponse(
        body, status_code=status, headers={**PAGE_HEADERS, "Cache-Control": cache, "Vary": "Accept"}
    )


def _not_found_page(message: str) -> HTMLResponse:
    return _page(render("not_found.html", message=message), status=404)


def _award(pages: CredentialPages, token: str) -> Award:
    award = pages.find(token)
    if award is None:
        raise NotFound("there is no credential at this address")
    return award


@router.get(
    "/credentials/{token}",
    summary="A hosted credential: JSON-LD (default), VC-JWT or its public page, by Accept",
    response_class=JsonLdResponse,
    responses={
        200: {
            "content": {
                "application/ld+json": {},
                "application/vc+ld+json": {},
                "application/vc+jwt": {},
                "text/html": {},
            }
        },
        **problems(404, 406),
    },
)
def get_credential(
    token: Token, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    chosen = negotiation.negotiate(request.headers.get("accept"))
    pages = CredentialPages(session, runtime)
    if chosen == negotiation.HTML:
        award = pages.find(token)
        if award is None:
            return _not_found_page("There is no badge at this address. Check the link.")
        return _page(pages.html(award))
    award = _award(pages, token)
    if chosen in (negotiation.VC_JWT, negotiation.JWT):
        return Response(pages.jwt(award), media_type=chosen, headers={"Vary": "Accept"})
    if chosen is None:
        raise NotAcceptable(
            "this credential is available as application/ld+json, application/vc+ld+json, "
            "application/vc+jwt or text/html"
        )
    media = chosen if chosen != negotiation.JSON else negotiation.JSON_LD
    return JsonLdResponse(
        award.credential,
        media_type=media,
        headers={"Cache-Control": "no-cache", "Vary": "Accept"},
    )


def _download(body: bytes | str, media: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/credentials/{token}/credential.json",
    summary="Download the credential (JSON-LD with its proof)",
    responses={200: {"content": {"application/ld+json": {}}}, **problems(404)},
)
def download_json(token: Token, runtime: RuntimeDep, session: SessionDep) -> Response:
    award = _award(CredentialPages(session, runtime), token)
    return JsonLdResponse(
        award.credential,
        media_type="application/vc+ld+json",
        headers={"Content-Disposition": 'attachment; filename="credential.json"'},
    )


@router.get(
    "/credentials/{token}/credential.jwt",
    summary="Download the credential as a VC-JWT",
    responses={200: {"content": {"application/vc+jwt": {}}}, **problems(404)},
)
def download_jwt(token: Token, runtime: RuntimeDep, session: SessionDep) -> Response:
    pages = CredentialPages(session, runtime)
    return _download(pages.jwt(_award(pages, token)), "application/vc+jwt", "credential.jwt")


@router.get(
    "/credentials/{token}/badge.png",
    summary="The badge image with the credential baked in (OB 3.0 PNG iTXt)",
    responses={200: {"content": {"image/png": {}}}, **problems(404)},
)
def baked_png(token: Token, runtime: RuntimeDep, session: SessionDep) -> Response:
    pages = CredentialPages(session, runtime)
    return Response(pages.png(_award(pages, token)), media_type="image/png")


@router.get(
    "/credentials/{token}/badge.svg",
    summary="The badge image with the credential baked in (OB 3.0 SVG)",
    responses={200: {"content": {"image/svg+xml": {}}}, **problems(404)},
)
def baked_svg(token: Token, runtime: RuntimeDep, session: SessionDep) -> Response:
    pages = CredentialPages(session, runtime)
    return Response(pages.svg(_award(pages, token)), media_type="image/svg+xml")


# -- the verify page ---------------------------------------------------------------------------


def _verify_page(
    runtime: Runtime, credential: Any = None, url: str | None = None
) -> dict[str, Any]:
    report, _source = run_verification(runtime, credential, url)
    verdict = report.verdict
    view = None
    if report.credential is not None:
        given_url = url or report.credential.get("id")
        view = credential_view(report.credential, given_url if isinstance(given_url, str) else None)
    return {
        "verdict": verdict.value,
        "headline": VERDICT_HEADLINES[verdict],
        "sentence": verdict_sentence(report),
        "checks": checks_view(report),
        "checked_at": None,
        "view": view,
        "recognition": RecognitionView.of(report.issuer),
        "embedded": [
            {
                "view": credential_view(inner.credential, _own_id(inner.credential)),
                "verdict": inner.verdict.value,
                "headline": VERDICT_HEADLINES[inner.verdict],
            }
            for inner in report.embedded
            if inner.credential is not None
        ],
    }


def _own_id(credential: dict[str, Any]) -> str | None:
    found = credential.get("id")
    return found if isinstance(found, str) and found.startswith(("https://", "http://")) else None


async def _verify_and_render(runtime: Runtime, credential: Any, url: str | None) -> HTMLResponse:
    try:
        result = await anyio.to_thread.run_sync(lambda: _verify_page(runtime, credential, url))
    except Problem as problem:
        return _page(
            render("verify.html", result=None, error=problem.detail, url=url),
            status=problem.status,
        )
    return _page(render("verify.html", result=result, error=None, url=url))


@router.get(
    "/verify",
    summary="The verify page; with ?url= it verifies that credential at once",
    response_class=HTMLResponse,
)
async def verify_page(
    runtime: RuntimeDep, url: Annotated[str | None, Query(max_length=2000)] = None
) -> HTMLResponse:
    if not url:
        return _page(render("verify.html", result=None, error=None, url=None), cache="max-age=300")
    return await _verify_and_render(runtime, None, url)


@router.post(
    "/verify",
    summary="The verify page's form: a file, pasted text or a URL",
    response_class=HTMLResponse,
)
async def verify_form(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    try:
        credential, url, _source = await read_verify_input(request)
    except Problem as problem:
        return _page(
            render("verify.html", result=None, error=problem.detail, url=None),
            status=problem.status,
        )
    return await _verify_and_render(runtime, credential, url)


# -- learners and assets -----------------------------------------------------------------------


@router.get(
    "/learners/{public_id}",
    summary="A learner's public badges by pathway, when the learner's profile is public",
    response_class=HTMLResponse,
    responses={404: {"description": "No such learner, or the profile is not public"}},
)
def learner(
    public_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")],
    runtime: RuntimeDep,
    session: SessionDep,
) -> HTMLResponse:
    body = learner_page(session, runtime.settings, public_id)
    if body is None:
        return _not_found_page("There is no public badge profile at this address.")
    return _page(body)


@router.get(
    "/learners/{public_id}/transcript",
    summary="A learner's printable transcript of current badges, when the profile is public",
    response_class=HTMLResponse,
    responses={404: {"description": "No such learner, or the profile is not public"}},
)
def transcript(
    public_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,64}$")],
    runtime: RuntimeDep,
    session: SessionDep,
) -> HTMLResponse:
    body = transcript_page(session, runtime.settings, public_id)
    if body is None:
        return _not_found_page("There is no public transcript at this address.")
    return _page(body)


@router.get("/assets/{name}", include_in_schema=False)
def asset(name: str) -> Response:
    media = _ASSETS.get(name)
    if media is None:
        return Response(status_code=404)
    body = resources.files("app.pages").joinpath("static", name).read_bytes()
    return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=3600"})
