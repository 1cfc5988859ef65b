from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.credentials.document_loader import default_document_loader
from app.credentials.jsonld import expand_strict
from app.credentials.ob3 import (
    LearnerIdentity,
    build_open_badge_credential,
    data_model_violations,
    hashed_identity,
    identity_hash,
    ob3_violations,
    xsd_datetime,
)
from app.credentials.schema_validation import validate_against

ISSUER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
ACHIEVEMENT = {
    "id": "https://badges.example.org/achievements/0d4f",
    "type": ["Achievement"],
    "name": "Linear Equations: Concepts and Skills",
    "description": "An XQ Math badge.",
    "criteria": {"narrative": "Demonstrate mastery of 101a-101d."},
    "humanCode": "M101",
}


def test_identity_hash_matches_the_ob3_specification_example() -> None:
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_hashed_identity_never_contains_the_plain_identity() -> None:
    identity = hashed_identity("emailAddress", "ana@students.example.org")
    assert "ana@" not in str(identity)
    assert identity["hashed"] is True
    assert len(identity["salt"]) == 32


def test_xsd_datetime_is_utc_with_seconds() -> None:
    moment = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC) + timedelta(hours=0)
    assert xsd_datetime(moment) == "2026-03-01T09:30:15Z"


def test_xsd_datetime_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="time zone"):
        xsd_datetime(datetime(2026, 3, 1))


@pytest.fixture
def credential() -> dict[str, Any]:
    return build_open_badge_credential(
        credential_id="https://badges.example.org/credentials/6b1f0c9e",
        issuer={"id": ISSUER_DID, "type": ["Profile"], "name": "XQ Institute"},
        achievement=ACHIEVEMENT,
        learner=LearnerIdentity(identifiers=(hashed_identity("emailAddress", "a@example.com"),)),
        valid_from=datetime(2026, 5, 1, tzinfo=UTC),
        awarded_date=datetime(2026, 5, 1, tzinfo=UTC),
        evidence=[
            {"id": "https://portfolio.example.org/a/1", "type": ["Evidence"], "name": "Task"}
        ],
        results=[
            {
                "type": ["Result"],
                "resultDescription": "https://badges.example.org/achievements/0d4f/cpes/101a",
                "achievedLevel": "https://badges.example.org/achievements/0d4f/cpes/101a/levels/demonstrated",
            }
        ],
    )


def test_built_credential_validates_against_the_official_schema(credential: dict) -> None:
    assert validate_against(credential, "ob3.achievementcredential") == []


def test_built_credential_expands_with_the_pinned_contexts(credential: dict) -> None:
    assert expand_strict(credential, default_document_loader())


def test_built_credential_meets_the_data_model_rules(credential: dict) -> None:
    assert ob3_violations(credential, signer_did=ISSUER_DID) == []


def test_issuer_other_than_the_signer_is_a_violation(credential: dict) -> None:
    codes = [v.code for v in data_model_violations(credential, signer_did="did:key:z6MkOther")]
    assert codes == ["issuer_not_signer"]


def test_subject_without_id_or_identifier_is_a_violation(credential: dict) -> None:
    del credential["credentialSubject"]["identifier"]
    violations = data_model_violations(credential, signer_did=ISSUER_DID)
    assert [(v.path, v.code) for v in violations] == [
        ("$.credentialSubject", "learner_not_identified")
    ]


def test_missing_valid_from_is_a_violation(credential: dict) -> None:
    del credential["validFrom"]
    codes = {v.code for v in data_model_violations(credential, signer_did=ISSUER_DID)}
    assert codes == {"missing_valid_from"}


def test_vc_context_must_come_first(credential: dict) -> None:
    credential["@context"].reverse()
    codes = {v.code for v in data_model_violations(credential, signer_did=ISSUER_DID)}
    assert "context_order" in codes


def test_every_problem_is_listed_with_its_path(credential: dict) -> None:
    del credential["validFrom"]
    credential["credentialSubject"]["achievement"].pop("name")
    paths = {v.path for v in ob3_violations(credential, signer_did=ISSUER_DID)}
    assert "$.validFrom" in paths
    assert any("achievement" in path for path in paths)
