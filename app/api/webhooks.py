"""Webhook endpoints of a platform: register, list, remove, and read the delivery log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.responses import problems
from app.issuer.issuers import get_issuer
from app.store.models import WebhookEndpoint
from app.store.repositories import IssuerRepository, WebhookRepository
from app.webhooks.outbox import EVENTS, Webhooks

router = APIRouter(tags=["webhooks"])

WebhookUid = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=lambda: list(EVENTS), max_length=len(EVENTS))
    issuer: str | None = Field(
        default=None, max_length=64, description="The client's own by default"
    )


def _endpoint_body(endpoint: WebhookEndpoint, issuer_slug: str) -> dict[str, Any]:
    return {
        "id": endpoint.uid,
        "url": endpoint.url,
        "events": endpoint.events.split(),
        "issuer": issuer_slug,
        "created": endpoint.created_at.isoformat().replace("+00:00", "Z"),
    }


@router.post(
    "/api/v1/webhooks",
    status_code=201,
    summary="Register an endpoint for award.issued / .revoked / .reissued / .expired "
    "(scope webhooks:manage); the signing secret is shown once",
    responses=problems(401, 403, 404, 422),
)
def register_webhook(
    body: WebhookIn, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> dict[str, Any]:
    principal.require("webhooks:manage")
    issuers = IssuerRepository(session)
    issuer = get_issuer(session, body.issuer) if body.issuer else issuers.by_id(principal.issuer_id)
    assert issuer is not None
    principal.require_issuer(session, issuer)
    endpoint, secret = Webhooks(session, runtime.settings).register(
        issuer, principal.client_id, body.url, body.events
    )
    session.commit()
    return {**_endpoint_body(endpoint, issuer.slug), "secret": secret}


@router.get(
    "/api/v1/webhooks",
    summary="The client's webhook endpoints (never their secrets)",
    responses=problems(401, 403),
)
def list_webhooks(principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    principal.require("webhooks:manage")
    issuers = IssuerRepository(session)
    endpoints = WebhookRepository(session).for_client(principal.client_id)
    return {
        "webhooks": [
            _endpoint_body(endpoint, issuers.by_id(endpoint.issuer_id).slug)  # type: ignore[union-attr]
            for endpoint in endpoints
        ]
    }


@router.delete(
    "/api/v1/webhooks/{uid}",
    status_code=204,
    summary="Stop delivering to an endpoint",
    responses=problems(401, 403, 404),
)
def remove_webhook(
    uid: WebhookUid, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> Response:
    principal.require("webhooks:manage")
    endpoint = Webhooks(session, runtime.settings).get(uid, principal.client_id)
    endpoint.disabled_at = datetime.now(UTC)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/api/v1/webhooks/{uid}/deliveries",
    summary="The delivery log: each event, its state and every try",
    responses=problems(401, 403, 404),
)
def webhook_deliveries(
    uid: WebhookUid,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    principal.require("webhooks:manage")
    endpoint = Webhooks(session, runtime.settings).get(uid, principal.client_id)
    repo = WebhookRepository(session)
    return {
        "deliveries": [
            {
                "id": delivery.uid,
                "event": delivery.event,
                "status": delivery.status,
                "attempts": [
                    {
                        "at": attempt.created_at.isoformat().replace("+00:00", "Z"),
                        "statusCode": attempt.status_code,
                        "error": attempt.error,
                        "durationMs": attempt.duration_ms,
                    }
                    for attempt in repo.attempts(delivery.id)
                ],
                "payload": delivery.payload,
            }
            for delivery in repo.deliveries(endpoint.id, limit)
        ]
    }
