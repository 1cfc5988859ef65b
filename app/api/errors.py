"""Every error leaves as RFC 9457 ``application/problem+json``, rendered in this one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.problems import PROBLEM_TYPE_BASE, Problem, ProblemItem, json_path

log = logging.getLogger("xqbadges.errors")

PROBLEM_JSON = "application/problem+json"

_HTTP_CODES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _request_json_path(loc: tuple[Any, ...]) -> str:
    """FastAPI locations start with where the value came from: the body is ``$``, a query or
    path parameter is named by its source (``query.limit``)."""
    if loc and loc[0] in {"body", "query", "path", "header", "cookie"}:
        return json_path(loc[1:], "$" if loc[0] == "body" else str(loc[0]))
    return json_path(loc)


def request_validation_items(errors: list[dict[str, Any]]) -> list[ProblemItem]:
    return [
        ProblemItem(_request_json_path(tuple(error["loc"])), str(error["msg"])) for error in errors
    ]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.as_dict(request.url.path), exc.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = request_validation_items(list(exc.errors()))
    body = {
        "type": PROBLEM_TYPE_BASE + "validation-error",
        "title": "The request is not valid",
        "status": 422,
        "detail": f"{len(items)} problem(s) in the request",
        "code": "validation-error",
        "instance": request.url.path,
        "errors": [item.as_dict() for item in items],
    }
    return problem_response(422, body)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("http-error", "HTTP error"))
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": exc.status_code,
        "detail": str(exc.detail),
        "code": code,
        "instance": request.url.path,
    }
    return problem_response(exc.status_code, body, dict(exc.headers or {}))


async def _on_database_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable", exc_info=exc)
    body = {
        "type": PROBLEM_TYPE_BASE + "unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "the database cannot be reached; nothing was changed, try again later",
        "code": "unavailable",
        "instance": request.url.path,
    }
    return problem_response(503, body, {"Retry-After": "5"})


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    body = {
        "type": PROBLEM_TYPE_BASE + "internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "an unexpected error occurred; it has been logged",
        "code": "internal-error",
        "instance": request.url.path,
    }
    return problem_response(500, body)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(OperationalError, _on_database_down)
    app.add_exception_handler(Exception, _on_unexpected)
