from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.errors import InvalidJwk, InvalidMultikey, KeyEncodingError
from app.credentials.jwk import (
    JSON_WEB_KEY,
    JWK_THUMBPRINT_URN_PREFIX,
    json_web_key_verification_method,
    jwk_thumbprint,
    jwk_thumbprint_uri,
    public_jwk,
    public_key_from_jwk,
    public_key_from_verification_method,
    same_public_key,
)
from app.credentials.multikey import public_key_to_multibase

# RFC 7638 section 3.1 (the RFC 7517 appendix A.1 RSA key) and its published thumbprint.
RFC7638_RSA_JWK = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq"
        "Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0"
        "fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# RFC 8037 appendix A.2 / A.3: the Ed25519 public key and its thumbprint.
RFC8037_ED25519_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
# RFC 7515 appendix A.3: a P-256 public key.
RFC7515_P256_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}

CONTROLLER = "did:web:badges.example.org"


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys(rsa_key):
    return {
        "RSA": rsa_key,
        "P-256": ec.generate_private_key(ec.SECP256R1()),
        "Ed25519": Ed25519PrivateKey.generate(),
    }


@pytest.mark.parametrize("kind", ["RSA", "P-256", "Ed25519"])
def test_public_jwk_round_trips(keys, kind):
    public_key = keys[kind].public_key()
    assert same_public_key(public_key_from_jwk(public_jwk(public_key)), public_key)


@pytest.mark.parametrize(
    ("kind", "members"),
    [
        ("RSA", {"kty", "n", "e"}),
        ("P-256", {"kty", "crv", "x", "y"}),
        ("Ed25519", {"kty", "crv", "x"}),
    ],
)
def test_public_jwk_has_only_the_required_public_members(keys, kind, members):
    assert set(public_jwk(keys[kind].public_key())) == members


@pytest.mark.parametrize("kind", ["RSA", "P-256", "Ed25519"])
def test_public_jwk_refuses_a_private_key_object(keys, kind):
    with pytest.raises(InvalidJwk, match="public"):
        public_jwk(keys[kind])


def test_public_jwk_refuses_other_curves():
    with pytest.raises(InvalidJwk, match="P-256"):
        public_jwk(ec.generate_private_key(ec.SECP384R1()).public_key())


def test_public_jwk_writes_the_rsa_example_exactly():
    key = public_key_from_jwk(RFC7638_RSA_JWK)
    assert public_jwk(key) == {"kty": "RSA", "n": RFC7638_RSA_JWK["n"], "e": "AQAB"}


def test_p256_coordinates_are_always_32_octets():
    key = public_key_from_jwk(RFC7515_P256_JWK)
    assert public_jwk(key) == RFC7515_P256_JWK


@pytest.mark.parametrize(
    ("jwk", "thumbprint"),
    [
        pytest.param(RFC7638_RSA_JWK, RFC7638_THUMBPRINT, id="rfc7638-rsa"),
        pytest.param(RFC8037_ED25519_JWK, RFC8037_THUMBPRINT, id="rfc8037-ed25519"),
    ],
)
def test_thumbprint_matches_the_rfc_vectors(jwk, thumbprint):
    assert jwk_thumbprint(public_key_from_jwk(jwk)) == thumbprint


def test_thumbprint_uri_is_the_rfc9278_urn():
    key = public_key_from_jwk(RFC8037_ED25519_JWK)
    assert jwk_thumbprint_uri(key) == JWK_THUMBPRINT_URN_PREFIX + RFC8037_THUMBPRINT
    assert JWK_THUMBPRINT_URN_PREFIX == "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"


def test_same_public_key_tells_keys_apart(keys):
    assert not same_public_key(
        keys["Ed25519"].public_key(), Ed25519PrivateKey.generate().public_key()
    )


