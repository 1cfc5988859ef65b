"""Choosing a representation from the Accept header (RFC 9110 section 12.5.1)."""

from __future__ import annotations

HTML = "text/html"
JSON_LD = "application/ld+json"
VC_JSON_LD = "application/vc+ld+json"
JSON = "application/json"
VC_JWT = "application/vc+jwt"
JWT = "application/jwt"

CREDENTIAL_TYPES = (JSON_LD, VC_JSON_LD, JSON, VC_JWT, JWT, HTML)
"""What a hosted credential can be; the first is the answer to ``*/*`` or no Accept at all,
since the credential's id must dereference to the credential for machine clients."""


def _preferences(accept: str) -> list[tuple[str, float, int]]:
    ranked: list[tuple[str, float, int]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranked.append((media.lower(), quality, position))
    return ranked


def _specificity(media_range: str, kind: str) -> int | None:
    """How precisely ``media_range`` names ``kind`` (2 exact, 1 ``type/*``, 0 ``*/*``), or None."""
    if media_range == kind:
        return 2
    if media_range.endswith("/*") and media_range != "*/*" and kind.startswith(media_range[:-1]):
        return 1
    return 0 if media_range == "*/*" else None


def negotiate(accept: str | None, offered: tuple[str, ...] = CREDENTIAL_TYPES) -> str | None:
    """The offered type the client likes best; ``None`` when it accepts none of them (406).

    Each offered type takes its quality from the most specific range that matches it, so
    ``application/ld+json;q=0, */*`` refuses JSON-LD however welcome ``*/*`` makes the rest.
    Ties go to the type named more precisely, then the client's order, then ours."""
    if not accept or not accept.strip():
        return offered[0]
    preferences = _preferences(accept)
    best: tuple[float, int, int, int] | None = None
    chosen: str | None = None
    for index, kind in enumerate(offered):
        matches = [
            (specificity, -position, quality)
            for media, quality, position in preferences
            if (specificity := _specificity(media, kind)) is not None
        ]
        if not matches:
            continue
        specificity, order, quality = max(matches)
        rank = (quality, specificity, order, -index)
        if quality > 0 and (best is None or rank > best):
            best, chosen = rank, kind
    return chosen
