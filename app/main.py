"""The ASGI application."""

from __future__ import annotations

from fastapi import FastAPI

from app import __version__
from app.api import achievements, catalogs, health, issuers, oauth, vc_api
from app.api.errors import install_error_handlers
from app.api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from app.runtime import Runtime
from app.settings import Settings, get_settings

DESCRIPTION = """\
Issues, hosts and verifies 1EdTech Open Badges 3.0 credentials for the XQ Math Badging System.

Machine clients authenticate with the OAuth 2.0 client-credentials grant at `POST /oauth/token`
and send `Authorization: Bearer <token>`. Every error is an RFC 9457 problem document
(`application/problem+json`) with a stable `code`.
"""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or Runtime.from_settings(settings or get_settings())
    app = FastAPI(
        title="xqbadges",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    for module in (health, oauth, issuers, achievements, catalogs, vc_api):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=runtime.settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    return app
