"""Public keys as JSON Web Keys, their thumbprints, and JsonWebKey verification methods.

Three key types, the ones VC-JWT signs with here (see ``vc_jwt``):

- RSA (RFC 7518 section 6.3.1): ``{"kty": "RSA", "n": ..., "e": ...}``, big-endian integers
  without leading zero octets;
- P-256 (RFC 7518 section 6.2.1): ``{"kty": "EC", "crv": "P-256", "x": ..., "y": ...}``, each
  coordinate exactly 32 octets;
- Ed25519 (RFC 8037 section 2): ``{"kty": "OKP", "crv": "Ed25519", "x": ...}``.

Only public keys cross this module. Export takes public key objects, so a private key cannot
leak by accident (the Open Badges 3.0 advisory: "The ``JWK`` MUST never contain ``d``"), and
reading refuses any JWK with a private or symmetric member (``d``, ``p``, ``q``, ``dp``, ``dq``,
``qi``, ``oth``, ``k``) rather than quietly dropping it.

:func:`jwk_thumbprint` is the RFC 7638 SHA-256 thumbprint (the required members in
lexicographic order, no whitespace), and :func:`jwk_thumbprint_uri` its RFC 9278 URN form. W3C
Controlled Identifiers 1.0 (section 2.2.3, "JsonWebKey") lists a JWK in a DID document as a
verification method of type ``JsonWebKey`` with a ``publicKeyJwk``, RECOMMENDS the JWK ``kid``
as the fragment and the RFC 7638 SHA-256 thumbprint as that ``kid``; the ``JsonWebKey``
term comes from the ``https://w3id.org/security/jwk/v1`` context. ``JsonWebKey2020`` is the
retired CCG name for the same shape: read, never written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import (
    RSAPrivateKey,
    RSAPublicKey,
    RSAPublicNumbers,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.credentials.base64url import decode_base64url, encode_base64url
from app.credentials.errors import InvalidJwk, KeyEncodingError
from app.credentials.iris import is_absolute_iri
from app.credentials.multikey import public_key_from_multibase

PublicKey: TypeAlias = RSAPublicKey | ec.EllipticCurvePublicKey | Ed25519PublicKey
"""A public key of a type this package verifies with."""

PrivateKey: TypeAlias = RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey
"""A private key of a type this package signs with."""

JWK_CONTEXT_V1 = "https://w3id.org/security/jwk/v1"
JSON_WEB_KEY = "JsonWebKey"
JSON_WEB_KEY_2020 = "JsonWebKey2020"
JWK_THUMBPRINT_URN_PREFIX = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"

P256_COORDINATE_LENGTH = 32
ED25519_KEY_LENGTH = 32

PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
"""JWK members that carry private or symmetric key material (RFC 7518 sections 6.2.2, 6.3.2, 6.4;
RFC 8037 section 2)."""

_FRAGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def public_jwk(key: PublicKey) -> dict[str, str]:
    """The public JWK of ``key``: only the members RFC 7638 names as required, nothing private."""
    if isinstance(key, RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": _encode_uint(numbers.n), "e": _encode_uint(numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise InvalidJwk(f"only P-256 elliptic curve keys are supported, not {key.curve.name}")
        point = key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        x, y = point[1 : 1 + P256_COORDINATE_LENGTH], point[1 + P256_COORDINATE_LENGTH :]
        return {"kty": "EC", "crv": "P-256", "x": encode_base64url(x), "y": encode_base64url(y)}
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": encode_base64url(raw)}
    raise InvalidJwk(
        f"a {type(key).__name__} is not an RSA, P-256 or Ed25519 public key;"
        " pass the public half of a key pair"
    )


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """The public key a JWK holds; InvalidJwk for private, symmetric or malformed JWKs."""
    if not isinstance(jwk, Mapping):
        raise InvalidJwk("a JWK is a JSON object")
    private = sorted(PRIVATE_MEMBERS & set(jwk))
    if private:
        raise InvalidJwk(f"this JWK carries private or symmetric key material: {private}")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise InvalidJwk(f"this JWK is for use {use!r}, not for signatures ('sig')")
    kty = jwk.get("kty")
    if kty == "RSA":
        return _rsa_key(jwk)
    if kty == "EC":
        return _p256_key(jwk)
    if kty == "OKP":
        return _ed25519_key(jwk)
    raise InvalidJwk(f"unsupported JWK key type {kty!r}: expected 'RSA', 'EC' or 'OKP'")


def jwk_thumbprint(key: PublicKey) -> str:
    """The RFC 7638 JWK thumbprint of ``key`` with SHA-256, base64url-encoded."""
    members = public_jwk(key)
    canonical = json.dumps(dict(sorted(members.items())), separators=(",", ":"))
    return encode_base64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def jwk_thumbprint_uri(key: PublicKey) -> str:
    """The RFC 9278 URI of the SHA-256 JWK thumbprint of ``key``."""
    return JWK_THUMBPRINT_URN_PREFIX + jwk_thumbprint(key)


def same_public_key(first: PublicKey, second: PublicKey) -> bool:
    """Whether two key objects hold the same public key (compared by thumbprint)."""
    try:
        return jwk_thumbprint(first) == jwk_thumbprint(second)
    except InvalidJwk:
        return False


def json_web_key_verification_method(
    controller: str, key: PublicKey, *, fragment: str | None = None
) -> dict[str, Any]:
    """A ``JsonWebKey`` verification method for ``key``, controlled by ``controller``.

    Its id is ``controller#fragment``; the fragment defaults to the key's JWK thumbprint, as
    Controlled Identifiers 1.0 recommends. The DID document listing it must name
    :data:`JWK_CONTEXT_V1` among its contexts.
    """
    if not isinstance(controller, str) or not is_absolute_iri(controller) or "#" in controller:
        raise InvalidJwk(f"{controller!r} is not an absolute IRI without a fragment")
    fragment = jwk_thumbprint(key) if fragment is None else fragment
    if not _FRAGMENT.fullmatch(fragment):
        raise InvalidJwk(f"{fragment!r} is not a usable verification method fragment")
    return {
        "id": f"{controller}#{fragment}",
        "type": JSON_WEB_KEY,
        "controller": controller,
        "publicKeyJwk": public_jwk(key),
    }


def public_key_from_verification_method(method: Mapping[str, Any]) -> PublicKey:
    """The public key of a ``JsonWebKey``, ``JsonWebKey2020`` or (Ed25519) ``Multikey`` method."""
    if not isinstance(method, Mapping):
        raise KeyEncodingError("a verification method is a JSON object")
    method_type = method.get("type")
    if method_type in (JSON_WEB_KEY, JSON_WEB_KEY_2020):
        if "publicKeyJwk" not in method:
            raise InvalidJwk(f"a {method_type} verification method needs a publicKeyJwk")
        return public_key_from_jwk(method["publicKeyJwk"])
    if method_type == "Multikey":
        return public_key_from_multibase(method.get("publicKeyMultibase", ""))
    raise KeyEncodingError(f"unsupported verification method type {method_type!r}")


def _rsa_key(jwk: Mapping[str, Any]) -> RSAPublicKey:
    n = _decode_uint(jwk, "n")
    e = _decode_uint(jwk, "e")
    if e < 3 or e % 2 == 0 or n % 2 == 0:
        raise InvalidJwk("this RSA JWK has an impossible modulus or exponent")
    try:
        return RSAPublicNumbers(e, n).public_key()
    except ValueError as invalid:
        raise InvalidJwk(f"this RSA JWK is not a valid public key: {invalid}") from invalid


def _p256_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("crv") != "P-256":
        raise InvalidJwk(f"unsupported EC curve {jwk.get('crv')!r}: only 'P-256' is supported")
    x = _decode_member(jwk, "x", P256_COORDINATE_LENGTH)
    y = _decode_member(jwk, "y", P256_COORDINATE_LENGTH)
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
    except ValueError as invalid:
        raise InvalidJwk("this EC JWK is not a point on P-256") from invalid


def _ed25519_key(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    if jwk.get("crv") != "Ed25519":
        raise InvalidJwk(f"unsupported OKP curve {jwk.get('crv')!r}: only 'Ed25519' is supported")
    raw = _decode_member(jwk, "x", ED25519_KEY_LENGTH)
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as invalid:
        raise InvalidJwk("this OKP JWK is not an Ed25519 public key") from invalid


def _decode_member(jwk: Mapping[str, Any], name: str, length: int | None = None) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidJwk(f"this JWK needs the member {name!r} as base64url text")
    try:
        raw = decode_base64url(value)
    except ValueError as invalid:
        raise InvalidJwk(f"the JWK member {name!r} is not base64url: {invalid}") from invalid
    if length is not None and len(raw) != length:
        raise InvalidJwk(f"the JWK member {name!r} must be {length} octets, not {len(raw)}")
    return raw


def _decode_uint(jwk: Mapping[str, Any], name: str) -> int:
    raw = _decode_member(jwk, name)
    if not raw:
        raise InvalidJwk(f"the JWK member {name!r} is empty")
    return int.from_bytes(raw, "big")


def _encode_uint(value: int) -> str:
    return encode_base64url(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))
