"""VC-JWT issuing and verification.

The attack tokens are built by hand (base64url, JSON and raw signatures from ``cryptography``),
never through the code under test or PyJWT, so a bug shared by both sides cannot hide.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.credentials.did import (
    did_key_from_public_key,
    did_key_verification_method,
    public_key_from_did_key,
)
from app.credentials.errors import CannotSign, InvalidDid, JwtRejected
from app.credentials.jwk import jwk_thumbprint_uri, public_jwk
from app.credentials.vc_jwt import (
    MAX_TOKEN_LENGTH,
    JwtCheck,
    JwtCode,
    encode_vc_jwt,
    verify_vc_jwt,
)

EXAMPLE = "examples/ob3-basic-openbadgecredential.json"
ISSUER = "https://example.com/issuers/876543"
KID = "https://example.com/issuers/876543#key-1"
CREDENTIAL_ID = "http://example.com/credentials/3527"
SUBJECT = "did:example:ebfeb1f712ebc6f1c276e12ec21"
VALID_FROM = 1262304000  # 2010-01-01T00:00:00Z, the example's validFrom
NOW = datetime(2026, 1, 1, tzinfo=UTC)


# Keys ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys(rsa_key) -> dict[str, Any]:
    return {
        "RS256": rsa_key,
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": Ed25519PrivateKey.generate(),
    }


@pytest.fixture
def credential(read_json) -> dict[str, Any]:
    return read_json(EXAMPLE)


class Resolver:
    """Answers for one issuer and one kid; remembers every question."""

    def __init__(self, key: Any, *, issuer: str = ISSUER, kid: str = KID) -> None:
        self.key, self.issuer, self.kid = key, issuer, kid
        self.calls: list[tuple[str, str]] = []

    def __call__(self, kid: str, issuer: str) -> Any:
        self.calls.append((kid, issuer))
        return self.key if (kid, issuer) == (self.kid, self.issuer) else None


def verify(token: str, key: Any, **options: Any) -> JwtCheck:
    options.setdefault("now", NOW)
    return verify_vc_jwt(token, resolve_key=Resolver(key), **options)


# Building tokens by hand ------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(value: Any) -> str:
    return b64(json.dumps(value).encode("utf-8"))


def raw_signature(signing_input: bytes, key: Any) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return key.sign(signing_input)


def hand_token(header: dict[str, Any], payload: dict[str, Any], key: Any) -> str:
    signing_input = f"{segment(header)}.{segment(payload)}"
    return f"{signing_input}.{b64(raw_signature(signing_input.encode('ascii'), key))}"


def claims_of(credential: dict[str, Any]) -> dict[str, Any]:
    return {"iss": ISSUER, "jti": CREDENTIAL_ID, "sub": SUBJECT, "nbf": VALID_FROM, **credential}


def rs256_header(**extra: Any) -> dict[str, Any]:
    return {"alg": "RS256", "typ": "JWT", "kid": KID, **extra}


def decoded(token: str, part: int) -> dict[str, Any]:
    text = token.split(".")[part]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def assert_refused(check: JwtCheck, code: JwtCode) -> None:
    assert (check.verified, check.code) == (False, code), check.message
    assert isinstance(check.problem, JwtRejected)
    assert check.message


# Issuing and round trips ------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_round_trip_verifies(keys, credential, algorithm):
    token = encode_vc_jwt(credential, keys[algorithm], kid=KID, algorithm=algorithm)
    check = verify(token, keys[algorithm].public_key())
    assert check.verified, check.message
    assert (check.credential, check.algorithm, check.key_id) == (credential, algorithm, KID)
    assert (check.payload_form, check.signature_verified, check.code) == ("credential", True, None)


def test_issued_header_is_typ_alg_and_kid(rsa_key, credential):
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert decoded(token, 0) == {"typ": "JWT", "alg": "RS256", "kid": KID}


def test_issued_payload_is_the_credential_with_its_claims(rsa_key, credential):
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert decoded(token, 1) == {
        **credential,
        "iss": ISSUER,
        "jti": CREDENTIAL_ID,
        "sub": SUBJECT,
        "nbf": VALID_FROM,
    }


def test_valid_until_becomes_exp(rsa_key, credential):
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert decoded(token, 1)["exp"] == 1893456000
    assert verify(token, rsa_key.public_key()).valid_until == datetime(2030, 1, 1, tzinfo=UTC)


def test_a_subject_without_id_gets_no_sub(rsa_key, credential):
    del credential["credentialSubject"]["id"]
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert "sub" not in decoded(token, 1)
    assert verify(token, rsa_key.public_key()).verified


def test_validfrom_with_offset_and_fraction_is_whole_seconds_utc(rsa_key, credential):
    credential["validFrom"] = "2010-01-01T01:00:00.750+01:00"
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert decoded(token, 1)["nbf"] == VALID_FROM
    assert verify(token, rsa_key.public_key()).verified


def test_include_jwk_adds_the_public_key_only(keys, credential):
    token = encode_vc_jwt(credential, keys["ES256"], kid=KID, algorithm="ES256", include_jwk=True)
    assert decoded(token, 0)["jwk"] == public_jwk(keys["ES256"].public_key())
    assert "d" not in decoded(token, 0)["jwk"]
    assert verify(token, keys["ES256"].public_key()).verified


def test_did_key_issuer_with_a_did_url_kid(keys, credential):
    did = did_key_from_public_key(keys["EdDSA"].public_key())
    method = did_key_verification_method(did)
    credential["issuer"]["id"] = did

    def resolve(kid: str, issuer: str) -> Any:
        assert kid.startswith(issuer + "#")
        return public_key_from_did_key(kid)

    token = encode_vc_jwt(credential, keys["EdDSA"], kid=method, algorithm="EdDSA")
    check = verify_vc_jwt(token, resolve_key=resolve, now=NOW)
    assert (check.verified, check.key_id) == (True, method)


def test_resolver_is_asked_once_with_kid_and_issuer(rsa_key, credential):
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    resolver = Resolver(rsa_key.public_key())
    verify_vc_jwt(token, resolve_key=resolver, now=NOW)
    assert resolver.calls == [(KID, ISSUER)]


def test_an_issuer_given_as_a_string_works(rsa_key, credential):
    credential["issuer"] = ISSUER
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert verify(token, rsa_key.public_key()).verified


# Refusing to sign -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_kind", "algorithm"),
    [("EdDSA", "RS256"), ("RS256", "ES256"), ("ES256", "EdDSA"), ("RS256", "HS256")],
)
def test_encode_refuses_a_key_that_does_not_fit_the_algorithm(
    keys, credential, key_kind, algorithm
):
    with pytest.raises(CannotSign, match="cannot sign"):
        encode_vc_jwt(credential, keys[key_kind], kid=KID, algorithm=algorithm)


def test_encode_refuses_a_p384_key_for_es256(credential):
    with pytest.raises(CannotSign):
        encode_vc_jwt(
            credential, ec.generate_private_key(ec.SECP384R1()), kid=KID, algorithm="ES256"
        )


def test_encode_refuses_a_weak_rsa_key(credential):
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(CannotSign, match="2048"):
        encode_vc_jwt(credential, weak, kid=KID, algorithm="RS256")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        pytest.param(lambda c: c.pop("id"), "id", id="no-id"),
        pytest.param(lambda c: c.pop("issuer"), "issuer", id="no-issuer"),
        pytest.param(lambda c: c.pop("validFrom"), "validFrom", id="no-validFrom"),
        pytest.param(lambda c: c.update(validFrom="2010-01-01T00:00:00"), "time zone", id="naive"),
        pytest.param(lambda c: c.pop("credentialSubject"), "credentialSubject", id="no-subject"),
        pytest.param(lambda c: c.update(iss="x"), "clash", id="claim-member"),
        pytest.param(lambda c: c.update(vc={}), "clash", id="vc-member"),
        pytest.param(lambda c: c.update(extra={1, 2}), "JSON", id="not-json"),
        pytest.param(lambda c: c.update(score=float("nan")), "JSON", id="nan"),
    ],
)
def test_encode_refuses_a_credential_the_claims_cannot_be_made_from(
    rsa_key, credential, change, match
):
    change(credential)
    with pytest.raises(CannotSign, match=match):
        encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")


@pytest.mark.parametrize("kid", ["key-1", "", "#key-1"])
def test_encode_refuses_a_kid_that_is_not_an_absolute_uri(rsa_key, credential, kid):
    with pytest.raises(CannotSign, match="kid"):
        encode_vc_jwt(credential, rsa_key, kid=kid, algorithm="RS256")


# The two payload forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typ",
    [None, "JWT", "vc+jwt", "application/vc+ld+json+jwt", "jwt"],
    ids=["no-typ", "JWT", "vc+jwt", "vc+ld+json+jwt-media-type", "lowercase"],
)
def test_top_level_form_built_by_hand_verifies(rsa_key, credential, typ):
    header = {"alg": "RS256", "kid": KID} | ({} if typ is None else {"typ": typ})
    check = verify(hand_token(header, claims_of(credential), rsa_key), rsa_key.public_key())
    assert (check.verified, check.payload_form, check.credential) == (
        True,
        "credential",
        credential,
    )


def test_vc_jose_cose_content_type_is_accepted(rsa_key, credential):
    header = rs256_header(typ="vc+jwt", cty="vc")
    assert verify(hand_token(header, claims_of(credential), rsa_key), rsa_key.public_key()).verified


def test_vc_claim_form_verifies(rsa_key, credential):
    payload = {
        "iss": ISSUER,
        "jti": CREDENTIAL_ID,
        "sub": SUBJECT,
        "nbf": VALID_FROM,
        "vc": credential,
    }
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert (check.verified, check.payload_form, check.credential) == (True, "vc", credential)


def test_vc_claim_form_reads_vc_1_1_dates(rsa_key, credential):
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["expirationDate"] = "2030-01-01T00:00:00Z"
    payload = {
        "iss": ISSUER,
        "jti": CREDENTIAL_ID,
        "sub": SUBJECT,
        "nbf": VALID_FROM,
        "exp": 1893456000,
        "vc": credential,
    }
    assert verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key()).verified


def test_vc_claim_beside_top_level_credential_members_is_ambiguous(rsa_key, credential):
    payload = {**claims_of(credential), "vc": copy.deepcopy(credential)}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.PAYLOAD_AMBIGUOUS)


def test_a_vc_claim_that_is_not_an_object_is_refused(rsa_key, credential):
    payload = {"iss": ISSUER, "jti": CREDENTIAL_ID, "nbf": VALID_FROM, "vc": "credential"}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CREDENTIAL_INVALID)


def test_a_presentation_is_not_a_credential(rsa_key, credential):
    payload = {"iss": ISSUER, "nbf": VALID_FROM, "vp": {"type": ["VerifiablePresentation"]}}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CREDENTIAL_MISSING)


def test_a_plain_jwt_without_a_credential_is_refused(rsa_key):
    payload = {"iss": ISSUER, "jti": CREDENTIAL_ID, "sub": SUBJECT, "nbf": VALID_FROM}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CREDENTIAL_MISSING)


# Algorithm attacks ------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_unsecured_alg_none_is_refused(rsa_key, credential, alg):
    token = f"{segment({'alg': alg, 'typ': 'JWT', 'kid': KID})}.{segment(claims_of(credential))}."
    resolver = Resolver(rsa_key.public_key())
    check = verify_vc_jwt(token, resolve_key=resolver, now=NOW)
    assert_refused(check, JwtCode.ALGORITHM_REFUSED)
    assert resolver.calls == []


@pytest.mark.parametrize(
    ("alg", "digest"),
    [("HS256", hashlib.sha256), ("HS384", hashlib.sha384), ("HS512", hashlib.sha512)],
)
def test_hmac_signed_with_the_rsa_public_key_as_secret_is_refused(rsa_key, credential, alg, digest):
    """The classic confusion: the verifier's public key PEM used as an HMAC secret."""
    pem = rsa_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signing_input = (
        f"{segment({'alg': alg, 'typ': 'JWT', 'kid': KID})}.{segment(claims_of(credential))}"
    )
    mac = hmac.new(pem, signing_input.encode("ascii"), digest).digest()
    resolver = Resolver(rsa_key.public_key())
    check = verify_vc_jwt(f"{signing_input}.{b64(mac)}", resolve_key=resolver, now=NOW)
    assert_refused(check, JwtCode.ALGORITHM_REFUSED)
    assert resolver.calls == []


