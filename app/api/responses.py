"""Response classes for the linked-data media types the service speaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse


class JsonLdResponse(JSONResponse):
    media_type = "application/ld+json"


class DidJsonResponse(JSONResponse):
    """did:web resolvers expect application/did+json; text/plain breaks several of them."""

    media_type = "application/did+json"


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": description, "content": {"application/problem+json": {}}}
    for status, description in {
        401: "Missing, unknown or expired access token",
        403: "The token lacks the scope or the issuer",
        404: "Not found",
        406: "None of the accepted types",
        409: "Conflicts with the current state",
        413: "Request body too large",
        415: "The body's Content-Type is not one this operation reads (JSON needs "
        "`Content-Type: application/json`)",
        422: "The request is not valid; every problem is listed with its location",
        429: "Too many requests of this kind from this client (rate-limited); see Retry-After",
    }.items()
}
PROBLEM_RESPONSES[429]["headers"] = {
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
}


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    return {status: PROBLEM_RESPONSES[status] for status in statuses}


_JSON_BODY_PROBLEMS = (413, 415, 422)


def add_edge_responses(
    schema: dict[str, Any], rate_limited: Callable[[str, str], bool]
) -> dict[str, Any]:
    """Declare the answers the middleware gives before any route runs: every operation that
    reads a JSON body may get 413, 415 and 422; rate-limited ones may get 429."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            content = operation.get("requestBody", {}).get("content", {})
            if any(media.endswith("json") for media in content):
                for status in _JSON_BODY_PROBLEMS:
                    responses.setdefault(str(status), PROBLEM_RESPONSES[status])
            if rate_limited(method.upper(), path):
                responses.setdefault("429", PROBLEM_RESPONSES[429])
    return schema
