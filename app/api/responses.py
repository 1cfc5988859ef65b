"""Response classes for the linked-data media types the service speaks."""

from __future__ import annotations

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
        422: "The request is not valid; every problem is listed with its location",
    }.items()
}


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    return {status: PROBLEM_RESPONSES[status] for status in statuses}