@pytest.mark.parametrize("alg", ["PS256", "RS512", "ES384", "Ed25519", "", 256, None])
def test_algorithms_outside_the_list_are_refused(rsa_key, credential, alg):
    token = hand_token({"alg": alg, "kid": KID}, claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.ALGORITHM_REFUSED)


@pytest.mark.parametrize(
    ("alg", "signer", "resolved"),
    [
        pytest.param("ES256", "ES256", "RS256", id="es256-token-rsa-issuer"),
        pytest.param("EdDSA", "EdDSA", "RS256", id="eddsa-token-rsa-issuer"),
        pytest.param("RS256", "RS256", "EdDSA", id="rs256-token-ed25519-issuer"),
        pytest.param("ES256", "ES256", "EdDSA", id="es256-token-ed25519-issuer"),
        pytest.param("EdDSA", "EdDSA", "ES256", id="eddsa-token-p256-issuer"),
    ],
)
def test_an_algorithm_the_issuers_key_type_does_not_use_is_refused(
    keys, credential, alg, signer, resolved
):
    token = hand_token({"alg": alg, "typ": "JWT", "kid": KID}, claims_of(credential), keys[signer])
    check = verify(token, keys[resolved].public_key())
    assert_refused(check, JwtCode.ALGORITHM_KEY_MISMATCH)


