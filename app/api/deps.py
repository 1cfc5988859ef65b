"""Typed dependencies: the runtime, a database session per request, the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.access.clients import Principal, authenticate_token
from app.problems import Unauthenticated
from app.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """Async only so FastAPI runs it inline instead of on a worker thread (it never blocks)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """One session per request; a route that changes data commits once, at its end."""
    with runtime.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /oauth/token")


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("send an access token: Authorization: Bearer <token>")
    return authenticate_token(session, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
