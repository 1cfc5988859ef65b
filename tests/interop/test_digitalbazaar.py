"""Interoperability with an independent implementation: Digital Bazaar's Node libraries.

``node/interop.mjs`` signs and verifies with ``@digitalbazaar/vc`` and its suites (exact versions
pinned in ``node/package-lock.json``), offline: its document loader serves only the contexts
pinned in ``app/credentials/contexts`` and builds did:key documents itself. Each test here sends
a credential one way across and checks the other side's verdict:

* credentials we sign (eddsa-rdfc-2022) verify in ``vc.verifyCredential``, and a changed copy
  does not;
* credentials Digital Bazaar signs verify in our ``verify``, and a changed copy does not:
  eddsa-rdfc-2022 on a VC 2.0 Open Badge, and the older kinds some platforms issued (VC 1.1
  with eddsa-rdfc-2022, and the legacy Ed25519Signature2020 under VC 1.1 and VC 2.0);
* for one key, document and ``created``, both produce the very same proofValue (Ed25519 is
  deterministic), so canonicalization and proof options agree byte for byte.

The session fixture installs the pinned packages with ``npm ci`` when they are missing. Node is
required: without it the tests fail rather than skip, because CI must run them.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.context_urls import OB3_CONTEXT, VC2_CONTEXT
from app.credentials.data_integrity import resolve_did_key
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.eddsa_rdfc_2022 import sign, verify
from app.credentials.multikey import private_key_to_multibase, public_key_to_multibase
from app.credentials.ob3 import (
    LearnerIdentity,
    build_open_badge_credential,
    hashed_identity,
    ob3_violations,
)
from tests.interop.digitalbazaar import Node, node_runner

VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB3_CONTEXT_3_0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"

CREATED = "2025-03-14T15:09:26Z"
"""A fixed proof date, so that both implementations sign exactly the same proof options."""


# -- the Node side ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def node() -> Node:
    """Runs ``interop.mjs <command>`` with a JSON request and returns its JSON answer."""
    return node_runner()


# -- keys and credentials ---------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    key: Ed25519PrivateKey
    did: str
    method: str

    def signing_request(self, credential: dict[str, Any], suite: str) -> dict[str, Any]:
        return {
            "credential": credential,
            "secretKeyMultibase": private_key_to_multibase(self.key),
            "publicKeyMultibase": public_key_to_multibase(self.key.public_key()),
            "verificationMethod": self.method,
            "suite": suite,
            "created": CREATED,
        }


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    key = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    return Issuer(key, did, did_key_verification_method(did))


def _achievement() -> dict[str, Any]:
    return {
        "id": "https://badges.example.org/achievements/fractions-1",
        "type": ["Achievement"],
        "name": "Fractions: équivalence",
        "description": "Shows that two fractions name the same number — and why.",
        "criteria": {"narrative": "Solved 8 of 10 equivalence problems.\nExplained one."},
        "achievementType": "Competency",
    }


def _issuer_profile(did: str) -> dict[str, Any]:
    return {"id": did, "type": ["Profile"], "name": "XQ Interop Test Issuer"}


@pytest.fixture(scope="session")
def open_badge(issuer: Issuer) -> dict[str, Any]:
    """An unsigned OB3 credential as the service builds them."""
    credential = build_open_badge_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=_issuer_profile(issuer.did),
        achievement=_achievement(),
        learner=LearnerIdentity(
            identifiers=(hashed_identity("emailAddress", "learner@example.org", salt="pepper"),)
        ),
        valid_from=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        valid_until=datetime(2099, 1, 1, tzinfo=UTC),
        awarded_date=datetime(2025, 1, 2, tzinfo=UTC),
        description="Awarded for fraction equivalence.",
        evidence=[
            {
                "id": "https://badges.example.org/evidence/42",
                "type": ["Evidence"],
                "name": "Worksheet",
            }
        ],
    )
    assert ob3_violations(credential, signer_did=issuer.did) == []
    return credential


@pytest.fixture(scope="session")
def ours_signed(open_badge: dict[str, Any], issuer: Issuer) -> dict[str, Any]:
    return sign(open_badge, issuer.key, issuer.method, created=CREATED)


@pytest.fixture(scope="session")
def theirs_signed(node: Node, open_badge: dict[str, Any], issuer: Issuer) -> dict[str, Any]:
    return node("sign", issuer.signing_request(open_badge, "eddsa-rdfc-2022"))


def _older_credential(vc_version: str, suite: str, did: str) -> dict[str, Any]:
    """An OB3 credential of the kinds older platforms made: VC 1.1, or the legacy suite."""
    suite_contexts = [ED25519_2020_CONTEXT] if suite == "Ed25519Signature2020" else []
    credential: dict[str, Any] = {
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Fractions: équivalence",
        "issuer": _issuer_profile(did),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner-7",
            "achievement": _achievement(),
        },
    }
    if vc_version == "1.1":
        credential["@context"] = [VC1_CONTEXT, OB3_CONTEXT_3_0_2, *suite_contexts]
        credential["issuanceDate"] = "2023-05-06T07:08:09Z"
    else:
        credential["@context"] = [VC2_CONTEXT, OB3_CONTEXT, *suite_contexts]
        credential["validFrom"] = "2024-05-06T07:08:09Z"
    return credential


def _tampered(credential: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Calculus: mastery"
    return changed


def _proof(credential: dict[str, Any]) -> dict[str, Any]:
    proof = credential["proof"]
    assert isinstance(proof, dict), "expected exactly one proof"
    return proof


# -- our credentials in Digital Bazaar's verifier ---------------------------------------------


def test_our_eddsa_rdfc_2022_credential_verifies_in_digitalbazaar(node: Node, ours_signed):
    verdict = node("verify", {"credential": ours_signed})
    assert verdict["verified"] is True, verdict["error"]
    [result] = verdict["results"]
    assert (result["proofType"], result["cryptosuite"]) == ("DataIntegrityProof", "eddsa-rdfc-2022")


def test_tampered_copy_of_our_credential_fails_in_digitalbazaar(node: Node, ours_signed):
    verdict = node("verify", {"credential": _tampered(ours_signed)})
    assert verdict["verified"] is False
    assert "Invalid signature" in verdict["error"]


# -- Digital Bazaar's credentials in our verifier ---------------------------------------------


def test_digitalbazaar_eddsa_rdfc_2022_credential_verifies_in_ours(theirs_signed):
    check = verify(theirs_signed, resolve_key=resolve_did_key)
    assert check.verified, f"{check.code}: {check.message}"
    [result] = check.proofs
    assert (result.proof_type, result.cryptosuite) == ("DataIntegrityProof", "eddsa-rdfc-2022")


def test_tampered_copy_of_digitalbazaar_credential_fails_in_ours(theirs_signed):
    check = verify(_tampered(theirs_signed), resolve_key=resolve_did_key)
    assert (check.verified, check.code) == (False, "signature_invalid")


@pytest.fixture(
    scope="session",
    params=[
        ("1.1", "Ed25519Signature2020"),
        ("2.0", "Ed25519Signature2020"),
        ("1.1", "eddsa-rdfc-2022"),
    ],
    ids=["vc1.1-ed25519signature2020", "vc2.0-ed25519signature2020", "vc1.1-eddsa-rdfc-2022"],
)
def older_signed(request, node: Node, issuer: Issuer) -> dict[str, Any]:
    """Signed by Digital Bazaar. For VC 1.1 with a DataIntegrityProof, jsonld-signatures itself
    appends the Data Integrity v2 context to the credential before signing."""
    vc_version, suite = request.param
    unsigned = _older_credential(vc_version, suite, issuer.did)
    signed = node("sign", issuer.signing_request(unsigned, suite))
    if suite == "Ed25519Signature2020":
        assert _proof(signed)["type"] == "Ed25519Signature2020"
    else:
        assert _proof(signed)["cryptosuite"] == "eddsa-rdfc-2022"
        assert signed["@context"] == [*unsigned["@context"], DATA_INTEGRITY_V2_CONTEXT]
    return signed


def test_digitalbazaar_credential_of_older_kind_verifies_in_ours(older_signed):
    check = verify(older_signed, resolve_key=resolve_did_key)
    assert check.verified, f"{check.code}: {check.message}"


def test_tampered_credential_of_older_kind_fails_in_ours(older_signed):
    check = verify(_tampered(older_signed), resolve_key=resolve_did_key)
    assert (check.verified, check.code) == (False, "signature_invalid")


# -- the same bytes on both sides -------------------------------------------------------------


def test_both_implementations_make_the_same_proof(ours_signed, theirs_signed):
    """Same key, document and created: the same signature, so the same signed bytes."""
    ours, theirs = _proof(ours_signed), _proof(theirs_signed)
    assert ours == theirs
    assert {k: v for k, v in ours_signed.items() if k != "proof"} == {
        k: v for k, v in theirs_signed.items() if k != "proof"
    }
