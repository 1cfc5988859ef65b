"""The CLR 2.0 core: building a ClrCredential, and the rules it must meet."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from app.credentials.clr import (
    Association,
    EmptyRecord,
    build_clr_credential,
    clr_violations,
    embedded_credentials,
    is_clr,
)
from app.credentials.document_loader import default_document_loader
from app.credentials.jsonld import expand_strict
from app.credentials.ob3 import LearnerIdentity, recipient_identifiers
from app.credentials.schema_validation import validate_against

ISSUER = {"id": "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "type": ["Profile"]}
PATHWAY = "https://badges.example.org/pathways/xq/algebra-and-modeling"


@pytest.fixture
def badge(read_json) -> dict[str, Any]:
    """An OB 3.0 credential as issued (the 1EdTech signed example)."""
    return dict(read_json("examples/ob3-signed-openbadgecredential-eddsa-rdfc-2022.json"))


def badge_id(credential: dict[str, Any]) -> str:
    return str(credential["credentialSubject"]["achievement"]["id"])


@pytest.fixture
def clr(badge: dict[str, Any]) -> dict[str, Any]:
    pathway = {
        "id": PATHWAY,
        "type": ["Achievement"],
        "achievementType": "LearningProgram",
        "name": "Algebra and Modeling",
        "description": "A pathway.",
        "criteria": {"narrative": "Earn the badges of the pathway."},
    }
    return build_clr_credential(
        credential_id="urn:uuid:0c6a3b1e-3d1e-4f55-9d64-4a3c6fb1c001",
        issuer=ISSUER,
        learner=LearnerIdentity(
            identifiers=recipient_identifiers(email="a@example.org", student_id=None, name="A")
        ),
        credentials=[badge],
        achievements=[badge["credentialSubject"]["achievement"], pathway],
        associations=[Association("isParentOf", PATHWAY, badge_id(badge))],
        valid_from=datetime(2026, 11, 1, tzinfo=UTC),
        name="Learner record",
    )


def test_a_built_clr_validates_against_the_official_clr_schema(clr) -> None:
    assert validate_against(clr, "clr2.clrcredential") == []


def test_a_built_clr_expands_with_the_pinned_contexts(clr) -> None:
    assert expand_strict(clr, default_document_loader())


def test_a_built_clr_meets_the_clr_rules(clr) -> None:
    assert clr_violations(clr, signer_did=ISSUER["id"]) == []


def test_the_credentials_are_embedded_unchanged(clr, badge) -> None:
    assert embedded_credentials(clr) == [badge]
    assert is_clr(clr)
    assert not is_clr(badge)


def test_an_empty_record_cannot_be_built(badge) -> None:
    with pytest.raises(EmptyRecord):
        build_clr_credential(
            credential_id="urn:uuid:0c6a3b1e-3d1e-4f55-9d64-4a3c6fb1c002",
            issuer=ISSUER,
            learner=LearnerIdentity(subject_id="did:example:learner"),
            credentials=[],
            achievements=[],
            associations=[],
            valid_from=datetime(2026, 11, 1, tzinfo=UTC),
            name="Learner record",
        )


def test_the_official_clr_example_meets_the_rules(read_json) -> None:
    example = read_json("examples/clr2-signed-clrcredential-eddsa-rdfc-2022.json")
    assert clr_violations(example, signer_did=None) == []


def test_an_association_to_an_unlisted_achievement_is_a_violation(clr) -> None:
    changed = copy.deepcopy(clr)
    changed["credentialSubject"]["association"][0]["sourceId"] = "https://example.org/elsewhere"
    [violation] = clr_violations(changed, signer_did=None)
    assert violation.code == "unknown_association_end"
    assert violation.path == "$.credentialSubject.association[0].sourceId"


def test_a_clr_without_credentials_fails_the_official_schema(clr) -> None:
    changed = copy.deepcopy(clr)
    changed["credentialSubject"]["verifiableCredential"] = []
    assert any(item.code == "schema" for item in clr_violations(changed, signer_did=None))


def test_a_clr_signed_by_another_issuer_is_a_violation(clr) -> None:
    codes = [item.code for item in clr_violations(clr, signer_did="did:key:z6MkOther")]
    assert codes == ["issuer_not_signer"]


def test_an_unknown_association_type_fails_the_official_schema(clr) -> None:
    changed = copy.deepcopy(clr)
    changed["credentialSubject"]["association"][0]["associationType"] = "buildsOn"
    assert [item.code for item in clr_violations(changed, signer_did=None)] == ["schema"]
