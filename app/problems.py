"""Domain errors that carry their HTTP meaning, turned into RFC 9457 documents in one place.

Services raise these; the web layer renders them as ``application/problem+json`` and the CLI
prints them. Each kind has a stable ``code`` (also the last segment of its ``type`` URI), so
clients can branch on it without parsing English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

PROBLEM_TYPE_BASE = "urn:xqbadges:problem:"


@dataclass(frozen=True)
class ProblemItem:
    """One located problem inside a request: where (a JSON path or file/badge/field) and what."""

    location: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"location": self.location, "message": self.message, **self.extra}


def json_path(loc: tuple[Any, ...] | list[Any], prefix: str = "$") -> str:
    """A pydantic error location as a JSON path: ``("results", 0, "cpe")`` is
    ``$.results[0].cpe``."""
    return prefix + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def validation_items(errors: list[Any], prefix: str = "$") -> list[ProblemItem]:
    """Pydantic's ``ValidationError.errors()`` as located problems under ``prefix``."""
    return [
        ProblemItem(json_path(tuple(error["loc"]), prefix), str(error["msg"])) for error in errors
    ]


def json_syntax_item(error: json.JSONDecodeError) -> ProblemItem:
    """Where a JSON text breaks, as a line and column: a character offset alone, written as a
    path, would read like an array index."""
    where = f"line {error.lineno}, column {error.colno}"
    return ProblemItem(
        where,
        f"{error.msg} at {where} (character {error.pos})",
        {"line": error.lineno, "column": error.colno},
    )


class Problem(Exception):
    """Base of every error a client can cause or needs to know about."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[ProblemItem] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extensions = extensions or {}

    @property
    def type_uri(self) -> str:
        return PROBLEM_TYPE_BASE + self.code

    def as_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        if self.errors:
            body["errors"] = [item.as_dict() for item in self.errors]
        return body


class InvalidRequest(Problem):
    status, code, title = 422, "validation-error", "The request is not valid"


class NotFound(Problem):
    status, code, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, code, title = 409, "conflict", "Conflict with the current state"


class Unauthenticated(Problem):
    status, code, title = 401, "unauthenticated", "Authentication required"

    def __init__(self, detail: str, *, error: str = "invalid_token") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": f'Bearer error="{error}"'})


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "Not allowed"


class UnsupportedMediaType(Problem):
    status, code, title = 415, "unsupported-media-type", "Unsupported media type"


class NotAcceptable(Problem):
    status, code, title = 406, "not-acceptable", "Not acceptable"


class ServiceUnavailable(Problem):
    status, code, title = 503, "unavailable", "Service unavailable"
