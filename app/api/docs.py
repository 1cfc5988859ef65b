"""The API reference, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served with their assets.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are blank offline or behind a
strict network. The fastapi-offline package ships both bundles (it follows their releases); this
module serves those files from the installed package under ``/docs/assets/`` and only its page
shells and starter script are ours. The pages get a Content-Security-Policy of their own: no
inline script, nothing from another origin, but inline styles (both UIs set them) and blob:
workers (ReDoc's search).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from app.pages.render import render

router = APIRouter(include_in_schema=False)

OPENAPI_URL = "/openapi.json"
DOCS_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> bytes:
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(render("docs.html", openapi_url=OPENAPI_URL), headers=DOCS_HEADERS)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return HTMLResponse(render("redoc.html", openapi_url=OPENAPI_URL), headers=DOCS_HEADERS)


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    media = ASSETS.get(name)
    if media is None:
        return Response(status_code=404)
    return Response(
        _asset(name), media_type=media, headers={"Cache-Control": "public, max-age=86400"}
    )
