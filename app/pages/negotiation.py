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


def negotiate(accept: str | None, offered: tuple[str, ...] = CREDENTIAL_TYPES) -> str | None:
    """The offered type the client likes best: explicit types beat wildcards at equal quality,
    then the client's order; ``None`` when the client accepts none of them (406)."""
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, int, str] | None = None
    for media, quality, position in _preferences(accept):
        if quality <= 0:
            continue
        if media == "*/*":
            candidates, specificity = [offered[0]], 0
        elif media.endswith("/*"):
            major = media[:-1]
            candidates = [kind for kind in offered if kind.startswith(major)][:1]
            specificity = 1
        else:
            candidates, specificity = [media] if media in offered else [], 2
        for candidate in candidates:
            rank = (quality, specificity, -position, candidate)
            if best is None or rank[:3] > best[:3]:
                best = rank
    return None if best is None else best[3]
