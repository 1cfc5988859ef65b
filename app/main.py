"""The ASGI application."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from app import __version__
from app.api import (
    achievements,
    awards,
    catalogs,
    docs,
    endorsements,
    health,
    home,
    issuers,
    learner_records,
    oauth,
    ob2,
    pages,
    status_lists,
    vc_api,
    verify,
    webhooks,
)
from app.api.errors import install_error_handlers
from app.api.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    StrictJsonMiddleware,
)
from app.api.rate_limits import RateLimiter, RateLimitMiddleware, request_kind
from app.api.responses import add_edge_responses
from app.awards.expiry import start_expiry_thread
from app.runtime import Runtime
from app.settings import Settings, get_settings
from app.webhooks.dispatch import WebhookDispatcher, start_dispatcher_thread

log = logging.getLogger("xqbadges")

DESCRIPTION = """\
Issues, hosts and verifies 1EdTech Open Badges 3.0 credentials for the XQ Math Badging System.

Machine clients authenticate with the OAuth 2.0 client-credentials grant at `POST /oauth/token`
and send `Authorization: Bearer <token>`. Every error is an RFC 9457 problem document
(`application/problem+json`) with a stable `code`.
"""


def _start_job_sweeper(runtime: Runtime, stop: threading.Event) -> threading.Thread:
    """Award jobs nobody runs (a crashed process's, once its lease ends) are taken up here."""
    thread = threading.Thread(
        target=runtime.jobs.sweep_forever, args=(stop,), name="award-job-sweeper", daemon=True
    )
    thread.start()
    return thread


def _declare_edge_responses(app: FastAPI) -> None:
    """The OpenAPI document also lists what the middleware answers before a route runs."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_edge_responses(
                build(), lambda method, path: request_kind(method, path, b"url=") is not None
            )
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or Runtime.from_settings(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        runtime.jobs.stopping.clear()
        workers = [
            start_dispatcher_thread(WebhookDispatcher(runtime.sessions, runtime.settings), stop),
            start_expiry_thread(runtime.sessions, runtime.settings, runtime.private_keys, stop),
            _start_job_sweeper(runtime, stop),
        ]
        yield
        stop.set()
        runtime.jobs.stopping.set()
        for worker in workers:
            worker.join(timeout=30)

    app = FastAPI(
        lifespan=lifespan,
        title="xqbadges",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    for module in (
        health,
        home,
        docs,
        oauth,
        issuers,
        achievements,
        endorsements,
        catalogs,
        vc_api,
        verify,
        awards,
        learner_records,
        status_lists,
        pages,
        ob2,
        webhooks,
    ):
        app.include_router(module.router)
    _declare_edge_responses(app)
    app.add_middleware(StrictJsonMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=runtime.settings.max_body_bytes)
    if runtime.settings.rate_limits_enabled:
        app.add_middleware(RateLimitMiddleware, limiter=RateLimiter(runtime.settings))
    app.add_middleware(RequestContextMiddleware)
    return app
