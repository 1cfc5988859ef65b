"""CLR 2.0 learner records: a ``ClrCredential`` bundling a learner's signed credentials.

A CLR embeds each credential exactly as it was issued, proof included, so a reader can check
every badge on its own as well as the record as a whole. ``achievement`` lists what the
credentials are for plus the structure around them (a pathway is an Achievement of type
``LearningProgram``), and ``association`` says how they relate: a pathway ``isParentOf`` its
badges, a prerequisite ``precedes`` the badge that builds on it.

CLR 2.0 requires at least one credential (``ClrSubject.verifiableCredential`` is 1..*), so an
empty record cannot be built: :class:`EmptyRecord` says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from app.credentials.context_urls import (
    CLR2_CONTEXT,
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
    VC2_CONTEXT,
)
from app.credentials.ob3 import LearnerIdentity, RuleViolation, data_model_violations, xsd_datetime
from app.credentials.schema_validation import validate_against

CLR_SCHEMA_URL: Final = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
CLR_CREDENTIAL_TYPE: Final = "ClrCredential"

AssociationType = Literal[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
]


class EmptyRecord(ValueError):
    """A CLR needs at least one credential."""


@dataclass(frozen=True)
class Association:
    """How one achievement relates to another, by their ids."""

    association_type: AssociationType
    source_id: str
    target_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "Association",
            "associationType": self.association_type,
            "sourceId": self.source_id,
            "targetId": self.target_id,
        }


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def is_clr(document: Mapping[str, Any]) -> bool:
    return CLR_CREDENTIAL_TYPE in _types(document.get("type"))


def embedded_credentials(clr: Mapping[str, Any]) -> list[Any]:
    """The credentials a CLR carries, in order (objects, or VC-JWT strings if a producer
    embedded those); an empty list when the subject holds none."""
    subject = clr.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return []
    found = subject.get("verifiableCredential")
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def build_clr_credential(
    *,
    credential_id: str,
    issuer: Mapping[str, Any],
    learner: LearnerIdentity,
    credentials: Sequence[Mapping[str, Any]],
    achievements: Sequence[Mapping[str, Any]],
    associations: Sequence[Association],
    valid_from: datetime,
    name: str,
    description: str | None = None,
    partial: bool | None = None,
) -> dict[str, Any]:
    """An unsigned ClrCredential with ``credentials`` embedded unchanged."""
    if not credentials:
        raise EmptyRecord("a CLR 2.0 credential must contain at least one credential")
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if learner.subject_id:
        subject["id"] = learner.subject_id
    if learner.identifiers:
        subject["identifier"] = [dict(item) for item in learner.identifiers]
    subject["verifiableCredential"] = [dict(item) for item in credentials]
    if achievements:
        subject["achievement"] = [dict(item) for item in achievements]
    if associations:
        subject["association"] = [association.as_dict() for association in associations]
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT, CLR2_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", CLR_CREDENTIAL_TYPE],
        "issuer": dict(issuer),
        "validFrom": xsd_datetime(valid_from),
        "name": name,
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if description:
        credential["description"] = description
    if partial is not None:
        credential["partial"] = partial
    return credential


def clr_violations(credential: Mapping[str, Any], *, signer_did: str | None) -> list[RuleViolation]:
    """Everything wrong with a ClrCredential: the official CLR 2.0 schema, the VC data model
    rules, and the CLR's own: its subject identifies the learner, and every association joins
    achievements the record lists."""
    violations = [
        RuleViolation(problem.path, "schema", problem.message)
        for problem in validate_against(credential, "clr2.clrcredential")
    ]
    violations += data_model_violations(credential, signer_did=signer_did)
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return violations
    if not subject.get("id") and not subject.get("identifier"):
        violations.append(
            RuleViolation(
                "$.credentialSubject",
                "learner_not_identified",
                "must identify the learner with an id or an identifier",
            )
        )
    listed = _achievement_ids(subject)
    associations = subject.get("association")
    items = associations if isinstance(associations, list) else [associations]
    for index, association in enumerate(items):
        if not isinstance(association, Mapping):
            continue
        for end in ("sourceId", "targetId"):
            if association.get(end) not in listed:
                violations.append(
                    RuleViolation(
                        f"$.credentialSubject.association[{index}].{end}",
                        "unknown_association_end",
                        "names no achievement of the record",
                    )
                )
    return violations


def _achievement_ids(subject: Mapping[str, Any]) -> set[str]:
    listed = subject.get("achievement")
    ids = {
        str(item["id"])
        for item in (listed if isinstance(listed, list) else [listed])
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    }
    for embedded in embedded_credentials({"credentialSubject": subject}):
        if not isinstance(embedded, Mapping):
            continue
        inner = embedded.get("credentialSubject")
        achievement = inner.get("achievement") if isinstance(inner, Mapping) else None
        if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
            ids.add(str(achievement["id"]))
    return ids