# Header attacks ---------------------------------------------------------------------------


def test_an_attackers_jwk_in_the_header_is_not_trusted(rsa_key, other_rsa_key, credential):
    header = rs256_header(jwk=public_jwk(other_rsa_key.public_key()))
    token = hand_token(header, claims_of(credential), other_rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.HEADER_KEY_MISMATCH)


def test_an_attackers_jwk_without_kid_is_looked_up_by_thumbprint_and_not_found(
    rsa_key, other_rsa_key, credential
):
    attacker = other_rsa_key.public_key()
    header = {"alg": "RS256", "typ": "JWT", "jwk": public_jwk(attacker)}
    resolver = Resolver(rsa_key.public_key())
    check = verify_vc_jwt(
        hand_token(header, claims_of(credential), other_rsa_key), resolve_key=resolver, now=NOW
    )
    assert_refused(check, JwtCode.KEY_NOT_FOUND)
    assert resolver.calls == [(jwk_thumbprint_uri(attacker), ISSUER)]


def test_the_issuers_own_jwk_without_kid_verifies_when_the_resolver_knows_it(rsa_key, credential):
    public_key = rsa_key.public_key()
    header = {"alg": "RS256", "typ": "JWT", "jwk": public_jwk(public_key)}
    resolver = Resolver(public_key, kid=jwk_thumbprint_uri(public_key))
    check = verify_vc_jwt(
        hand_token(header, claims_of(credential), rsa_key), resolve_key=resolver, now=NOW
    )
    assert check.verified, check.message


