"""EndorsementCredentials: what the builder makes, and the rules checked before signing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.data_integrity import resolve_did_key
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.document_loader import default_document_loader
from app.credentials.eddsa_rdfc_2022 import sign, verify
from app.credentials.endorsement import (
    ENDORSEMENT_SCHEMA_URL,
    build_endorsement_credential,
    endorsed_id,
    endorsement_violations,
    is_endorsement,
)
from app.credentials.jsonld import check_expands_strictly
from app.credentials.schema_validation import validate_against
from app.credentials.status_list import bitstring_status_entry

BOARD = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
ACHIEVEMENT = "https://badges.example.org/achievements/7d0c1e58-a44c-1b9d-610d-8f6f3c9a1100"


def endorsement(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "credential_id": ACHIEVEMENT + "/endorsements/1",
        "issuer": {
            "id": BOARD,
            "type": ["Profile"],
            "name": "State Board of Education",
            "url": "https://board.example.gov",
        },
        "endorsed": ACHIEVEMENT,
        "valid_from": datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        "name": "State Board of Education endorses M101: Ratios",
        "comment": "Meets the state's quantitative reasoning standard.",
    }
    arguments.update(changes)
    return build_endorsement_credential(**arguments)


def test_the_built_credential_meets_the_official_endorsement_schema():
    assert validate_against(endorsement(), "ob3.endorsementcredential") == []


def test_the_built_credential_with_a_status_entry_meets_the_schema():
    status = bitstring_status_entry("https://badges.example.org/status-lists/a1", 7, "revocation")
    assert (
        validate_against(endorsement(credential_status=status), "ob3.endorsementcredential") == []
    )


def test_the_built_credential_expands_with_the_pinned_contexts_losing_nothing():
    check_expands_strictly(endorsement(), default_document_loader())


def test_the_built_credential_has_the_endorsement_types_and_schema():
    credential = endorsement()
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["credentialSubject"] == {
        "id": ACHIEVEMENT,
        "type": ["EndorsementSubject"],
        "endorsementComment": "Meets the state's quantitative reasoning standard.",
    }
    assert credential["credentialSchema"] == [
        {"id": ENDORSEMENT_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    assert credential["validFrom"] == "2026-03-01T12:00:00Z"


def test_without_a_comment_the_subject_has_none():
    assert "endorsementComment" not in endorsement(comment=None)["credentialSubject"]


def test_the_official_example_passes_our_schema_check(read_json):
    example = read_json("examples/ob3-endorsementcredential.json")
    assert is_endorsement(example)
    assert endorsement_violations(example, signer_did=None) == []


def test_the_rules_refuse_an_issuer_that_is_not_the_signer():
    violations = endorsement_violations(endorsement(), signer_did="did:key:z6MkOther")
    assert [violation.code for violation in violations] == ["issuer_not_signer"]


def test_the_schema_refuses_an_endorsement_without_a_name():
    credential = endorsement()
    del credential["name"]
    violations = endorsement_violations(credential, signer_did=BOARD)
    assert [(violation.code, violation.path) for violation in violations] == [("schema", "$")]


def test_an_open_badge_is_not_an_endorsement():
    assert not is_endorsement({"type": ["VerifiableCredential", "OpenBadgeCredential"]})


@pytest.mark.parametrize(
    ("subject", "expected"),
    [({"id": ACHIEVEMENT, "type": ["EndorsementSubject"]}, ACHIEVEMENT), ([], None), (None, None)],
)
def test_the_endorsed_id_is_read_from_the_one_subject(subject, expected):
    assert endorsed_id({"credentialSubject": subject}) == expected


def test_a_signed_endorsement_verifies_with_its_did_key():
    key = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    credential = endorsement(issuer={"id": did, "type": ["Profile"], "name": "Board"})
    signed = sign(credential, key, did_key_verification_method(did))
    assert verify(signed, resolve_key=resolve_did_key).verified
