"""OAuth 2.0 endpoints: tokens (client-credentials grant only) and their revocation (RFC 7009).

Both authenticate the client the same way: HTTP Basic, or the form fields ``client_id`` and
``client_secret``. Their errors carry the RFC 6749 §5.2 members beside the problem document
(see app.access.oauth_errors).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Form, Header, Response
from fastapi.responses import JSONResponse

from app.access.clients import authenticate_client, issue_token, revoke_token
from app.access.oauth_errors import (
    NO_STORE,
    InvalidClient,
    InvalidOAuthRequest,
    UnsupportedGrantType,
)
from app.api.deps import RuntimeDep, SessionDep

router = APIRouter(tags=["auth"])

_OAUTH_ERROR: dict[str, Any] = {"content": {"application/problem+json": {}}}
_CLIENT_AUTH = (
    "Authenticate with HTTP Basic (client_id:client_secret) or with the form fields "
    "`client_id` and `client_secret`. Errors are problem documents that also carry the "
    "RFC 6749 `error` and `error_description` members."
)


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("malformed Basic credentials") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("malformed Basic credentials")
    return unquote(client_id), unquote(secret)


def _client_credentials(
    authorization: str | None, client_id: str | None, client_secret: str | None
) -> tuple[str, str]:
    credentials = _basic_credentials(authorization)
    if credentials is None:
        if not client_id or not client_secret:
            raise InvalidClient("authenticate with HTTP Basic or client_id and client_secret")
        return client_id, client_secret
    if client_id and client_id != credentials[0]:
        raise InvalidOAuthRequest("client_id in the form differs from the Basic credentials")
    return credentials


@router.post(
    "/oauth/token",
    summary="Get a bearer token (client-credentials grant)",
    description=_CLIENT_AUTH + " `scope` may narrow the client's scopes.",
    responses={
        400: {
            "description": "Missing or unsupported grant type (`invalid_request`, "
            "`unsupported_grant_type`)",
            **_OAUTH_ERROR,
        },
        401: {
            "description": "Unknown client, wrong secret, or a revoked client (`invalid_client`)",
            **_OAUTH_ERROR,
        },
        403: {"description": "Scope not allowed (`invalid_scope`)", **_OAUTH_ERROR},
    },
)
def token(
    runtime: RuntimeDep,
    session: SessionDep,
    grant_type: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    if not grant_type:
        raise InvalidOAuthRequest("grant_type is missing; send grant_type=client_credentials")
    if grant_type != "client_credentials":
        raise UnsupportedGrantType("only grant_type=client_credentials is supported")
    credentials = _client_credentials(authorization, client_id, client_secret)
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
        headers=NO_STORE,
    )


@router.post(
    "/oauth/revoke",
    summary="Revoke an access token (RFC 7009)",
    description=_CLIENT_AUTH + " The answer is 200 with an empty body whether or not the token "
    "was known, already revoked, or another client's (which is left alone). Only access tokens "
    "exist here, so `token_type_hint` is accepted and not needed.",
    response_class=Response,
    responses={
        200: {"description": "The token no longer works (or never did)", "content": {}},
        400: {"description": "No token given (`invalid_request`)", **_OAUTH_ERROR},
        401: {"description": "Unknown client or wrong secret (`invalid_client`)", **_OAUTH_ERROR},
    },
)
def revoke(
    session: SessionDep,
    token: Annotated[str | None, Form()] = None,
    token_type_hint: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    credentials = _client_credentials(authorization, client_id, client_secret)
    client = authenticate_client(session, *credentials)
    if not token:
        raise InvalidOAuthRequest("token is missing; send the access token to revoke")
    revoke_token(session, client, token)
    session.commit()
    return Response(status_code=200, headers=NO_STORE)
