"""Every error leaves as RFC 9457 ``application/problem+json``, rendered in this one place."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import jsontext
from app.problems import (
    PROBLEM_TYPE_BASE,
    InvalidRequest,
    Problem,
    ProblemItem,
    json_path,
    json_syntax_item,
)

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


JSON_CONTENT_TYPE_HINT = (
    "send Content-Type: application/json; with curl add -H 'Content-Type: application/json'"
)


def parse_json_body(body: bytes) -> Any:
    """A body a route reads itself, as JSON; or a 422 naming a syntax error's line and column."""
    try:
        return jsontext.loads(body)
    except json.JSONDecodeError as error:
        located = json_syntax_item(error)
        raise InvalidRequest(
            f"the body is not valid JSON: {located.message}", errors=[located]
        ) from error
    except UnicodeDecodeError as error:
        raise InvalidRequest("the body is not JSON: it is not UTF-8 text") from error
    except RecursionError as error:
        raise InvalidRequest("the body is JSON nested too deeply to read") from error


def _body_not_read_as_json(errors: list[dict[str, Any]]) -> bool:
    """FastAPI hands a JSON route the raw bytes when the Content-Type is not JSON (curl ``-d``
    sends ``application/x-www-form-urlencoded``), so a body error whose input is bytes means the
    body was never parsed, whatever it holds."""
    return any(
        error["loc"][:1] == ("body",) and isinstance(error["input"], bytes) for error in errors
    )


def _json_syntax_error(errors: list[dict[str, Any]], document: Any) -> ProblemItem | None:
    """FastAPI reports a JSON syntax error at ``("body", <character offset>)``; rebuilt as the
    decoder's own error, it can name its line and column."""
    for error in errors:
        if error["type"] == "json_invalid" and isinstance(document, str):
            message = str(error["ctx"]["error"])
            return json_syntax_item(json.JSONDecodeError(message, document, error["loc"][-1]))
    return None


def _problem_body(status: int, code: str, title: str, detail: str, instance: str) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
    }


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    path = request.url.path
    if _body_not_read_as_json(errors):
        sent = request.headers.get("content-type") or "no Content-Type"
        detail = (
            f"this route reads a JSON body, but the request said {sent}: {JSON_CONTENT_TYPE_HINT}"
        )
        return problem_response(
            415,
            _problem_body(415, "unsupported-media-type", "Unsupported media type", detail, path),
        )
    syntax = _json_syntax_error(errors, exc.body)
    if syntax is not None:
        body = _problem_body(
            422,
            "validation-error",
            "The request is not valid",
            f"the body is not valid JSON: {syntax.message}",
            path,
        )
        return problem_response(422, {**body, "errors": [syntax.as_dict()]})
    items = request_validation_items(errors)
    body = _problem_body(
        422,
        "validation-error",
        "The request is not valid",
        f"{len(items)} problem(s) in the request",
        path,
    )
    return problem_response(422, {**body, "errors": [item.as_dict() for item in items]})


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
