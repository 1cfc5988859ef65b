"""Webhooks: endpoints platforms register, and the outbox rows award events write.

``enqueue`` runs inside the transaction that changes the award, so an event is delivered if
and only if its change committed (a transactional outbox). The dispatcher
(:mod:`app.webhooks.dispatch`) delivers the rows later, with retries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app.problems import InvalidRequest, NotFound, ProblemItem
from app.settings import Settings
from app.store.models import Issuer, WebhookDelivery, WebhookEndpoint
from app.store.repositories import IssuerRepository, WebhookRepository

EVENTS = ("award.issued", "award.revoked", "award.reissued", "award.expired")
SIGNATURE_HEADER = "XQB-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: receivers recompute it with
    their secret and refuse old timestamps, so a captured delivery cannot be replayed later."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _check_url(url: str, settings: Settings) -> list[ProblemItem]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    trusted = {entry.lower() for entry in settings.webhook_trusted_hosts}
    hostport = f"{host}:{parts.port}" if parts.port else host
    if not host:
        return [ProblemItem("$.url", "is not an absolute URL")]
    if parts.scheme == "https" or (
        parts.scheme == "http" and (host in trusted or hostport in trusted)
    ):
        return []
    return [ProblemItem("$.url", "must be https (http only for hosts trusted in settings)")]


class Webhooks:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = WebhookRepository(session)
        self._listeners: dict[int, Sequence[WebhookEndpoint]] = {}

    def register(
        self, issuer: Issuer, client_id: str, url: str, events: list[str]
    ) -> tuple[WebhookEndpoint, str]:
        problems = _check_url(url, self.settings)
        problems += [
            ProblemItem(f"$.events[{index}]", f"unknown event; known: {', '.join(EVENTS)}")
            for index, event in enumerate(events)
            if event not in EVENTS
        ]
        if problems:
            raise InvalidRequest("the webhook cannot be registered", errors=problems)
        secret = "whsec_" + secrets.token_urlsafe(32)
        endpoint = self.repo.add(
            WebhookEndpoint(
                uid=str(uuid.uuid4()),
                issuer_id=issuer.id,
                client_id=client_id,
                url=url,
                events=" ".join(sorted(set(events or EVENTS))),
                secret=secret,
            )
        )
        return endpoint, secret

    def get(self, uid: str, client_id: str) -> WebhookEndpoint:
        endpoint = self.repo.by_uid(uid)
        if endpoint is None or endpoint.client_id != client_id:
            raise NotFound(f"there is no webhook {uid!r}")
        return endpoint

    def listeners(self, issuer_id: int) -> Sequence[WebhookEndpoint]:
        """Endpoints listening to ``issuer_id`` or an issuer above it, read once per instance
        until :meth:`forget`."""
        if issuer_id not in self._listeners:
            issuers = IssuerRepository(self.session)
            issuer = issuers.by_id(issuer_id)
            assert issuer is not None
            lineage = [issuer.id, *(parent.id for parent in issuers.ancestors(issuer))]
            self._listeners[issuer_id] = self.repo.listening(lineage)
        return self._listeners[issuer_id]

    def forget(self) -> None:
        self._listeners.clear()

    def enqueue(self, issuer_id: int, event: str, data: dict[str, Any]) -> None:
        """Outbox rows for every endpoint that listens to ``issuer_id`` or an issuer above it;
        they commit with the change they announce."""
        now = datetime.now(UTC)
        for endpoint in self.listeners(issuer_id):
            if event not in endpoint.events.split():
                continue
            delivery_uid = str(uuid.uuid4())
            self.repo.add_delivery(
                WebhookDelivery(
                    uid=delivery_uid,
                    endpoint_id=endpoint.id,
                    event=event,
                    payload={
                        "id": delivery_uid,
                        "type": event,
                        "createdAt": now.isoformat().replace("+00:00", "Z"),
                        "data": data,
                    },
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