def test_a_header_jwk_with_private_members_is_refused(rsa_key, credential):
    private_jwk = {**public_jwk(rsa_key.public_key()), "d": "AQAB"}
    token = hand_token(rs256_header(jwk=private_jwk), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.HEADER_KEY_REFUSED)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("jku", "https://attacker.example/jwks.json"),
        ("x5u", "https://attacker.example/cert.pem"),
        ("x5c", ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]),
    ],
)
def test_keys_by_url_or_certificate_chain_are_refused(rsa_key, credential, name, value):
    token = hand_token(rs256_header(**{name: value}), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.HEADER_KEY_REFUSED)


@pytest.mark.parametrize("crit", [["exp"], ["urn:example:unknown"], ["b64"], [], "kid"])
def test_critical_header_extensions_are_refused(rsa_key, credential, crit):
    header = rs256_header(crit=crit) | ({"exp": 1} if crit == ["exp"] else {})
    token = hand_token(header, claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.CRITICAL_HEADER)


def test_an_unencoded_payload_header_is_refused(rsa_key, credential):
    token = hand_token(rs256_header(b64=False), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.HEADER_REFUSED)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("typ", "at+jwt"),
        ("typ", "dc+sd-jwt"),
        ("typ", "vp+jwt"),
        ("typ", 1),
        ("cty", "JWT"),
        ("cty", "application/json"),
    ],
)
def test_other_token_types_are_refused(rsa_key, credential, name, value):
    token = hand_token(rs256_header(**{name: value}), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.TYPE_REFUSED)


