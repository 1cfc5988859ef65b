"""Open Badges 3.0 EndorsementCredentials: building them, and the rules they must meet.

An endorsement is a third party's (a college's, an employer's, a state board's) signed statement
about something with an id: here a badge, named in ``credentialSubject.id`` by its Achievement
id, with the endorser's words in ``endorsementComment``. The endorser is the credential's
``issuer`` and, as for an Open Badge, must be the DID whose key signs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.credentials.context_urls import OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT, VC2_CONTEXT
from app.credentials.ob3 import RuleViolation, data_model_violations, xsd_datetime
from app.credentials.schema_validation import validate_against

ENDORSEMENT_CREDENTIAL = "EndorsementCredential"
ENDORSEMENT_SUBJECT = "EndorsementSubject"
ENDORSEMENT_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def is_endorsement(credential: Mapping[str, Any]) -> bool:
    return ENDORSEMENT_CREDENTIAL in _types(credential.get("type"))


def endorsement_subject(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The one EndorsementSubject; ``None`` when the subject is missing or not one object."""
    subject = credential.get("credentialSubject")
    return subject if isinstance(subject, Mapping) else None


def endorsed_id(credential: Mapping[str, Any]) -> str | None:
    """The id of what the credential endorses."""
    subject = endorsement_subject(credential)
    found = None if subject is None else subject.get("id")
    return found if isinstance(found, str) else None


def build_endorsement_credential(
    *,
    credential_id: str,
    issuer: Mapping[str, Any],
    endorsed: str,
    valid_from: datetime,
    name: str,
    comment: str | None = None,
    description: str | None = None,
    valid_until: datetime | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned EndorsementCredential by ``issuer`` (an OB3 Profile) about ``endorsed``
    (the id of an Achievement, a Profile, a credential...)."""
    subject: dict[str, Any] = {"id": endorsed, "type": [ENDORSEMENT_SUBJECT]}
    if comment:
        subject["endorsementComment"] = comment
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", ENDORSEMENT_CREDENTIAL],
        "name": name,
        "issuer": dict(issuer),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": subject,
        "credentialSchema": [
            {"id": ENDORSEMENT_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}
        ],
    }
    if description:
        credential["description"] = description
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    if credential_status:
        credential["credentialStatus"] = dict(credential_status)
    return credential


def endorsement_violations(
    credential: Mapping[str, Any], *, signer_did: str | None
) -> list[RuleViolation]:
    """Everything wrong with an EndorsementCredential: the official OB 3.0 endorsement schema
    first, then the data model rules it cannot express."""
    schema_problems = [
        RuleViolation(problem.path, "schema", problem.message)
        for problem in validate_against(credential, "ob3.endorsementcredential")
    ]
    return schema_problems + data_model_violations(credential, signer_did=signer_did)