@pytest.mark.parametrize(
    ("jwk", "match"),
    [
        pytest.param(
            {**RFC8037_ED25519_JWK, "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
            "private",
            id="ed25519-d",
        ),
        pytest.param({**RFC7638_RSA_JWK, "p": "AQAB"}, "private", id="rsa-p"),
        pytest.param({"kty": "oct", "k": "c2VjcmV0"}, "private", id="symmetric"),
        pytest.param({"kty": "oct"}, "key type", id="oct-without-k"),
        pytest.param({"kty": "RSA-PSS"}, "key type", id="unknown-kty"),
        pytest.param({**RFC7515_P256_JWK, "crv": "P-384"}, "P-256", id="other-curve"),
        pytest.param({**RFC8037_ED25519_JWK, "crv": "Ed448"}, "Ed25519", id="ed448"),
        pytest.param(
            {**RFC7515_P256_JWK, "x": RFC7515_P256_JWK["y"]}, "P-256", id="point-off-curve"
        ),
        pytest.param({**RFC8037_ED25519_JWK, "x": "AAAA"}, "octets", id="short-x"),
        pytest.param(
            {**RFC8037_ED25519_JWK, "x": RFC8037_ED25519_JWK["x"] + "="}, "base64url", id="padded"
        ),
        pytest.param({"kty": "OKP", "crv": "Ed25519"}, "member 'x'", id="missing-x"),
        pytest.param({**RFC7638_RSA_JWK, "e": "AA"}, "exponent", id="zero-exponent"),
        pytest.param({**RFC8037_ED25519_JWK, "use": "enc"}, "sig", id="encryption-key"),
    ],
)
def test_public_key_from_jwk_refuses(jwk, match):
    with pytest.raises(InvalidJwk, match=match):
        public_key_from_jwk(jwk)


def test_public_key_from_jwk_refuses_what_is_not_an_object():
    with pytest.raises(InvalidJwk, match="JSON object"):
        public_key_from_jwk(["kty", "RSA"])  # type: ignore[arg-type]


def test_verification_method_is_a_json_web_key_named_by_thumbprint(rsa_key):
    public_key = rsa_key.public_key()
    method = json_web_key_verification_method(CONTROLLER, public_key)
    assert method == {
        "id": f"{CONTROLLER}#{jwk_thumbprint(public_key)}",
        "type": JSON_WEB_KEY,
        "controller": CONTROLLER,
        "publicKeyJwk": public_jwk(public_key),
    }


def test_verification_method_takes_a_fragment(rsa_key):
    method = json_web_key_verification_method(CONTROLLER, rsa_key.public_key(), fragment="rsa-1")
    assert method["id"] == f"{CONTROLLER}#rsa-1"


@pytest.mark.parametrize(
    ("controller", "fragment"),
    [
        pytest.param("badges.example.org", None, id="relative-controller"),
        pytest.param(f"{CONTROLLER}#x", None, id="controller-with-fragment"),
        pytest.param(CONTROLLER, "two words", id="bad-fragment"),
    ],
)
def test_verification_method_refuses_bad_ids(rsa_key, controller, fragment):
    with pytest.raises(InvalidJwk):
        json_web_key_verification_method(controller, rsa_key.public_key(), fragment=fragment)


@pytest.mark.parametrize("kind", ["RSA", "P-256", "Ed25519"])
def test_verification_method_reads_back(keys, kind):
    public_key = keys[kind].public_key()
    method = json_web_key_verification_method(CONTROLLER, public_key)
    assert same_public_key(public_key_from_verification_method(method), public_key)


def test_reads_the_retired_json_web_key_2020_type():
    method = {"id": f"{CONTROLLER}#k", "type": "JsonWebKey2020", "publicKeyJwk": RFC7515_P256_JWK}
    assert public_jwk(public_key_from_verification_method(method)) == RFC7515_P256_JWK


def test_reads_an_ed25519_multikey(keys):
    public_key = keys["Ed25519"].public_key()
    method = {"type": "Multikey", "publicKeyMultibase": public_key_to_multibase(public_key)}
    assert same_public_key(public_key_from_verification_method(method), public_key)


@pytest.mark.parametrize(
    ("method", "error"),
    [
        pytest.param({"type": "JsonWebKey"}, InvalidJwk, id="no-publicKeyJwk"),
        pytest.param(
            {"type": "JsonWebKey", "publicKeyJwk": {"kty": "oct", "k": "c2VjcmV0"}},
            InvalidJwk,
            id="secret-jwk",
        ),
        pytest.param(
            {"type": "Multikey", "publicKeyMultibase": "zXYZ"}, InvalidMultikey, id="bad-multikey"
        ),
        pytest.param(
            {"type": "EcdsaSecp256k1VerificationKey2019"}, KeyEncodingError, id="unknown-type"
        ),
    ],
)
def test_verification_method_refusals(method, error):
    with pytest.raises(error):
        public_key_from_verification_method(method)
