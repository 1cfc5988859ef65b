"""Open Badges 3.0 credentials: building them, and the rules they must meet before signing.

The official JSON Schema checks shape; it cannot check the data model rules that make a
credential trustworthy, which live here: the issuer must be the DID whose key signs
(verifiers resolve the key through the issuer), the credential must say from when it is valid,
and its subject must identify the learner (by ``id`` or by an ``identifier``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.credentials.context_urls import OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT, VC2_CONTEXT
from app.credentials.schema_validation import validate_against

OB3_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
OB3_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def identity_hash(identity: str, salt: str) -> str:
    """OB3 IdentityHash: ``sha256$`` and the hex SHA-256 of the identity with the salt appended."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def normalized_email(email: str) -> str:
    """An email address as it is hashed: trimmed and lower-cased.

    Badge platforms compare recipient hashes case-sensitively (1EdTech's OB 2.0 validator and
    badgecheck, which Canvas Credentials runs, among them), while mail systems treat addresses
    case-insensitively in practice; a learner whose account spells the address in another case
    must still match, so every email is hashed in one spelling.
    """
    return email.strip().lower()


def hashed_identity(identity_type: str, identity: str, salt: str | None = None) -> dict[str, Any]:
    """An IdentityObject that reveals the identity only to someone who already knows it."""
    salt = salt if salt is not None else secrets.token_hex(16)
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(identity, salt),
        "identityType": identity_type,
        "hashed": True,
        "salt": salt,
    }


def xsd_datetime(moment: datetime) -> str:
    """An XML Schema dateTime in UTC with seconds precision, the form VC 2.0 examples use."""
    if moment.tzinfo is None:
        raise ValueError("a credential date needs a time zone")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def recipient_identifiers(
    *, email: str | None, student_id: str | None, name: str | None
) -> tuple[dict[str, Any], ...]:
    """How a credential names a learner without revealing them: email and student id hashed
    with fresh salts, the display name (which the credential shows anyway) in the clear."""
    identifiers: list[dict[str, Any]] = []
    if email:
        identifiers.append(hashed_identity("emailAddress", normalized_email(email)))
    if student_id:
        identifiers.append(hashed_identity("sisSourcedId", student_id))
    if name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": name,
                "identityType": "name",
                "hashed": False,
            }
        )
    return tuple(identifiers)


@dataclass(frozen=True)
class LearnerIdentity:
    """How the credential names the learner: a DID (``id``) and/or hashed identifiers."""

    subject_id: str | None = None
    identifiers: tuple[Mapping[str, Any], ...] = ()


def build_open_badge_credential(
    *,
    credential_id: str,
    issuer: Mapping[str, Any],
    achievement: Mapping[str, Any],
    learner: LearnerIdentity,
    valid_from: datetime,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    name: str | None = None,
    description: str | None = None,
    image: Mapping[str, Any] | None = None,
    results: Sequence[Mapping[str, Any]] = (),
    narrative: str | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
    credential_status: Sequence[Mapping[str, Any]] = (),
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (VC 2.0 data model, OB 3.0 context)."""
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if learner.subject_id:
        subject["id"] = learner.subject_id
    if learner.identifiers:
        subject["identifier"] = [dict(item) for item in learner.identifiers]
    subject["achievement"] = dict(achievement)
    if results:
        subject["result"] = [dict(item) for item in results]
    if narrative:
        subject["narrative"] = narrative
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT, *extra_contexts],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name or str(achievement.get("name", "Open Badge")),
        "issuer": dict(issuer),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB3_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if description:
        credential["description"] = description
    if image:
        credential["image"] = dict(image)
    if awarded_date is not None:
        credential["awardedDate"] = xsd_datetime(awarded_date)
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    if evidence:
        credential["evidence"] = [dict(item) for item in evidence]
    if credential_status:
        status = [dict(item) for item in credential_status]
        credential["credentialStatus"] = status[0] if len(status) == 1 else status
    return credential


@dataclass(frozen=True)
class RuleViolation:
    """A data model problem, at a JSON path, with a stable code."""

    path: str
    code: str
    message: str


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def is_open_badge(credential: Mapping[str, Any]) -> bool:
    return bool(_types(credential.get("type")) & OB3_CREDENTIAL_TYPES)


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _subjects(credential: Mapping[str, Any]) -> list[tuple[str, Any]]:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        return [(f"$.credentialSubject[{index}]", item) for index, item in enumerate(subject)]
    return [("$.credentialSubject", subject)]


def data_model_violations(
    credential: Mapping[str, Any], *, signer_did: str | None
) -> list[RuleViolation]:
    """Rules of the VC 2.0 / OB 3.0 data models that the JSON Schema cannot express.

    ``validFrom`` is optional in VC 2.0 but required of an Open Badge.
    """
    violations: list[RuleViolation] = []
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC2_CONTEXT:
        violations.append(
            RuleViolation("$['@context'][0]", "context_order", f"must be {VC2_CONTEXT}")
        )
    types = _types(credential.get("type"))
    if "VerifiableCredential" not in types:
        violations.append(
            RuleViolation("$.type", "missing_type", "must include VerifiableCredential")
        )
    if is_open_badge(credential) and "validFrom" not in credential:
        violations.append(RuleViolation("$.validFrom", "missing_valid_from", "is required"))
    found_issuer = issuer_id(credential)
    if found_issuer is None:
        violations.append(RuleViolation("$.issuer", "missing_issuer", "needs an id"))
    elif signer_did is not None and found_issuer != signer_did:
        violations.append(
            RuleViolation(
                "$.issuer.id",
                "issuer_not_signer",
                f"is {found_issuer!r} but the signing key belongs to {signer_did!r}",
            )
        )
    if is_open_badge(credential):
        for path, subject in _subjects(credential):
            if not isinstance(subject, Mapping):
                continue
            if not subject.get("id") and not subject.get("identifier"):
                violations.append(
                    RuleViolation(
                        path,
                        "learner_not_identified",
                        "must identify the learner with an id or an identifier",
                    )
                )
    return violations


def ob3_violations(credential: Mapping[str, Any], *, signer_did: str | None) -> list[RuleViolation]:
    """Everything wrong with an OB3 credential: official schema first, then data model rules."""
    schema_problems = [
        RuleViolation(problem.path, "schema", problem.message)
        for problem in validate_against(credential, "ob3.achievementcredential")
    ]
    return schema_problems + data_model_violations(credential, signer_did=signer_did)
