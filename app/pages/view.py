"""What a page shows of a credential, read from the credential itself.

Pages read only the signed document, never the award row, so the verify page can show a
credential from any issuer exactly as the credential page shows ours, and a page can never
show more than the credential already makes public. Hashed identifiers (email, student id) are
never shown; a recipient name is shown only when the credential states it in the clear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup

from app.pages.markdown import render_markdown
from app.verifier.report import (
    Basis,
    Check,
    IssuerRecognition,
    Outcome,
    Verdict,
    VerificationReport,
)

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"

VERDICT_HEADLINES = {
    Verdict.VALID: "Valid",
    Verdict.INVALID: "Not valid",
    Verdict.REVOKED: "Revoked",
    Verdict.SUSPENDED: "Suspended",
    Verdict.SUPERSEDED: "Superseded",
    Verdict.EXPIRED: "Expired",
    Verdict.NOT_YET_VALID: "Not yet valid",
    Verdict.UNKNOWN: "Could not be fully checked",
}
VERDICT_SENTENCES = {
    Verdict.VALID: "The issuer's signature is genuine and the credential is in force.",
    Verdict.INVALID: "This credential failed verification: it was changed after signing, or "
    "its signature cannot be traced to its issuer.",
    Verdict.REVOKED: "The signature is genuine, but the issuer has revoked this credential.",
    Verdict.SUSPENDED: "The signature is genuine, but the issuer has suspended this credential.",
    Verdict.SUPERSEDED: "The signature is genuine, but the issuer has replaced this credential "
    "with a newer one.",
    Verdict.EXPIRED: "The signature is genuine, but the credential's validity period has ended.",
    Verdict.NOT_YET_VALID: "The signature is genuine, but the credential is not valid yet.",
    Verdict.UNKNOWN: "The signature was checked, but part of the verification could not be "
    "completed; see the details.",
}
CHECK_TITLES = {
    "format": "Format",
    "jsonld": "Well-formed linked data",
    "schema": "1EdTech schema",
    "issuer_key": "Issuer's key",
    "proof": "Signature",
    "claims": "Token claims",
    "validity": "Validity period",
    "status": "Revocation status",
    "achievement": "Badge owner",
    "issuer": "Issuer recognised",
    "records": "Issuer's records",
    "embedded": "Credentials in the record",
}


@dataclass(frozen=True)
class CpeView:
    name: str
    level: str | None


@dataclass(frozen=True)
class EvidenceView:
    name: str
    url: str | None
    description: Markup | None
    genre: str | None


@dataclass(frozen=True)
class CheckView:
    title: str
    outcome: str
    message: str
    code: str | None

    @classmethod
    def of(cls, check: Check) -> CheckView:
        return cls(
            CHECK_TITLES.get(check.name, check.name), check.outcome.value, check.message, check.code
        )


@dataclass(frozen=True)
class CredentialView:
    url: str | None
    badge_name: str
    badge_code: str | None
    pathway: str | None
    description: Markup | None
    criteria: Markup | None
    image_url: str | None
    image_alt: str
    achievement_url: str | None
    issuer_name: str
    issuer_url: str | None
    parent_orgs: list[tuple[str, str | None]]
    recipient_name: str | None
    awarded_on: datetime | None
    valid_until: datetime | None
    narrative: Markup | None
    cpes: list[CpeView] = field(default_factory=list)
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.badge_code}: {self.badge_name}" if self.badge_code else self.badge_name

    def linkedin_url(self, credential_id: str | None) -> str:
        """LinkedIn's add-certification form, filled in."""
        params: dict[str, str] = {
            "startTask": "CERTIFICATION_NAME",
            "name": self.title,
            "organizationName": self.issuer_name,
        }
        if self.awarded_on is not None:
            params["issueYear"] = str(self.awarded_on.year)
            params["issueMonth"] = str(self.awarded_on.month)
        if self.valid_until is not None:
            params["expirationYear"] = str(self.valid_until.year)
            params["expirationMonth"] = str(self.valid_until.month)
        if self.url:
            params["certUrl"] = self.url
        if credential_id:
            params["certId"] = credential_id
        return f"{LINKEDIN_ADD_URL}?{urlencode(params)}"


_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)(;[a-z0-9=.+-]+)*,", re.I)


