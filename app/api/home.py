"""The front door: ``/`` says what this service is and where to go next.

Browsers get a page; a client asking for ``application/json`` gets the same links as JSON.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app import __version__
from app.achievements.publishing import AchievementPublisher
from app.api.deps import RuntimeDep, SessionDep
from app.api.pages import _page
from app.api.responses import problems
from app.pages import negotiation
from app.pages.render import render
from app.problems import NotAcceptable

router = APIRouter(tags=["pages"])

HOME_TYPES = (negotiation.HTML, negotiation.JSON)
LINKS = {
    "verify": "/verify",
    "achievements": "/achievements",
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
}
_LISTED = 100


@router.get(
    "/",
    summary="What this service is, with links: a page (default) or JSON, by Accept",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/html": {},
                "application/json": {
                    "example": {"service": "xqbadges", "version": __version__, "links": LINKS}
                },
            }
        },
        **problems(406),
    },
)
def home(request: Request, runtime: RuntimeDep, session: SessionDep) -> Response:
    chosen = negotiation.negotiate(request.headers.get("accept"), HOME_TYPES)
    if chosen == negotiation.JSON:
        index = {"service": "xqbadges", "version": __version__, "links": LINKS}
        return JSONResponse(index, headers={"Vary": "Accept"})
    if chosen is None:
        raise NotAcceptable("this page is available as text/html or application/json")
    page = AchievementPublisher(session, runtime.settings).page(
        issuer_slug=None, code=None, cursor=None, limit=_LISTED
    )
    badges = [
        {"code": item["humanCode"], "name": item["name"], "url": item["id"]} for item in page.items
    ]
    return _page(render("home.html", badges=badges, more=page.next_cursor is not None))