@pytest.mark.parametrize("kid", ["", 7, None, ["a"]])
def test_a_kid_that_is_not_a_non_empty_string_is_refused(rsa_key, credential, kid):
    token = hand_token(rs256_header(kid=kid), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.HEADER_REFUSED)


def test_a_header_without_kid_or_jwk_is_refused(rsa_key, credential):
    token = hand_token({"alg": "RS256", "typ": "JWT"}, claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.KEY_ID_MISSING)


def test_unknown_non_critical_header_members_are_ignored(rsa_key, credential):
    token = hand_token(
        rs256_header(**{"x5t#S256": "abc", "iss": ISSUER}), claims_of(credential), rsa_key
    )
    assert verify(token, rsa_key.public_key()).verified


# Malformed and oversized tokens ---------------------------------------------------------


def good_segments(rsa_key: Any, credential: dict[str, Any]) -> list[str]:
    return hand_token(rs256_header(), claims_of(credential), rsa_key).split(".")


@pytest.mark.parametrize("parts", [1, 2, 4, 6])
def test_not_three_parts_is_malformed(rsa_key, credential, parts):
    segments = good_segments(rsa_key, credential)
    token = ".".join((segments * 2)[:parts])
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.MALFORMED)


def test_five_parts_is_an_encrypted_token(rsa_key):
    token = ".".join([segment({"alg": "RSA-OAEP", "enc": "A256GCM"}), "a", "b", "c", "d"])
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.ENCRYPTED)


def test_a_header_naming_an_encryption_is_refused(rsa_key, credential):
    token = hand_token(rs256_header(enc="A256GCM"), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.ENCRYPTED)


@pytest.mark.parametrize(
    ("part", "replace"),
    [
        pytest.param(0, lambda s: s + "=", id="padded-header"),
        pytest.param(1, lambda s: s.replace(s[5], "*", 1), id="bad-character-payload"),
        pytest.param(2, lambda s: s + "=", id="padded-signature"),
        pytest.param(2, lambda s: s + "A" * ((1 - len(s)) % 4 or 4), id="impossible-length"),
        pytest.param(2, lambda s: "", id="empty-signature"),
        pytest.param(0, lambda s: b64(b"{not json"), id="header-not-json"),
        pytest.param(0, lambda s: b64(b'["alg","RS256"]'), id="header-array"),
        pytest.param(0, lambda s: b64(b"\xff\xfe"), id="header-not-utf8"),
        pytest.param(
            0,
            lambda s: b64(b'{"alg":"RS256","kid":"a","kid":"' + KID.encode() + b'"}'),
            id="duplicate-header-member",
        ),
        pytest.param(1, lambda s: b64(b'{"iss":"x","nbf":NaN}'), id="payload-nan"),
        pytest.param(1, lambda s: b64(b'{"iss":"x","nbf":1e999}'), id="payload-infinite"),
        pytest.param(1, lambda s: b64(b"[" * 100_000 + b"]" * 100_000), id="payload-deep"),
    ],
)
def test_malformed_segments_are_refused(rsa_key, credential, part, replace):
    segments = good_segments(rsa_key, credential)
    segments[part] = replace(segments[part])
    assert_refused(verify(".".join(segments), rsa_key.public_key()), JwtCode.MALFORMED)


