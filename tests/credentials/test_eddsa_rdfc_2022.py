"""eddsa-rdfc-2022: the W3C and 1EdTech vectors byte for byte, signing, and each refusal."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.credentials.canonicalize import Engine, canonicalize
from app.credentials.data_integrity import add_proof, resolve_did_key
from app.credentials.did import did_key_from_public_key, did_key_verification_method
from app.credentials.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from app.credentials.eddsa_rdfc_2022 import EDDSA_RDFC_2022, sign, verify
from app.credentials.errors import CannotSign, CredentialError
from app.credentials.multibase import encode_base58btc
from app.credentials.multikey import private_key_from_multibase

pytestmark = pytest.mark.usefixtures("no_network")

ENGINES = list(Engine)
W3C = "test-vectors/eddsa-rdfc-2022/"
OB3_SIGNED = "examples/ob3-signed-openbadgecredential-eddsa-rdfc-2022.json"
CLR_SIGNED = "examples/clr2-signed-clrcredential-eddsa-rdfc-2022.json"
OB3_VECTOR = "test-vectors/ob3-eddsa-rdfc-2022/"
CLR_VECTOR = "test-vectors/clr2-eddsa-rdfc-2022/"
# From the OB 3.0 implementation guide, "Linked Data Proof" appendix.
OB3_SEED_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
OB3_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
OB3_DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
OB3_PROOF_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
OB3_SIGNATURE_HEX = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
OB3_METHOD = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.fixture(scope="module")
def text(standards_dir):
    def read(relative_path: str) -> str:
        return (standards_dir / relative_path).read_text("utf-8")

    return read


@pytest.fixture(scope="module")
def w3c_key(read_json) -> Ed25519PrivateKey:
    return private_key_from_multibase(read_json(W3C + "keyPair.json")["privateKeyMultibase"])


@pytest.fixture(scope="module")
def ob3_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(OB3_SEED_HEX))


def ob3_public_key(method: str) -> Ed25519PublicKey:
    """The test's key resolver for the 1EdTech examples' https verification method."""
    if method != OB3_METHOD:
        raise LookupError(method)
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(OB3_PUBLIC_HEX))


def without_proof(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def the_proof(document: dict[str, Any]) -> dict[str, Any]:
    """The one proof (the CLR example lists it as a set of one)."""
    proof = document["proof"]
    if isinstance(proof, list):
        [proof] = proof
    return dict(proof)


def proof_configuration(document: dict[str, Any]) -> dict[str, Any]:
    proof = the_proof(document)
    return {
        **{key: value for key, value in proof.items() if key != "proofValue"},
        "@context": document["@context"],
    }


# -- the W3C vectors (vc-di-eddsa, TestVectors/eddsa-rdfc-2022) ------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_w3c_canonical_document(read_json, text, vector_loader, engine):
    unsigned = read_json(W3C + "unsigned.json")
    assert canonicalize(unsigned, vector_loader, engine=engine) == text(W3C + "canonDocDataInt.txt")


@pytest.mark.parametrize("engine", ENGINES)
def test_w3c_canonical_proof_configuration(read_json, text, vector_loader, engine):
    configuration = read_json(W3C + "proofConfigDataInt.json")
    assert canonicalize(configuration, vector_loader, engine=engine) == text(
        W3C + "proofCanonDataInt.txt"
    )


def test_w3c_hashes(read_json, text, vector_loader):
    canonical_document = canonicalize(read_json(W3C + "unsigned.json"), vector_loader)
    canonical_proof = canonicalize(read_json(W3C + "proofConfigDataInt.json"), vector_loader)
    document_hash = hashlib.sha256(canonical_document.encode()).hexdigest()
    proof_hash = hashlib.sha256(canonical_proof.encode()).hexdigest()
    assert document_hash == text(W3C + "docHashDataInt.txt")
    assert proof_hash == text(W3C + "proofHashDataInt.txt")
    combined = EDDSA_RDFC_2022.verify_data(canonical_proof, canonical_document)
    assert combined.hex() == text(W3C + "combinedHashDataInt.txt")


def test_w3c_signature_and_proof_value(text, w3c_key):
    combined = bytes.fromhex(text(W3C + "combinedHashDataInt.txt"))
    signature = w3c_key.sign(combined)
    assert signature.hex() == text(W3C + "sigHexDataInt.txt")
    assert encode_base58btc(signature) == text(W3C + "sigBTC58DataInt.txt")
    assert EDDSA_RDFC_2022.sign(combined, w3c_key) == text(W3C + "sigBTC58DataInt.txt")


@pytest.mark.parametrize("engine", ENGINES)
def test_w3c_signing_reproduces_the_signed_vector(read_json, vector_loader, w3c_key, engine):
    configuration = read_json(W3C + "proofConfigDataInt.json")
    signed = sign(
        read_json(W3C + "unsigned.json"),
        w3c_key,
        configuration["verificationMethod"],
        created=configuration["created"],
        loader=vector_loader,
        engine=engine,
    )
    assert signed == read_json(W3C + "signedDataInt.json")


@pytest.mark.parametrize("engine", ENGINES)
def test_w3c_signed_vector_verifies(read_json, vector_loader, engine):
    check = verify(
        read_json(W3C + "signedDataInt.json"),
        resolve_key=resolve_did_key,
        loader=vector_loader,
        engine=engine,
    )
    assert (check.verified, check.code) == (True, None)
    [result] = check.proofs
    assert (result.proof_type, result.cryptosuite) == ("DataIntegrityProof", "eddsa-rdfc-2022")


def test_w3c_signed_vector_needs_the_examples_context(read_json):
    check = verify(read_json(W3C + "signedDataInt.json"), resolve_key=resolve_did_key)
    assert check.code == "context_not_allowed"


# -- the 1EdTech Open Badges 3.0 and CLR 2.0 vectors -----------------------------------------


@pytest.mark.parametrize(
    ("example", "vector"), [(OB3_SIGNED, OB3_VECTOR), (CLR_SIGNED, CLR_VECTOR)]
)
@pytest.mark.parametrize("engine", ENGINES)
def test_1edtech_canonical_document(read_json, text, example, vector, engine):
    document = without_proof(read_json(example))
    assert canonicalize(document, engine=engine) == text(vector + "document-canon.txt")


@pytest.mark.parametrize(
    ("example", "vector"), [(OB3_SIGNED, OB3_VECTOR), (CLR_SIGNED, CLR_VECTOR)]
)
@pytest.mark.parametrize("engine", ENGINES)
def test_1edtech_canonical_proof_configuration(read_json, text, example, vector, engine):
    configuration = proof_configuration(read_json(example))
    assert canonicalize(configuration, engine=engine) == text(vector + "proof-canon.txt")


def test_ob3_hashes_and_signature(read_json, ob3_key):
    signed = read_json(OB3_SIGNED)
    canonical_document = canonicalize(without_proof(signed))
    canonical_proof = canonicalize(proof_configuration(signed))
    assert hashlib.sha256(canonical_document.encode()).hexdigest() == OB3_DOCUMENT_HASH
    assert hashlib.sha256(canonical_proof.encode()).hexdigest() == OB3_PROOF_HASH
    data = EDDSA_RDFC_2022.verify_data(canonical_proof, canonical_document)
    assert data.hex() == OB3_PROOF_HASH + OB3_DOCUMENT_HASH
    assert ob3_key.sign(data).hex() == OB3_SIGNATURE_HEX
    assert encode_base58btc(bytes.fromhex(OB3_SIGNATURE_HEX)) == signed["proof"]["proofValue"]


@pytest.mark.parametrize("example", [OB3_SIGNED, CLR_SIGNED])
@pytest.mark.parametrize("engine", ENGINES)
def test_1edtech_signed_example_verifies(read_json, example, engine):
    check = verify(read_json(example), resolve_key=ob3_public_key, engine=engine)
    assert (check.verified, check.code) == (True, None)


@pytest.mark.parametrize("example", [OB3_SIGNED, CLR_SIGNED])
def test_signing_reproduces_the_1edtech_example(read_json, ob3_key, example):
    signed = read_json(example)
    expected = the_proof(signed)
    resigned = sign(without_proof(signed), ob3_key, OB3_METHOD, created=expected["created"])
    assert resigned["proof"] == expected


# -- tampering ---------------------------------------------------------------------------------

TAMPERED_FIELDS = [
    ("name",),
    ("id",),
    ("validFrom",),
    ("issuer", "name"),
    ("issuer", "id"),
    ("credentialSubject", "id"),
    ("credentialSubject", "achievement", "name"),
    ("credentialSubject", "achievement", "description"),
    ("credentialSubject", "achievement", "criteria", "narrative"),
]


def change_one_character(text: str) -> str:
    last = text[-1]
    return text[:-1] + ("1" if last == "0" else "0" if last.isdigit() else chr(ord(last) ^ 1))


@pytest.mark.parametrize("path", TAMPERED_FIELDS, ids=".".join)
@pytest.mark.parametrize("engine", [Engine.FAST, Engine.REFERENCE])
def test_one_changed_character_breaks_the_signature(read_json, path, engine):
    document = read_json(OB3_SIGNED)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = change_one_character(parent[path[-1]])
    check = verify(document, resolve_key=ob3_public_key, engine=engine)
    assert (check.verified, check.code) == (False, "signature_invalid")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created", "2010-01-01T19:23:25Z"),
        ("verificationMethod", OB3_METHOD.replace("565049", "565048")),
    ],
)
def test_changed_proof_options_break_the_signature(read_json, field, value):
    document = read_json(OB3_SIGNED)
    document["proof"][field] = value
    check = verify(document, resolve_key=lambda method: ob3_public_key(OB3_METHOD))
    assert check.code == "signature_invalid"


def test_changed_proof_value_breaks_the_signature(read_json):
    document = read_json(OB3_SIGNED)
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:20] + ("A" if value[20] != "A" else "B") + value[21:]
    assert verify(document, resolve_key=ob3_public_key).code == "signature_invalid"


def test_another_key_does_not_verify(read_json):
    other = Ed25519PrivateKey.generate().public_key()
    check = verify(read_json(OB3_SIGNED), resolve_key=lambda method: other)
    assert check.code == "signature_invalid"


def test_an_added_undefined_term_is_refused_not_ignored(read_json):
    document = read_json(OB3_SIGNED)
    document["credentialSubject"]["grade"] = "A+"
    check = verify(document, resolve_key=ob3_public_key)
    assert (check.verified, check.code) == (False, "undefined_term")


# -- refusals ----------------------------------------------------------------------------------


def refusal_code(document: Any, **kwargs: Any) -> str | None:
    check = verify(document, resolve_key=kwargs.pop("resolve_key", ob3_public_key), **kwargs)
    assert not check.verified
    return check.code


@pytest.mark.parametrize(
    ("cryptosuite", "code"),
    [
        ("eddsa-jcs-2022", "unsupported_cryptosuite"),
        ("ecdsa-rdfc-2019", "unsupported_cryptosuite"),
        ("eddsa-2022", "unsupported_cryptosuite"),
        (5, "malformed_proof"),
        (None, "malformed_proof"),
    ],
)
def test_refuses_other_cryptosuites(read_json, cryptosuite, code):
    document = read_json(OB3_SIGNED)
    document["proof"]["cryptosuite"] = cryptosuite
    assert refusal_code(document) == code


@pytest.mark.parametrize(
    ("proof_type", "code"),
    [
        ("Ed25519Signature2018", "unsupported_proof_type"),
        ("JsonWebSignature2020", "unsupported_proof_type"),
        ("dataintegrityproof", "unsupported_proof_type"),
        (["DataIntegrityProof"], "malformed_proof"),
        (None, "malformed_proof"),
    ],
)
def test_refuses_other_proof_types(read_json, proof_type, code):
    document = read_json(OB3_SIGNED)
    document["proof"]["type"] = proof_type
    assert refusal_code(document) == code


@pytest.mark.parametrize("field", ["type", "cryptosuite", "verificationMethod", "proofPurpose"])
def test_refuses_a_proof_missing_a_field(read_json, field):
    document = read_json(OB3_SIGNED)
    del document["proof"][field]
    assert refusal_code(document) == "malformed_proof"


@pytest.mark.parametrize("value", [None, "", 42, ["z5x9"], {"z": 1}])
def test_refuses_a_missing_or_mistyped_proof_value(read_json, value):
    document = read_json(OB3_SIGNED)
    if value is None:
        del document["proof"]["proofValue"]
    else:
        document["proof"]["proofValue"] = value
    assert refusal_code(document) == "malformed_proof"


@pytest.mark.parametrize("purpose", ["authentication", "capabilityInvocation", "AssertionMethod"])
def test_refuses_another_proof_purpose(read_json, purpose):
    document = read_json(OB3_SIGNED)
    document["proof"]["proofPurpose"] = purpose
    assert refusal_code(document) == "proof_purpose_mismatch"


def test_a_verifier_may_expect_another_purpose(read_json):
    check = verify(
        read_json(OB3_SIGNED),
        resolve_key=ob3_public_key,
        expected_proof_purpose="authentication",
    )
    assert check.code == "proof_purpose_mismatch"


@pytest.fixture(scope="module")
def learner_credential(read_json) -> dict[str, Any]:
    return without_proof(read_json(OB3_SIGNED))


@pytest.fixture(scope="module")
def did_key_issuer() -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    return key, did_key_verification_method(did_key_from_public_key(key.public_key()))


def test_refuses_a_proof_created_in_the_future(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    signed = sign(learner_credential, key, method, created="2030-01-01T00:00:00Z")
    early = datetime(2029, 12, 31, tzinfo=UTC)
    check = verify(signed, resolve_key=resolve_did_key, now=early)
    assert check.code == "proof_created_in_future"


def test_allows_small_clock_skew(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    signed = sign(learner_credential, key, method, created="2030-01-01T00:00:00Z")
    a_bit_early = datetime(2029, 12, 31, 23, 57, tzinfo=UTC)
    assert verify(signed, resolve_key=resolve_did_key, now=a_bit_early).verified
    strict = verify(signed, resolve_key=resolve_did_key, now=a_bit_early, clock_skew=timedelta())
    assert strict.code == "proof_created_in_future"


def test_a_proof_made_now_verifies(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    signed = sign(learner_credential, key, method)
    assert verify(signed, resolve_key=resolve_did_key).verified


@pytest.mark.parametrize(
    "created",
    [
        "yesterday",
        "2024-01-01",
        "2024-01-01T00:00:00",
        "2024-13-01T00:00:00Z",
        "2024-01-01 00:00:00Z",
        "",
        20240101,
    ],
)
def test_refuses_a_malformed_created(read_json, created):
    document = read_json(OB3_SIGNED)
    document["proof"]["created"] = created
    assert refusal_code(document) == "invalid_proof_date"


def test_refuses_an_expired_proof(read_json):
    document = read_json(OB3_SIGNED)
    document["proof"]["expires"] = "2011-01-01T00:00:00Z"
    assert refusal_code(document) == "proof_expired"


@pytest.mark.parametrize(
    "proof_value",
    [
        "u2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme",
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZm0",
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZmI",
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZah",
        "z" + "2" * 150,
        "z",
        "zz",
    ],
    ids=["base64url", "zero", "capital-i", "short", "long", "empty", "tiny"],
)
def test_refuses_a_malformed_proof_value(read_json, proof_value):
    document = read_json(OB3_SIGNED)
    document["proof"]["proofValue"] = proof_value
    assert refusal_code(document) == "invalid_proof_value"


def test_refuses_a_proof_whose_context_is_not_the_documents(read_json):
    document = read_json(OB3_SIGNED)
    document["proof"]["@context"] = ["https://www.w3.org/ns/credentials/v2", "https://evil.example"]
    assert refusal_code(document) == "proof_context_mismatch"


def test_accepts_a_proof_context_that_begins_the_documents(read_json):
    document = read_json(OB3_SIGNED)
    document["proof"]["@context"] = "https://www.w3.org/ns/credentials/v2"
    assert verify(document, resolve_key=ob3_public_key).verified


@pytest.mark.parametrize(
    ("resolver", "code"),
    [
        (lambda method: {}["missing"], "key_resolution_failed"),
        (lambda method: "not a key", "key_resolution_failed"),
        (lambda method: Ed25519PrivateKey.generate(), "key_resolution_failed"),
        (resolve_did_key, "key_resolution_failed"),
    ],
    ids=["raises", "returns-text", "returns-private-key", "did-key-resolver"],
)
def test_refuses_when_the_key_cannot_be_resolved(read_json, resolver, code):
    assert refusal_code(read_json(OB3_SIGNED), resolve_key=resolver) == code


def test_a_resolvers_own_error_code_is_kept(read_json):
    def refuse(method: str) -> Ed25519PublicKey:
        raise CredentialError("issuer_key_revoked", "this key was retired")

    assert refusal_code(read_json(OB3_SIGNED), resolve_key=refuse) == "issuer_key_revoked"


@pytest.mark.parametrize(
    "method",
    [
        "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#key-1",
        "did:web:example.com#key-1",
        "https://example.edu/keys/1",
    ],
)
def test_did_key_resolver_refuses_what_is_not_a_did_key_method(method):
    with pytest.raises(CredentialError) as refused:
        resolve_did_key(method)
    assert refused.value.code in {"key_resolution_failed", "invalid_did"}


def test_did_key_resolver_finds_the_key(did_key_issuer):
    key, method = did_key_issuer
    assert resolve_did_key(method) == key.public_key()


# -- proof sets ----------------------------------------------------------------------------------


def test_verifies_every_proof_of_a_set(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    other = Ed25519PrivateKey.generate()
    other_method = did_key_verification_method(did_key_from_public_key(other.public_key()))
    once = sign(learner_credential, key, method, created="2024-01-01T00:00:00Z")
    twice = sign(once, other, other_method, created="2024-01-02T00:00:00Z")
    assert isinstance(twice["proof"], list)
    assert len(twice["proof"]) == 2
    check = verify(twice, resolve_key=resolve_did_key)
    assert check.verified
    assert [result.verification_method for result in check.proofs] == [method, other_method]


def test_one_bad_proof_fails_the_set(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    once = sign(learner_credential, key, method, created="2024-01-01T00:00:00Z")
    twice = sign(once, key, method, created="2024-01-02T00:00:00Z")
    twice["proof"][1]["proofPurpose"] = "authentication"
    check = verify(twice, resolve_key=resolve_did_key)
    assert (check.verified, check.code) == (False, "proof_purpose_mismatch")
    assert [result.verified for result in check.proofs] == [True, False]
    assert check.proofs[1].code == "proof_purpose_mismatch"


# -- never raises --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (None, "not_json"),
        ([], "not_json"),
        ("credential", "not_json"),
        ({}, "proof_missing"),
        ({"proof": []}, "proof_missing"),
        ({"proof": None}, "proof_missing"),
        ({"proof": "z5x9"}, "malformed_proof"),
        ({"proof": [1, 2]}, "malformed_proof"),
        ({"proof": {"type": 5}}, "malformed_proof"),
    ],
)
def test_verification_returns_a_code_for_garbage(document, code):
    check = verify(document, resolve_key=ob3_public_key)
    assert (check.verified, check.code) == (False, code)


@pytest.mark.parametrize(
    "context",
    [5, None, [], [{"@vocab": "https://evil.example/"}], ["https://evil.example/ctx"], [[1]]],
)
def test_verification_returns_a_code_for_a_broken_document(read_json, context):
    document = read_json(OB3_SIGNED)
    document["@context"] = context
    check = verify(document, resolve_key=ob3_public_key)
    assert not check.verified
    assert check.code


def test_verification_fails_closed_on_an_unexpected_error(read_json):
    def explode(method: str) -> Ed25519PublicKey:
        raise ZeroDivisionError

    check = verify(read_json(OB3_SIGNED), resolve_key=explode)
    assert (check.verified, check.code) == (False, "key_resolution_failed")


# -- signing -----------------------------------------------------------------------------------


def test_signing_does_not_change_the_input(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    before = copy.deepcopy(learner_credential)
    sign(learner_credential, key, method)
    assert learner_credential == before


def test_created_is_written_to_the_second_in_utc(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    moment = datetime(2024, 5, 6, 7, 8, 9, 999999, tzinfo=UTC) + timedelta(hours=0)
    signed = sign(learner_credential, key, method, created=moment)
    assert signed["proof"]["created"] == "2024-05-06T07:08:09Z"
    assert list(signed["proof"]) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"created": datetime(2024, 1, 1)}, "time zone"),
        ({"created": "2024-01-01"}, "dateTimeStamp"),
        ({"verification_method": "key-1"}, "verification method"),
        ({"verification_method": "https://example.edu/keys/1 x"}, "verification method"),
    ],
)
def test_signing_refuses_unfit_options(learner_credential, did_key_issuer, kwargs, message):
    key, method = did_key_issuer
    arguments: dict[str, Any] = {"verification_method": method, **kwargs}
    with pytest.raises(CannotSign, match=message):
        sign(learner_credential, key, **arguments)


def test_signing_refuses_a_document_without_context(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    document = {k: v for k, v in learner_credential.items() if k != "@context"}
    with pytest.raises(CannotSign):
        sign(document, key, method)


def test_signing_refuses_a_document_the_canonicalizer_refuses(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    document = copy.deepcopy(learner_credential)
    document["credentialSubject"]["favouriteColour"] = "blue"
    with pytest.raises(CredentialError) as refused:
        sign(document, key, method)
    assert refused.value.code == "undefined_term"


def test_the_legacy_suite_does_not_sign(learner_credential, did_key_issuer):
    key, method = did_key_issuer
    with pytest.raises(CannotSign):
        add_proof(learner_credential, ED25519_SIGNATURE_2020, key, method)
