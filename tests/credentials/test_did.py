from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.credentials.did import (
    VerificationMethodSpec,
    did_document,
    did_key_document,
    did_key_from_public_key,
    did_key_verification_method,
    did_web_document_url,
    did_web_from_url,
    public_key_from_did_key,
)
from app.credentials.errors import InvalidDid
from app.credentials.multikey import private_key_from_multibase, public_key_to_multibase

VECTORS = "test-vectors/eddsa-rdfc-2022"


def raw(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def vector_key(read_json):
    return private_key_from_multibase(read_json(f"{VECTORS}/keyPair.json")["privateKeyMultibase"])


@pytest.fixture
def vector_method(read_json) -> str:
    return read_json(f"{VECTORS}/proofConfigDataInt.json")["verificationMethod"]


def test_did_key_of_the_w3c_key_pair_is_the_vectors_did(vector_key, vector_method):
    assert did_key_from_public_key(vector_key.public_key()) == vector_method.split("#")[0]


def test_verification_method_of_the_w3c_did_is_the_vectors(vector_key, vector_method):
    did = did_key_from_public_key(vector_key.public_key())
    assert did_key_verification_method(did) == vector_method


def test_the_vectors_verification_method_names_the_key_pair(vector_key, vector_method):
    assert raw(public_key_from_did_key(vector_method)) == raw(vector_key.public_key())


def test_did_key_names_its_key(vector_key, vector_method):
    did = vector_method.split("#")[0]
    assert raw(public_key_from_did_key(did)) == raw(vector_key.public_key())


@pytest.mark.parametrize("fragment", ["#key-1", "#"])
def test_refuses_a_fragment_that_is_not_the_key(vector_method, fragment):
    did = vector_method.split("#")[0]
    with pytest.raises(InvalidDid):
        public_key_from_did_key(did + fragment)


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com",
        "did:key:",
        "did:key:6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        # X25519 (multicodec 0xec) key from the did:key specification's examples.
        "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F",
        "did:key:z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
    ],
)
def test_refuses_what_is_not_an_ed25519_did_key(did):
    with pytest.raises(InvalidDid) as refused:
        public_key_from_did_key(did)
    assert refused.value.code == "invalid_did"


def test_refuses_a_non_canonical_did_key(vector_method):
    did = vector_method.split("#")[0]
    padded = did.replace("did:key:z", "did:key:z1", 1)
    with pytest.raises(InvalidDid):
        public_key_from_did_key(padded)


def test_did_key_document_follows_the_did_key_method(vector_method):
    did = vector_method.split("#")[0]
    document = did_key_document(did)
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": vector_method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": did.removeprefix("did:key:"),
            }
        ],
        "authentication": [vector_method],
        "assertionMethod": [vector_method],
        "capabilityInvocation": [vector_method],
        "capabilityDelegation": [vector_method],
    }


def test_did_key_document_refuses_a_did_url(vector_method):
    with pytest.raises(InvalidDid):
        did_key_document(vector_method)


# did:web examples from the did:web method specification (w3c-ccg.github.io/did-method-web).
@pytest.mark.parametrize(
    ("url", "segments", "did"),
    [
        ("https://w3c-ccg.github.io", (), "did:web:w3c-ccg.github.io"),
        ("https://w3c-ccg.github.io/", (), "did:web:w3c-ccg.github.io"),
        ("https://w3c-ccg.github.io/user/alice", (), "did:web:w3c-ccg.github.io:user:alice"),
        ("https://w3c-ccg.github.io", ("user", "alice"), "did:web:w3c-ccg.github.io:user:alice"),
        ("https://example.com:3000", ("user", "alice"), "did:web:example.com%3A3000:user:alice"),
        ("https://Example.COM/issuers", ("xq",), "did:web:example.com:issuers:xq"),
        ("https://example.com", ("a b", "x:y"), "did:web:example.com:a%20b:x%3Ay"),
    ],
)
def test_did_web_from_url(url, segments, did):
    assert did_web_from_url(url, *segments) == did


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com:a%20b", "https://example.com/a%20b/did.json"),
    ],
)
def test_did_web_document_url(did, url):
    assert did_web_document_url(did) == url


def test_did_web_round_trips_to_its_document_url():
    did = did_web_from_url("https://badges.example.org:8443/issuers", "xq")
    assert did_web_document_url(did) == "https://badges.example.org:8443/issuers/xq/did.json"


@pytest.mark.parametrize(
    ("url", "segments"),
    [
        ("http://example.com", ()),
        ("https://127.0.0.1", ()),
        ("https://[::1]", ()),
        ("https://user:pw@example.com", ()),
        ("https://example.com?x=1", ()),
        ("https://example.com#frag", ()),
        ("https://example.com/a/../b", ()),
        ("https://example.com", ("..",)),
        ("https://example.com", ("",)),
        ("https://example.com", ("a/b",)),
        ("https://exa_mple.com", ()),
        ("https://example.com:99999", ()),
    ],
)
def test_did_web_from_url_refuses(url, segments):
    with pytest.raises(InvalidDid):
        did_web_from_url(url, *segments)


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "did:web:",
        "did:web:example.com:",
        "did:web:example.com::alice",
        "did:web:example.com:..",
        "did:web:example.com:a%2Fb",
        "did:web:192.168.0.1",
        "did:web:example.com%3A0",
        "did:web:example.com%3Ahttp",
        "did:web:example.com#key-1",
        "did:web:example.com/path",
    ],
)
def test_did_web_document_url_refuses(did):
    with pytest.raises(InvalidDid):
        did_web_document_url(did)


def test_did_document_lists_a_retired_key_for_assertions_only():
    active, retired = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    did = "did:web:badges.example.org:issuers:xq"
    document = did_document(
        did,
        [
            VerificationMethodSpec(active.public_key(), fragment="key-2"),
            VerificationMethodSpec(retired.public_key(), fragment="key-1", authentication=False),
        ],
    )
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": f"{did}#key-2",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_to_multibase(active.public_key()),
        },
        {
            "id": f"{did}#key-1",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_to_multibase(retired.public_key()),
        },
    ]
    assert document["assertionMethod"] == [f"{did}#key-2", f"{did}#key-1"]
    assert document["authentication"] == [f"{did}#key-2"]


def test_did_document_fragment_defaults_to_the_multikey():
    key = Ed25519PrivateKey.generate().public_key()
    document = did_document("did:web:example.com", [VerificationMethodSpec(key)])
    assert document["verificationMethod"][0]["id"] == (
        f"did:web:example.com#{public_key_to_multibase(key)}"
    )


def test_did_document_refuses_duplicate_ids():
    key = Ed25519PrivateKey.generate().public_key()
    specs = [VerificationMethodSpec(key, fragment="k"), VerificationMethodSpec(key, fragment="k")]
    with pytest.raises(InvalidDid):
        did_document("did:web:example.com", specs)


@pytest.mark.parametrize("fragment", ["", "a b", "a#b", "ключ"])
def test_did_document_refuses_unusable_fragments(fragment):
    key = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(InvalidDid):
        did_document("did:web:example.com", [VerificationMethodSpec(key, fragment=fragment)])


@pytest.mark.parametrize("did", ["example.com", "did:web", "did:Web:example.com", "did:web:a b"])
def test_did_document_refuses_what_is_not_a_did(did):
    key = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(InvalidDid):
        did_document(did, [VerificationMethodSpec(key)])


def test_did_document_refuses_no_keys():
    with pytest.raises(InvalidDid):
        did_document("did:web:example.com", [])