def test_duplicate_claims_are_refused(rsa_key):
    payload = b'{"iss":"' + ISSUER.encode() + b'","iss":"https://attacker.example"}'
    signing_input = f"{segment(rs256_header())}.{b64(payload)}"
    token = f"{signing_input}.{b64(raw_signature(signing_input.encode(), rsa_key))}"
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.MALFORMED)


@pytest.mark.parametrize("token", [None, b"a.b.c", 42, "ünïcode.a.b"])
def test_what_is_not_an_ascii_string_is_malformed(rsa_key, token):
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.MALFORMED)


def test_a_token_over_one_mebibyte_is_refused_unread(rsa_key):
    resolver = Resolver(rsa_key.public_key())
    token = "a" * (MAX_TOKEN_LENGTH - 3) + ".b.c" + "d"
    check = verify_vc_jwt(token, resolve_key=resolver, now=NOW)
    assert_refused(check, JwtCode.TOO_LARGE)
    assert (check.header, resolver.calls) == (None, [])


def test_encode_refuses_to_make_a_token_no_verifier_here_reads(rsa_key, credential):
    credential["description"] = "x" * MAX_TOKEN_LENGTH
    with pytest.raises(CannotSign, match="characters"):
        encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")


# Signatures and keys ----------------------------------------------------------------------


def test_a_changed_payload_fails_the_signature(rsa_key, credential):
    header_part, _, signature = hand_token(rs256_header(), claims_of(credential), rsa_key).split(
        "."
    )
    forged = claims_of(credential)
    forged["credentialSubject"]["achievement"]["name"] = "Forged"
    check = verify(f"{header_part}.{segment(forged)}.{signature}", rsa_key.public_key())
    assert_refused(check, JwtCode.SIGNATURE_INVALID)
    assert (check.credential, check.signature_verified) == (None, False)


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_a_signature_by_another_key_of_the_same_type_fails(
    keys, other_rsa_key, credential, algorithm
):
    others = {
        "RS256": other_rsa_key,
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": Ed25519PrivateKey.generate(),
    }
    token = encode_vc_jwt(credential, others[algorithm], kid=KID, algorithm=algorithm)
    assert_refused(verify(token, keys[algorithm].public_key()), JwtCode.SIGNATURE_INVALID)


def test_an_es256_signature_in_der_form_fails(keys, credential):
    key = keys["ES256"]
    signing_input = f"{segment({'alg': 'ES256', 'kid': KID})}.{segment(claims_of(credential))}"
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    check = verify(f"{signing_input}.{b64(der)}", key.public_key())
    assert_refused(check, JwtCode.SIGNATURE_INVALID)


def test_an_unknown_kid_is_not_found(rsa_key, credential):
    token = hand_token(rs256_header(kid=KID + "-old"), claims_of(credential), rsa_key)
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.KEY_NOT_FOUND)


def test_a_resolver_refusal_is_key_not_found(rsa_key, credential):
    def refuse(kid: str, issuer: str) -> None:
        raise InvalidDid(f"{issuer!r} is not a DID")

    token = hand_token(rs256_header(), claims_of(credential), rsa_key)
    check = verify_vc_jwt(token, resolve_key=refuse, now=NOW)
    assert_refused(check, JwtCode.KEY_NOT_FOUND)
    assert "is not a DID" in check.message


def test_a_weak_rsa_key_is_refused(credential):
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    token = hand_token(rs256_header(), claims_of(credential), weak)
    assert_refused(verify(token, weak.public_key()), JwtCode.KEY_TOO_WEAK)


@pytest.mark.parametrize(
    "resolved",
    [
        pytest.param(
            lambda rsa_key: ec.generate_private_key(ec.SECP384R1()).public_key(), id="p384"
        ),
        pytest.param(
            lambda rsa_key: rsa_key.public_key().public_bytes(
                Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
            ),
            id="pem-bytes",
        ),
        pytest.param(lambda rsa_key: "shared-secret", id="string-secret"),
        pytest.param(lambda rsa_key: rsa_key, id="private-key-object"),
    ],
)
def test_a_resolved_key_of_another_kind_is_refused(rsa_key, credential, resolved):
    token = hand_token(rs256_header(), claims_of(credential), rsa_key)
    assert_refused(verify(token, resolved(rsa_key)), JwtCode.KEY_UNSUPPORTED)


