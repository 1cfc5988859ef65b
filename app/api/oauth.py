"""OAuth 2.0 token endpoint (client-credentials grant only)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Form, Header
from fastapi.responses import JSONResponse

from app.access.clients import issue_token
from app.api.deps import RuntimeDep, SessionDep
from app.problems import InvalidRequest, Problem, Unauthenticated

router = APIRouter(tags=["auth"])


class UnsupportedGrant(Problem):
    status, code, title = 400, "unsupported-grant-type", "Unsupported grant type"


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthenticated("malformed Basic credentials", error="invalid_client") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise Unauthenticated("malformed Basic credentials", error="invalid_client")
    return unquote(client_id), unquote(secret)


@router.post(
    "/oauth/token",
    summary="Get a bearer token (client-credentials grant)",
    description=(
        "Authenticate with HTTP Basic (client_id:client_secret) or with the form fields "
        "`client_id` and `client_secret`. `scope` may narrow the client's scopes."
    ),
    responses={
        400: {"description": "Unsupported grant type", "content": {"application/problem+json": {}}},
        401: {
            "description": "Unknown client or secret",
            "content": {"application/problem+json": {}},
        },
        403: {"description": "Scope not allowed", "content": {"application/problem+json": {}}},
    },
)
def token(
    runtime: RuntimeDep,
    session: SessionDep,
    grant_type: Annotated[str, Form()],
    scope: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    if grant_type != "client_credentials":
        raise UnsupportedGrant("only grant_type=client_credentials is supported")
    credentials = _basic_credentials(authorization)
    if credentials is None:
        if not client_id or not client_secret:
            raise Unauthenticated(
                "authenticate with HTTP Basic or client_id and client_secret",
                error="invalid_client",
            )
        credentials = (client_id, client_secret)
    elif client_id and client_id != credentials[0]:
        raise InvalidRequest("client_id in the form differs from the Basic credentials")
    issued = issue_token(
        session,
        client_id=credentials[0],
        client_secret=credentials[1],
        requested_scope=scope,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    session.commit()
    return JSONResponse(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