def safe_link(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL; anything else (``javascript:``, ``data:``,
    relative references) never becomes a link. Whitespace and control characters are refused
    too: browsers strip some of them before reading the scheme."""
    if not isinstance(value, str) or not value or any(ord(c) <= 0x20 for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def safe_image(value: Any) -> str | None:
    """An image source: an http(s) URL, or a ``data:`` URL of a raster or SVG image (an image
    element never runs an SVG's scripts)."""
    if isinstance(value, str) and _IMAGE_DATA.match(value):
        return value
    return safe_link(value)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, Mapping):
        return _text(value.get("@value"))
    return None


def _markdown(value: Any) -> Markup | None:
    text = _text(value)
    return None if text is None else render_markdown(text)


def _date(value: Any) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _id_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return _text(value.get("id"))
    return None


def _parents(profile: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    parents: list[tuple[str, str | None]] = []
    parent = profile.get("parentOrg")
    while isinstance(parent, Mapping) and len(parents) < 5:
        parents.append(
            (_text(parent.get("name")) or "an organisation", safe_link(parent.get("url")))
        )
        parent = parent.get("parentOrg")
    return parents


def _cpes(achievement: Mapping[str, Any], subject: Mapping[str, Any]) -> list[CpeView]:
    levels: dict[str, str] = {}
    descriptions = achievement.get("resultDescription")
    descriptions = descriptions if isinstance(descriptions, list) else []
    for description in descriptions:
        if not isinstance(description, Mapping):
            continue
        for level in description.get("rubricCriterionLevel") or []:
            if isinstance(level, Mapping) and _text(level.get("id")):
                levels[str(level["id"])] = _text(level.get("name")) or ""
    achieved: dict[str, str] = {}
    results = subject.get("result")
    for result in results if isinstance(results, list) else []:
        if isinstance(result, Mapping):
            reference = _text(result.get("resultDescription"))
            level_id = _text(result.get("achievedLevel"))
            if reference and level_id:
                achieved[reference] = levels.get(level_id, level_id)
    return [
        CpeView(
            name=_text(description.get("name")) or "",
            level=achieved.get(_text(description.get("id")) or ""),
        )
        for description in descriptions
        if isinstance(description, Mapping)
    ]


def _evidence(credential: Mapping[str, Any]) -> list[EvidenceView]:
    items = credential.get("evidence")
    views: list[EvidenceView] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        url = _text(item.get("id"))
        views.append(
            EvidenceView(
                name=_text(item.get("name")) or url or "Evidence",
                url=safe_link(url),
                description=_markdown(item.get("description") or item.get("narrative")),
                genre=_text(item.get("genre")),
            )
        )
    return views


def _recipient_name(subject: Mapping[str, Any]) -> str | None:
    identifiers = subject.get("identifier")
    for identity in identifiers if isinstance(identifiers, list) else []:
        if (
            isinstance(identity, Mapping)
            and identity.get("identityType") == "name"
            and identity.get("hashed") is False
        ):
            return _text(identity.get("identityHash"))
    return None


def credential_view(credential: Mapping[str, Any], url: str | None = None) -> CredentialView:
    """The parts of an Open Badge a person reads; tolerant of anything missing."""
    subject = _first(credential.get("credentialSubject"))
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    issuer = credential.get("issuer")
    profile: Mapping[str, Any] = issuer if isinstance(issuer, Mapping) else {}
    tags = achievement.get("tag")
    name = _text(achievement.get("name")) or _text(credential.get("name")) or "Credential"
    image = achievement.get("image")
    return CredentialView(
        url=safe_link(url),
        badge_name=name,
        badge_code=_text(achievement.get("humanCode")),
        pathway=_text(tags[0]) if isinstance(tags, list) and tags else None,
        description=_markdown(achievement.get("description")),
        criteria=_markdown((achievement.get("criteria") or {}).get("narrative")),
        image_url=safe_image(_id_of(image)),
        image_alt=(_text(image.get("caption")) if isinstance(image, Mapping) else None)
        or f"Badge image: {name}",
        achievement_url=safe_link(_id_of(achievement)),
        issuer_name=_text(profile.get("name")) or _id_of(issuer) or "Unknown issuer",
        issuer_url=safe_link(profile.get("url")),
        parent_orgs=_parents(profile),
        recipient_name=_recipient_name(subject),
        awarded_on=_date(credential.get("awardedDate") or credential.get("validFrom")),
        valid_until=_date(credential.get("validUntil")),
        narrative=_markdown(subject.get("narrative")),
        cpes=_cpes(achievement, subject),
        evidence=_evidence(credential),
    )


def checks_view(report: VerificationReport) -> list[CheckView]:
    return [CheckView.of(check) for check in report.checks if check.outcome is not Outcome.SKIPPED]


def verdict_sentence(report: VerificationReport) -> str:
    """The sentence under the verdict; a badge of ours signed by someone else says so."""
    for check in report.checks:
        if check.name == "achievement" and check.outcome is Outcome.FAILED:
            return f"This badge was not issued by its owner: {check.message}."
    return VERDICT_SENTENCES[report.verdict]


@dataclass(frozen=True)
class RecognitionView:
    """How a page names the issuer: recognised, with the reason, or only the signer's claim."""

    recognised: bool
    reason: str | None

    @classmethod
    def of(cls, recognition: IssuerRecognition | None) -> RecognitionView | None:
        if recognition is None:
            return None
        if not recognition.recognised:
            return cls(False, None)
        if recognition.basis is Basis.THIS_SERVICE:
            reason = "an issuer of this service"
        elif recognition.basis is Basis.TRUST_REGISTRY:
            reason = f"listed in {recognition.registry} as {recognition.listed_name}"
        else:
            reason = f"controls the web domain {recognition.domain}"
        return cls(True, reason)