# Claims against the credential ------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "value", "code"),
    [
        pytest.param(
            "iss", "https://example.com/issuers/8765", JwtCode.ISSUER_MISMATCH, id="iss-substring"
        ),
        pytest.param("iss", ISSUER + "/", JwtCode.ISSUER_MISMATCH, id="iss-superstring"),
        pytest.param("jti", "http://example.com/credentials/9999", JwtCode.ID_MISMATCH, id="jti"),
        pytest.param("sub", "did:example:someone-else", JwtCode.SUBJECT_MISMATCH, id="sub"),
        pytest.param("nbf", VALID_FROM + 86400, JwtCode.VALID_FROM_MISMATCH, id="nbf"),
    ],
)
def test_a_claim_that_contradicts_the_credential_is_refused(
    rsa_key, credential, claim, value, code
):
    payload = claims_of(credential) | {claim: value}
    resolver = Resolver(rsa_key.public_key(), issuer=payload["iss"])
    check = verify_vc_jwt(
        hand_token(rs256_header(), payload, rsa_key), resolve_key=resolver, now=NOW
    )
    assert_refused(check, code)
    assert (check.signature_verified, check.credential) == (True, None)


@pytest.mark.parametrize("claim", ["jti", "sub", "nbf"])
def test_a_required_claim_that_is_missing_is_refused(rsa_key, credential, claim):
    payload = claims_of(credential)
    del payload[claim]
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CLAIM_MISSING)


def test_a_missing_iss_is_refused_before_any_lookup(rsa_key, credential):
    payload = claims_of(credential)
    del payload["iss"]
    resolver = Resolver(rsa_key.public_key())
    check = verify_vc_jwt(
        hand_token(rs256_header(), payload, rsa_key), resolve_key=resolver, now=NOW
    )
    assert_refused(check, JwtCode.CLAIM_MISSING)
    assert resolver.calls == []


def test_sub_without_a_subject_id_is_refused(rsa_key, credential):
    del credential["credentialSubject"]["id"]
    check = verify(hand_token(rs256_header(), claims_of(credential), rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.SUBJECT_MISMATCH)


def test_exp_that_is_not_valid_until_is_refused(rsa_key, credential):
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    payload = claims_of(credential) | {"exp": 1893456000 + 3600}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.VALID_UNTIL_MISMATCH)


def test_valid_until_without_exp_is_refused(rsa_key, credential):
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    check = verify(hand_token(rs256_header(), claims_of(credential), rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CLAIM_MISSING)


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("nbf", "1262304000"),
        ("nbf", True),
        ("nbf", -(10**20)),
        ("exp", 10**20),
        ("iat", "yesterday"),
        ("iss", 42),
        ("jti", ""),
    ],
)
def test_a_claim_of_the_wrong_type_is_refused(rsa_key, credential, claim, value):
    payload = claims_of(credential) | {claim: value}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CLAIM_INVALID)


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("validFrom", "2010-01-01T00:00:00"),
        ("validFrom", "2010-01-01"),
        ("validFrom", "2010-02-30T00:00:00Z"),
        ("issuer", {"name": "No id"}),
        ("id", 3527),
    ],
)
def test_a_credential_the_claims_cannot_be_checked_against_is_refused(
    rsa_key, credential, member, value
):
    payload = claims_of(credential) | {member: value}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.CREDENTIAL_INVALID)


def test_an_audience_is_refused_unless_it_is_us(rsa_key, credential):
    token = hand_token(
        rs256_header(), claims_of(credential) | {"aud": "https://verifier.example"}, rsa_key
    )
    assert_refused(verify(token, rsa_key.public_key()), JwtCode.AUDIENCE_REFUSED)


