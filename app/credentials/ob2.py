"""Open Badges 2.0 documents from plain values, for platforms that import only OB 2.0.

An OB 2.0 badge is three linked JSON-LD documents: the Assertion (one award), the BadgeClass
it names by URL in ``badge``, and the issuer Profile the BadgeClass names in ``issuer``; a
Profile may link a RevocationList. With hosted verification the Assertion's ``id`` is the URL it
is served at, and that URL must lie in the issuer Profile's verification scope: by default the
origin of the Profile's ``id``, which is why every URL here comes from one base.

The recipient is an email IdentityObject: ``sha256$`` and the hex SHA-256 of the email with the
salt appended, so the document names the learner only to someone who already knows the address.

A revoked Assertion keeps its properties and adds ``revoked: true`` (and optionally a
``revocationReason``); the specification has the host answer it with HTTP 410 Gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from app.credentials.ob3 import identity_hash, normalized_email, xsd_datetime

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

_EVIDENCE_TERMS = ("id", "name", "description", "narrative", "genre", "audience")
_ALIGNMENT_TERMS = ("targetName", "targetUrl", "targetDescription", "targetFramework", "targetCode")


def email_recipient(email: str, salt: str) -> dict[str, Any]:
    """A hashed, salted email IdentityObject, of the address trimmed and lower-cased."""
    if not email.strip() or not salt:
        raise ValueError("a hashed recipient needs an email and a salt")
    return {
        "type": "email",
        "hashed": True,
        "salt": salt,
        "identity": identity_hash(normalized_email(email), salt),
    }


def assertion(
    *,
    assertion_id: str,
    badge_id: str,
    email: str,
    salt: str,
    issued_on: datetime,
    image: str | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
    narrative: str | None = None,
    expires: datetime | None = None,
    revoked: bool = False,
    revocation_reason: str | None = None,
) -> dict[str, Any]:
    """An Assertion with hosted verification: ``assertion_id`` must be the URL it is served at."""
    if revocation_reason is not None and not revoked:
        raise ValueError("a revocation reason belongs to a revoked assertion")
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": email_recipient(email, salt),
        "badge": badge_id,
        "issuedOn": xsd_datetime(issued_on),
        "verification": {"type": "HostedBadge"},
    }
    if image is not None:
        document["image"] = image
    if evidence:
        document["evidence"] = [dict(item) for item in evidence]
    if narrative:
        document["narrative"] = narrative
    if expires is not None:
        document["expires"] = xsd_datetime(expires)
    if revoked:
        document["revoked"] = True
        if revocation_reason:
            document["revocationReason"] = revocation_reason
    return document


def badge_class(
    *,
    badge_id: str,
    name: str,
    description: str,
    image: str,
    issuer_id: str,
    criteria_narrative: str | None = None,
    criteria_url: str | None = None,
    alignment: Sequence[Mapping[str, Any]] = (),
    tags: Sequence[str] = (),
    version: int | str | None = None,
) -> dict[str, Any]:
    """A BadgeClass; its criteria are a narrative, a page URL, or both."""
    criteria: dict[str, Any] = {}
    if criteria_url:
        criteria["id"] = criteria_url
    if criteria_narrative:
        criteria["narrative"] = criteria_narrative
    if not criteria:
        raise ValueError("a BadgeClass needs criteria: a narrative or a URL")
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": badge_id,
        "name": name,
        "description": description,
        "image": image,
        "criteria": criteria,
        "issuer": issuer_id,
    }
    if alignment:
        document["alignment"] = [dict(item) for item in alignment]
    if tags:
        document["tags"] = list(tags)
    if version is not None:
        document["version"] = version
    return document


def issuer_profile(
    *,
    issuer_id: str,
    name: str,
    url: str,
    email: str,
    revocation_list: str,
    description: str | None = None,
    image: str | None = None,
) -> dict[str, Any]:
    """An issuer Profile. It declares no ``verification``, so hosted Assertions verify when
    they are on the origin of ``issuer_id``."""
    if not (name and url and email):
        raise ValueError("an issuer Profile needs a name, a url and an email")
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": issuer_id,
        "name": name,
        "url": url,
        "email": email,
    }
    if description:
        document["description"] = description
    if image:
        document["image"] = image
    document["revocationList"] = revocation_list
    return document


def revocation_list(
    *, list_id: str, issuer_id: str, revoked: Iterable[tuple[str, str | None]]
) -> dict[str, Any]:
    """A RevocationList; ``revoked`` holds (assertion id, published reason or None)."""
    entries: list[dict[str, Any]] = []
    for assertion_id, reason in revoked:
        entry: dict[str, Any] = {"id": assertion_id}
        if reason:
            entry["revocationReason"] = reason
        entries.append(entry)
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": list_id,
        "issuer": issuer_id,
        "revokedAssertions": entries,
    }


def evidence_from_ob3(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """OB 3.0 Evidence as OB 2.0 Evidence: the properties both versions define."""
    converted: list[dict[str, Any]] = []
    for item in items:
        kept = {term: item[term] for term in _EVIDENCE_TERMS if isinstance(item.get(term), str)}
        if kept:
            converted.append({"type": "Evidence", **kept})
    return converted


def alignment_from_ob3(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """OB 3.0 Alignments as OB 2.0 AlignmentObjects; one without the ``targetName`` and
    ``targetUrl`` that OB 2.0 requires is left out."""
    converted: list[dict[str, Any]] = []
    for item in items:
        kept = {term: item[term] for term in _ALIGNMENT_TERMS if isinstance(item.get(term), str)}
        if "targetName" in kept and "targetUrl" in kept:
            converted.append({"type": "AlignmentObject", **kept})
    return converted
