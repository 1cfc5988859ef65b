"""The sweep that records expiries: an award whose ``validUntil`` has passed becomes
``expired``, with a history event and an ``award.expired`` webhook.

The credential needs no sweep to be seen as expired (its ``validUntil`` says so to any
verifier); the sweep keeps the award's status, listings and subscribers in step with it.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.awards.history import AwardHistory
from app.issuer.keystore import PrivateKeyCache
from app.settings import Settings

log = logging.getLogger(__name__)

SWEEP_LIMIT = 500


def expire_due(sessions: sessionmaker[Session], settings: Settings, keys: PrivateKeyCache) -> int:
    """Record every expiry that is due; return how many."""
    total = 0
    while True:
        with sessions() as session:
            done = AwardHistory(session, settings, keys).expire_due(
                datetime.now(UTC), limit=SWEEP_LIMIT
            )
        total += done
        if done < SWEEP_LIMIT:
            return total


def start_expiry_thread(
    sessions: sessionmaker[Session],
    settings: Settings,
    keys: PrivateKeyCache,
    stop: threading.Event,
) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                expire_due(sessions, settings, keys)
            except OperationalError:
                log.warning("the database is unavailable; the expiry sweep tries again later")
            except Exception:
                log.exception("the expiry sweep failed; trying again")
            stop.wait(settings.expiry_sweep_seconds)

    thread = threading.Thread(target=loop, name="award-expiry", daemon=True)
    thread.start()
    return thread
