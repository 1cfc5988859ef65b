"""Where this service publishes its documents: the URLs of our credentials and endorsements,
and reading one of those URLs back. Pure string work over the public base URL."""

from __future__ import annotations

from app.settings import Settings
from app.store.models import Achievement


def credential_url(settings: Settings, token: str) -> str:
    """A credential's id, which is also its public page and the base of its downloads."""
    return f"{settings.public_base_url}/credentials/{token}"


def endorsement_url(settings: Settings, achievement: Achievement, uid: str) -> str:
    """An issued endorsement's id, which serves it."""
    return f"{settings.public_base_url}/achievements/{achievement.uid}/endorsements/{uid}"


def endorsement_address(settings: Settings, url: str) -> tuple[str, str] | None:
    """(achievement uid, endorsement uid) when ``url`` is where this service serves an
    endorsement (see :func:`endorsement_url`)."""
    prefix = f"{settings.public_base_url}/achievements/"
    if not url.startswith(prefix):
        return None
    achievement_uid, marker, uid = url.removeprefix(prefix).partition("/endorsements/")
    if not marker or not uid or "/" in uid:
        return None
    return achievement_uid, uid
