"""Delivering outbox rows: signed POSTs through the safe client, retried with backoff.

A worker claims a due row with a conditional UPDATE (so two workers never send the same try),
POSTs it, and records the try in the delivery log. A 2xx answer ends it; anything else is tried
again after ``base * 2**(attempts - 1)`` seconds, until ``webhook_max_attempts``. Loopback and
private addresses are refused by the client unless the host is trusted in settings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from app.net import FetchError, FetchPolicy, SafeClient
from app.settings import Settings
from app.store.models import WebhookAttempt, WebhookDelivery
from app.store.repositories import WebhookRepository
from app.webhooks.outbox import SIGNATURE_HEADER, signature

log = logging.getLogger("xqbadges.webhooks")

CLAIM_LEASE = timedelta(minutes=2)
BATCH = 20


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        trusted_hosts=frozenset(settings.webhook_trusted_hosts),
        max_response_bytes=64 * 1024,
        connect_timeout=5.0,
        read_timeout=10.0,
        total_timeout=15.0,
        max_redirects=0,
        cache_max_entries=0,
    )


class WebhookDispatcher:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.policy = fetch_policy(settings)

    def run_once(self) -> int:
        """Deliver what is due now; the number of tries made."""
        now = datetime.now(UTC)
        with self.sessions() as session:
            repo = WebhookRepository(session)
            claimed: list[tuple[int, str, str, bytes]] = []
            for delivery in repo.due(now, BATCH):
                if not repo.claim(delivery, now + CLAIM_LEASE):
                    continue
                endpoint = repo.endpoint(delivery.endpoint_id)
                assert endpoint is not None
                body = json.dumps(delivery.payload, separators=(",", ":")).encode()
                claimed.append((delivery.id, endpoint.url, endpoint.secret, body))
            session.commit()
        if not claimed:
            return 0
        outcomes = asyncio.run(self._post_all(claimed))
        with self.sessions() as session:
            for (delivery_id, *_rest), outcome in zip(claimed, outcomes, strict=True):
                self._record(session, delivery_id, *outcome)
            session.commit()
        return len(claimed)

    async def _post_all(
        self, claimed: list[tuple[int, str, str, bytes]]
    ) -> list[tuple[int | None, str | None, int]]:
        async with SafeClient(self.policy) as client:
            return [await self._post(client, *item) for item in claimed]

    async def _post(
        self, client: SafeClient, delivery_id: int, url: str, secret: str, body: bytes
    ) -> tuple[int | None, str | None, int]:
        started = time.perf_counter()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, int(time.time()), body),
            "XQB-Delivery": json.loads(body)["id"],
            "XQB-Event": json.loads(body)["type"],
        }
        try:
            result = await client.post(url, content=body, headers=headers)
        except FetchError as error:
            return None, f"{error.code}: {error.message}"[:500], _ms(started)
        return result.status, None, _ms(started)

    def _record(
        self,
        session: Session,
        delivery_id: int,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
    ) -> None:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        now = datetime.now(UTC)
        WebhookRepository(session).add_attempt(
            WebhookAttempt(
                delivery_id=delivery.id,
                status_code=status_code,
                error=error,
                duration_ms=duration_ms,
                created_at=now,
            )
        )
        delivery.attempts += 1
        delivery.last_status_code = status_code
        delivery.last_error = error or (
            None if status_code and 200 <= status_code < 300 else f"answered {status_code}"
        )
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = "delivered"
            delivery.delivered_at = now
        elif delivery.attempts >= self.settings.webhook_max_attempts:
            delivery.status = "failed"
        else:
            delay = self.settings.webhook_retry_base_seconds * 2 ** (delivery.attempts - 1)
            delivery.next_attempt_at = now + timedelta(seconds=delay)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def start_dispatcher_thread(
    dispatcher: WebhookDispatcher, stop: threading.Event
) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                busy = dispatcher.run_once()
            except Exception:
                log.exception("webhook delivery round failed; trying again")
                busy = 0
            if not busy:
                stop.wait(dispatcher.settings.webhook_poll_seconds)

    thread = threading.Thread(target=loop, name="webhook-dispatcher", daemon=True)
    thread.start()
    return thread