def test_an_audience_that_is_us_verifies(rsa_key, credential):
    token = hand_token(
        rs256_header(), claims_of(credential) | {"aud": ["a", "https://verifier.example"]}, rsa_key
    )
    assert verify(token, rsa_key.public_key(), audience="https://verifier.example").verified


# The clock --------------------------------------------------------------------------------


def test_an_expired_credential_is_refused_but_reported(rsa_key, credential):
    credential["validUntil"] = "2020-01-01T00:00:00Z"
    payload = claims_of(credential) | {"exp": 1577836800}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.EXPIRED)
    assert (check.signature_verified, check.credential) == (True, credential)
    assert check.valid_until == datetime(2020, 1, 1, tzinfo=UTC)


def test_a_credential_valid_only_in_the_future_is_refused(rsa_key, credential):
    credential["validFrom"] = "2027-01-01T00:00:00Z"
    payload = claims_of(credential) | {"nbf": 1798761600}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.NOT_YET_VALID)


def test_exp_without_valid_until_still_expires(rsa_key, credential):
    payload = claims_of(credential) | {"exp": 1577836800}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert_refused(check, JwtCode.EXPIRED)


def test_exp_without_valid_until_is_reported_and_the_credential_left_as_signed(rsa_key, credential):
    payload = claims_of(credential) | {"exp": 1893456000}
    check = verify(hand_token(rs256_header(), payload, rsa_key), rsa_key.public_key())
    assert check.verified
    assert check.valid_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert "validUntil" not in check.credential


@pytest.mark.parametrize(
    ("leeway", "verified"), [(timedelta(seconds=60), True), (timedelta(0), False)]
)
def test_leeway_absorbs_clock_skew_at_the_start(rsa_key, credential, leeway, verified):
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    just_before = datetime(2010, 1, 1, tzinfo=UTC) - timedelta(seconds=30)
    assert verify(token, rsa_key.public_key(), now=just_before, leeway=leeway).verified is verified


def test_expiry_is_at_exp_exactly_without_leeway(rsa_key, credential):
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    at_exp = datetime(2030, 1, 1, tzinfo=UTC)
    assert_refused(
        verify(token, rsa_key.public_key(), now=at_exp, leeway=timedelta(0)), JwtCode.EXPIRED
    )


def test_the_current_time_is_the_default(rsa_key, credential):
    token = encode_vc_jwt(credential, rsa_key, kid=KID, algorithm="RS256")
    assert verify_vc_jwt(token, resolve_key=Resolver(rsa_key.public_key())).verified


@pytest.mark.parametrize(
    ("options", "match"),
    [({"now": datetime(2026, 1, 1)}, "timezone"), ({"leeway": timedelta(seconds=-1)}, "leeway")],
    ids=["naive-now", "negative-leeway"],
)
def test_caller_mistakes_raise(rsa_key, options, match):
    with pytest.raises(ValueError, match=match):
        verify_vc_jwt("a.b.c", resolve_key=Resolver(rsa_key.public_key()), **options)


# Never raising ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(alphabet="abcAB01-_.=", max_size=80))
def test_arbitrary_text_never_raises(rsa_key, token):
    check = verify(token, rsa_key.public_key())
    assert not check.verified
    assert check.code in set(JwtCode)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "cty", "jwk", "crit", "x"]), JSON_VALUES
    ),
    payload=st.dictionaries(
        st.sampled_from(
            [
                "iss",
                "jti",
                "sub",
                "nbf",
                "exp",
                "vc",
                "@context",
                "type",
                "issuer",
                "id",
                "credentialSubject",
                "validFrom",
            ]
        ),
        JSON_VALUES,
    ),
)
def test_arbitrary_signed_json_never_raises(rsa_key, header, payload):
    signing_input = f"{segment(header)}.{segment(payload)}"
    token = f"{signing_input}.{b64(raw_signature(signing_input.encode(), rsa_key))}"
    check = verify_vc_jwt(token, resolve_key=lambda kid, issuer: rsa_key.public_key(), now=NOW)
    assert check.verified or check.code in set(JwtCode)
