from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.did import (
    VerificationMethodSpec,
    did_document,
    did_key_document,
    did_key_from_public_key,
    did_key_verification_method,
)
from app.credentials.did_keys import KeyNotAuthorized, assertion_key
from app.credentials.multikey import public_key_to_multibase

WEB_DID = "did:web:badges.example.org:issuers:xq"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def web_document(key: Ed25519PrivateKey) -> dict[str, Any]:
    return did_document(WEB_DID, [VerificationMethodSpec(key.public_key(), fragment="key-1")])


def test_did_key_method_resolves_to_its_own_key(key: Ed25519PrivateKey) -> None:
    did = did_key_from_public_key(key.public_key())
    method = did_key_verification_method(did)
    resolved = assertion_key(did_key_document(did), method)
    assert resolved.controller == did
    assert public_key_to_multibase(resolved.public_key) == public_key_to_multibase(key.public_key())


def test_listed_assertion_method_resolves(web_document: dict) -> None:
    resolved = assertion_key(web_document, f"{WEB_DID}#key-1")
    assert resolved.method_id == f"{WEB_DID}#key-1"


def test_relative_references_in_the_document_are_understood(web_document: dict) -> None:
    web_document["assertionMethod"] = ["#key-1"]
    web_document["verificationMethod"][0]["id"] = "#key-1"
    assert assertion_key(web_document, f"{WEB_DID}#key-1").controller == WEB_DID


def test_key_listed_only_for_authentication_may_not_sign(web_document: dict) -> None:
    web_document["assertionMethod"] = []
    with pytest.raises(KeyNotAuthorized) as caught:
        assertion_key(web_document, f"{WEB_DID}#key-1")
    assert caught.value.code == "key_not_for_assertion"


def test_method_controlled_by_someone_else_is_refused(web_document: dict) -> None:
    web_document["verificationMethod"][0]["controller"] = "did:web:attacker.example"
    with pytest.raises(KeyNotAuthorized) as caught:
        assertion_key(web_document, f"{WEB_DID}#key-1")
    assert caught.value.code == "controller_mismatch"


def test_document_of_another_did_is_refused(web_document: dict) -> None:
    with pytest.raises(KeyNotAuthorized) as caught:
        assertion_key(web_document, "did:web:other.example#key-1")
    assert caught.value.code == "did_document_mismatch"


def test_unknown_method_is_refused(web_document: dict) -> None:
    web_document["assertionMethod"].append(f"{WEB_DID}#key-9")
    with pytest.raises(KeyNotAuthorized) as caught:
        assertion_key(web_document, f"{WEB_DID}#key-9")
    assert caught.value.code == "verification_method_not_found"
