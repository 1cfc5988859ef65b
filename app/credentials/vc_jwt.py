"""VC-JWT: Open Badges 3.0 credentials secured as a compact JWS, issued and verified.

Sources, and which text wins
----------------------------
[OB30]
    Open Badges Specification v3.0, Final Release, section 8.2 "JSON Web Token Proof Format"
    (the VC Data Model 2.0 revision; 1EdTech/openbadges-specification,
    ``ob_v3p0/microsites/spec/integrity.md``). This is the text we issue by.
[OB30-VC11]
    The same section before the upgrade to VC 2.0 (``ob_v3p0/integrity.md``): the credential sat
    in a ``vc`` claim and the dates were ``issuanceDate`` and ``expirationDate``. Read, never
    written.
[VC-JOSE-COSE]
    W3C "Securing Verifiable Credentials using JOSE and COSE" (Recommendation, 15 May 2025).
    "Securing JSON-LD Verifiable Credentials with JOSE": "The unsecured verifiable credential is
    the unencoded JWS payload", "The ``typ`` header parameter SHOULD be ``vc+jwt``", "When
    present, the ``cty`` header parameter SHOULD be ``vc``"; "JOSE Header Parameters and JWT
    Claims": "The JWT Claim Names ``vc`` and ``vp`` MUST NOT be present". Its
    Candidate Recommendation said ``vc+ld+json+jwt`` and ``vc+ld+json``; 1EdTech pull request
    #570 would move OB 3.0 to that draft but was never merged, so OB 3.0 still says "JWT".
[RFC 7515, 7518, 7519, 8725]
    JWS, JWA, JWT and the JWT Best Current Practices.

Issuing (:func:`encode_vc_jwt`)
-------------------------------
- JOSE header ``{"typ": "JWT", "alg": ..., "kid": ...}``, plus ``jwk`` only when asked for.
  [OB30] 8.2.3: "Additional JOSE Headers are NOT allowed"; ``alg`` "MUST be "RS256" as a
  minimum ... Support for other algorithms is permitted" (we sign RS256, ES256 and EdDSA);
  ``typ`` "If present, MUST be set to "JWT""; ``kid`` "A URI that can be dereferenced to an
  object of type JWK representing the public key" (here: the verification method id, a DID URL
  or https URL); ``jwk`` "A JWK representing the public key ... The JWK MUST never contain "d""
  (we derive it from the public half of the key, so it cannot).
- JWT payload. [OB30] 8.2.4.1: "The JWT Payload is the JSON object of the OpenBadgeCredential
  with the following properties (JWT Claims)": ``iss`` = ``issuer.id``, ``jti`` = ``id``,
  ``nbf`` = ``validFrom`` (all Required), ``sub`` = ``credentialSubject.id``, ``exp`` =
  ``validUntil`` ("Required if the OpenBadgeCredential has an validUntil"). So the credential's
  members sit at the top level beside the claims: no ``vc`` claim, in line with [VC-JOSE-COSE].
  No ``iat``: the table does not list it ("Additional standard JWT Claims Names are allowed, but
  their relationship to the credential is not defined").
- The credential may carry an embedded proof already ([OB30]: "If a Linked Data Proof is also
  provided, it MUST be created before the JSON Web Token Proof Format is created").

Verifying (:func:`verify_vc_jwt`)
---------------------------------
[OB30] 8.2.6 "Verify a Credential": dereference the ``kid`` to the public key, verify the
signature (RFC 7515 section 5.2), then "Convert the value of the JWT Payload to an
OpenBadgeCredential"; its note: VC 1.1 credentials "store the OpenBadgeCredential in the ``vc``
claim". Both forms are read. Then
8.2.6.1 "Verify a Credential VC-JWT Signature", each a refusal when it fails:

- "MUST have the ``iss`` claim, and the value MUST match the ``issuer.id``";
- "MUST have the ``sub`` claim, and the value MUST match the ``credentialSubject.id``";
- "MUST have the ``nbf`` claim ... MUST equal the ``validFrom`` ... If they do not match or if
  the ``validFrom`` has not yet occurred, the credential is not valid";
- "MUST have the ``jti`` claim, and the value MUST match the ``id``";
- "If the JSON object has the ``exp`` claim ... If the credential has expired, the credential is
  not valid"; VC 1.1 credentials use ``issuanceDate`` and ``expirationDate`` instead.

Every comparison is exact string equality (never a prefix or substring test: PyJWT's issuer check
once matched substrings, CVE-2024-53861). Around that, the JOSE hardening of RFC 8725 and our
security notes:

- The algorithm is fixed by the key the resolver returns, never by the token: RSA (2048 bits or
  more, RFC 7518 section 3.3) -> RS256, P-256 -> ES256, Ed25519 -> EdDSA. ``none``, every HMAC
  algorithm (the RSA-public-key-as-HMAC-secret confusion of CVE-2022-29217) and anything else
  are refused before any key is looked up, and PyJWT is called with that single algorithm.
- ``kid`` is only a lookup key, handed with the ``iss`` claim to the caller's resolver, which
  must return a key the issuer controls or None. A header ``jwk`` is never trusted on its own:
  it must be the very key the resolver returned. With no ``kid`` ([OB30] allows ``jwk``
  alone), the lookup key is the RFC 9278 thumbprint URI of that ``jwk``, so the resolver still
  decides whether the issuer owns it. ``jku``, ``x5u`` and ``x5c`` are refused outright (OB 3.0
  allows none of them and we fetch no keys from a token).
- ``crit`` is refused: we implement no JWS extension, and RFC 7515 section 4.1.11 says a
  recipient that does not understand a listed extension MUST reject the JWS. ``b64`` (RFC 7797,
  which changes what is signed) is refused too. Other unknown header members are ignored, as
  RFC 7515 section 4 asks.
- Explicit typing (RFC 8725 section 3.11): ``typ`` may be absent, ``JWT`` ([OB30]), ``vc+jwt``
  or ``vc+ld+json+jwt`` ([VC-JOSE-COSE] and its draft), compared case-insensitively with an
  optional ``application/`` prefix (RFC 7515 section 4.1.9); ``cty`` may be absent, ``vc`` or
  ``vc+ld+json``. Any other value, such as a nested ``cty: JWT``, is refused.
- Malformed input is refused: not three dot-separated parts, five parts (a JWE), a header with
  ``enc``, base64url that is padded or not canonical, JSON that is not an object, has duplicate
  member names (RFC 7515 section 5.2, RFC 7519 section 4) or non-finite numbers, and tokens
  longer than :data:`MAX_TOKEN_LENGTH`.
- ``aud``: "If the principal processing the claim does not identify itself with a value in the
  aud claim when this claim is present, then the JWT MUST be rejected" (RFC 7519 section 4.1.3).

Decisions where the texts leave room
------------------------------------
- ``sub`` when the subject has no ``id``: OB 3.0 lets a subject be named by ``identifier``
  alone, so we omit ``sub`` then, and on verification require it to be absent.
- ``exp`` without ``validUntil``: [OB30] says ``exp`` "MUST be used to set the value of the
  validUntil"; [VC-JOSE-COSE] ties ``exp`` to the securing envelope. We enforce it on the clock
  and report it as :attr:`JwtCheck.valid_until`, but return the credential exactly as signed.
- A payload with a ``vc`` claim and credential members at the top level is ambiguous: refused.
- NumericDates are whole seconds: ``nbf``/``exp`` are issued as integers, and compared with
  ``validFrom``/``validUntil`` after dropping fractions of a second.
- PS256 and other algorithms [OB30] "permits" are not accepted: the conformance suite tests
  RS256, and a shorter list is a smaller attack surface.
- Clock comparisons allow ``leeway`` (default :data:`DEFAULT_LEEWAY`) for skew between
  machines; equality of ``nbf`` and ``validFrom`` does not.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from jwt.api_jws import PyJWS
from jwt.exceptions import InvalidKeyError, PyJWTError

from app.credentials.base64url import decode_base64url
from app.credentials.errors import CannotSign, CredentialError, InvalidJwk, JwtRejected
from app.credentials.iris import is_absolute_iri
from app.credentials.jwk import (
    PrivateKey,
    PublicKey,
    jwk_thumbprint_uri,
    public_jwk,
    public_key_from_jwk,
    same_public_key,
)

__all__ = [
    "DEFAULT_LEEWAY",
    "MAX_TOKEN_LENGTH",
    "JwtAlgorithm",
    "JwtCheck",
    "JwtCode",
    "KeyResolver",
    "encode_vc_jwt",
    "verify_vc_jwt",
]

JwtAlgorithm = Literal["RS256", "EdDSA", "ES256"]
KeyResolver = Callable[[str, str], PublicKey | None]
"""``resolve_key(key_id, issuer_id)``: the public key ``issuer_id`` controls under ``key_id``
(for assertions), or None. It may raise a CredentialError (say, InvalidDid) to refuse."""

MAX_TOKEN_LENGTH = 1024 * 1024
"""Longest token read, in characters (1 MiB); longer tokens are refused unread."""
DEFAULT_LEEWAY = timedelta(seconds=60)
MIN_RSA_KEY_BITS = 2048

ISSUED_TYPE = "JWT"
ACCEPTED_TYPES = frozenset({"jwt", "vc+jwt", "vc+ld+json+jwt"})
ACCEPTED_CONTENT_TYPES = frozenset({"vc", "vc+ld+json"})
SUPPORTED_ALGORITHMS: frozenset[str] = frozenset({"RS256", "EdDSA", "ES256"})
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
"""The RFC 7519 section 4.1 claims: in the top-level form, everything else is the credential."""

_KEY_BEARING_HEADERS = ("jku", "x5u", "x5c")
_CREDENTIAL_MARKERS = frozenset({"@context", "type", "credentialSubject", "issuer"})
_MIN_NUMERIC_DATE = -62_135_596_800  # 0001-01-01T00:00:00Z, the first second datetime can hold
_MAX_NUMERIC_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z, the last one
_DATE_TIME_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


class JwtCode(StrEnum):
    """Why a VC-JWT was refused: the stable ``code`` of its :class:`JwtRejected`."""

    MALFORMED = "jwt_malformed"
    TOO_LARGE = "jwt_too_large"
    ENCRYPTED = "jwt_encrypted"
    ALGORITHM_REFUSED = "jwt_algorithm_refused"
    ALGORITHM_KEY_MISMATCH = "jwt_algorithm_key_mismatch"
    CRITICAL_HEADER = "jwt_critical_header_unsupported"
    HEADER_REFUSED = "jwt_header_refused"
    TYPE_REFUSED = "jwt_type_refused"
    HEADER_KEY_REFUSED = "jwt_header_key_refused"
    HEADER_KEY_MISMATCH = "jwt_header_key_mismatch"
    KEY_ID_MISSING = "jwt_key_id_missing"
    KEY_NOT_FOUND = "jwt_key_not_found"
    KEY_UNSUPPORTED = "jwt_key_unsupported"
    KEY_TOO_WEAK = "jwt_key_too_weak"
    SIGNATURE_INVALID = "jwt_signature_invalid"
    CREDENTIAL_MISSING = "jwt_credential_missing"
    PAYLOAD_AMBIGUOUS = "jwt_payload_ambiguous"
    CREDENTIAL_INVALID = "jwt_credential_invalid"
    CLAIM_MISSING = "jwt_claim_missing"
    CLAIM_INVALID = "jwt_claim_invalid"
    ISSUER_MISMATCH = "jwt_issuer_mismatch"
    ID_MISMATCH = "jwt_id_mismatch"
    SUBJECT_MISMATCH = "jwt_subject_mismatch"
    VALID_FROM_MISMATCH = "jwt_valid_from_mismatch"
    VALID_UNTIL_MISMATCH = "jwt_valid_until_mismatch"
    AUDIENCE_REFUSED = "jwt_audience_refused"
    NOT_YET_VALID = "jwt_not_yet_valid"
    EXPIRED = "jwt_expired"


@dataclass(frozen=True, slots=True)
class JwtCheck:
    """What :func:`verify_vc_jwt` found. Trust the credential only when ``verified`` is true.

    ``credential`` is also set when the signature and every claim check passed but the clock
    refused the token (an expired badge is still the issuer's badge, and a report may show it
    as expired); it is None whenever the signature or a claim check failed.
    """

    verified: bool
    credential: dict[str, Any] | None = None
    problem: JwtRejected | None = None
    signature_verified: bool = False
    payload_form: Literal["credential", "vc"] | None = None
    """``credential``: members at the top level ([OB30], VC-JOSE-COSE); ``vc``: VC 1.1 style."""
    header: dict[str, Any] | None = None
    key_id: str | None = None
    algorithm: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def code(self) -> str | None:
        return None if self.problem is None else self.problem.code

    @property
    def message(self) -> str | None:
        return None if self.problem is None else self.problem.message


def encode_vc_jwt(
    credential: Mapping[str, Any],
    private_key: PrivateKey,
    *,
    kid: str,
    algorithm: JwtAlgorithm,
    include_jwk: bool = False,
) -> str:
    """``credential`` signed as an OB 3.0 VC-JWT (compact JWS) with ``private_key``.

    ``kid`` is the verification method id of the key (a DID URL or https URL); ``include_jwk``
    adds the public key as a ``jwk`` header. Raises CannotSign when the credential lacks what the
    claims need or the key does not fit ``algorithm``.
    """
    _check_signing_key(private_key, algorithm)
    if not isinstance(kid, str) or not is_absolute_iri(kid):
        raise CannotSign(f"kid must be an absolute URI naming the verification method: {kid!r}")
    payload = _payload_for(credential)
    header: dict[str, Any] = {"typ": ISSUED_TYPE, "kid": kid}
    if include_jwk:
        header["jwk"] = public_jwk(private_key.public_key())
    try:
        payload_json = json.dumps(
            payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError) as unserializable:
        raise CannotSign(f"the credential is not plain JSON: {unserializable}") from unserializable
    signer = PyJWS(algorithms=[algorithm], options={"enforce_minimum_key_length": True})
    token = signer.encode(
        payload_json.encode("utf-8"),
        private_key,
        algorithm=algorithm,
        headers=header,
        sort_headers=False,
    )
    if len(token) > MAX_TOKEN_LENGTH:
        raise CannotSign(
            f"the token would be {len(token)} characters, more than the {MAX_TOKEN_LENGTH}"
            " any verifier here reads"
        )
    return token


def verify_vc_jwt(
    token: str,
    *,
    resolve_key: KeyResolver,
    now: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
    audience: str | None = None,
) -> JwtCheck:
    """Verify an OB 3.0 VC-JWT; never raises for a bad token, the answer says what was wrong.

    ``resolve_key(key_id, issuer_id)`` is called at most once, with the header ``kid`` (or the
    thumbprint URI of a header ``jwk``) and the ``iss`` claim. ``now`` (timezone-aware) defaults
    to the current time; ``audience`` is who we are, if a token may name its audience.
    Exceptions other than CredentialError raised by ``resolve_key`` propagate.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if leeway < timedelta(0):
        raise ValueError("leeway cannot be negative")
    progress = _Progress()
    try:
        _verify(token, resolve_key, now, leeway, audience, progress)
    except JwtRejected as problem:
        return progress.result(problem)
    return progress.result(None)


@dataclass(slots=True)
class _Progress:
    """What verification has established so far, reported even when a later step refuses."""

    header: dict[str, Any] | None = None
    algorithm: str | None = None
    key_id: str | None = None
    signature_verified: bool = False
    credential: dict[str, Any] | None = None
    payload_form: Literal["credential", "vc"] | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def result(self, problem: JwtRejected | None) -> JwtCheck:
        return JwtCheck(
            verified=problem is None,
            credential=self.credential if self.signature_verified else None,
            problem=problem,
            signature_verified=self.signature_verified,
            payload_form=self.payload_form,
            header=self.header,
            key_id=self.key_id,
            algorithm=self.algorithm,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


def _verify(
    token: object,
    resolve_key: KeyResolver,
    now: datetime,
    leeway: timedelta,
    audience: str | None,
    progress: _Progress,
) -> None:
    header_segment, payload_segment, signature_segment = _split(token)
    header, _ = _json_segment(header_segment, "header")
    progress.header = header
    algorithm = _checked_header(header)
    progress.algorithm = algorithm
    if not signature_segment:
        raise _refuse(JwtCode.MALFORMED, "the token has no signature")
    try:
        signature = decode_base64url(signature_segment)
    except ValueError as invalid:
        raise _refuse(JwtCode.MALFORMED, f"the signature is not base64url: {invalid}") from None
    payload, _ = _json_segment(payload_segment, "payload")
    issuer = _string_claim(payload, "iss")

    header_key = _header_key(header)
    kid = header.get("kid")
    if isinstance(kid, str):
        key_id = kid
    elif header_key is not None:
        key_id = jwk_thumbprint_uri(header_key)
    else:
        raise _refuse(JwtCode.KEY_ID_MISSING, "the header names no key: it has neither kid nor jwk")
    progress.key_id = key_id
    key = _resolve(resolve_key, key_id, issuer)
    expected = _algorithm_for_key(key)
    if algorithm != expected:
        raise _refuse(
            JwtCode.ALGORITHM_KEY_MISMATCH,
            f"the token says {algorithm}, but the issuer's key {key_id!r} only verifies {expected}",
        )
    if header_key is not None and not same_public_key(header_key, key):
        raise _refuse(
            JwtCode.HEADER_KEY_MISMATCH,
            f"the jwk in the header is not the key {key_id!r} of issuer {issuer!r}",
        )
    _check_signature(str(token), key, algorithm, signature)
    progress.signature_verified = True

    credential, progress.payload_form = _credential_of(payload)
    not_before, expires = _checked_claims(payload, credential, issuer, audience)
    progress.credential = credential
    progress.valid_from = _datetime_of(not_before)
    progress.valid_until = None if expires is None else _datetime_of(expires)
    _check_clock(not_before, expires, now, leeway)


def _split(token: object) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise _refuse(JwtCode.MALFORMED, f"a VC-JWT is text, not {type(token).__name__}")
    if len(token) > MAX_TOKEN_LENGTH:
        raise _refuse(
            JwtCode.TOO_LARGE,
            f"the token is {len(token)} characters, more than the {MAX_TOKEN_LENGTH} we read",
        )
    if not token.isascii():
        raise _refuse(JwtCode.MALFORMED, "a compact JWS is ASCII text")
    parts = token.split(".")
    if len(parts) == 5:
        raise _refuse(JwtCode.ENCRYPTED, "this is a JWE (five parts): encrypted tokens are refused")
    if len(parts) != 3:
        raise _refuse(
            JwtCode.MALFORMED, f"a compact JWS has three dot-separated parts, not {len(parts)}"
        )
    return parts[0], parts[1], parts[2]


def _json_segment(segment: str, name: str) -> tuple[dict[str, Any], bytes]:
    try:
        raw = decode_base64url(segment)
    except ValueError as invalid:
        raise _refuse(JwtCode.MALFORMED, f"the {name} is not base64url: {invalid}") from None
    try:
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except (ValueError, RecursionError) as invalid:
        raise _refuse(JwtCode.MALFORMED, f"the {name} is not UTF-8 JSON: {invalid}") from None
    if not isinstance(value, dict):
        raise _refuse(JwtCode.MALFORMED, f"the {name} is not a JSON object")
    return value, raw


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"the member name {name!r} appears twice")
        result[name] = value
    return result


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def _checked_header(header: dict[str, Any]) -> str:
    """The ``alg`` of a header that passes every header rule."""
    if "enc" in header:
        raise _refuse(JwtCode.ENCRYPTED, "the header names an encryption (enc): refused")
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or not algorithm:
        raise _refuse(JwtCode.ALGORITHM_REFUSED, "the header names no signing algorithm (alg)")
    if algorithm.lower() == "none":
        raise _refuse(JwtCode.ALGORITHM_REFUSED, "unsecured JWTs (alg 'none') are refused")
    if algorithm.upper().startswith("HS"):
        raise _refuse(
            JwtCode.ALGORITHM_REFUSED,
            f"{algorithm} is a shared-secret MAC; a credential needs the issuer's signature",
        )
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise _refuse(
            JwtCode.ALGORITHM_REFUSED,
            f"the algorithm {algorithm!r} is not one of {sorted(SUPPORTED_ALGORITHMS)}",
        )
    if "crit" in header:
        raise _refuse(
            JwtCode.CRITICAL_HEADER,
            f"the header marks extensions as critical ({header['crit']!r}); none is supported",
        )
    if "b64" in header:
        raise _refuse(JwtCode.HEADER_REFUSED, "unencoded payloads (b64, RFC 7797) are refused")
    key_bearing = [name for name in _KEY_BEARING_HEADERS if name in header]
    if key_bearing:
        raise _refuse(
            JwtCode.HEADER_KEY_REFUSED,
            f"keys are never taken from {', '.join(key_bearing)}; the issuer's key is resolved",
        )
    _check_media_type(header, "typ", ACCEPTED_TYPES)
    _check_media_type(header, "cty", ACCEPTED_CONTENT_TYPES)
    kid = header.get("kid")
    if "kid" in header and (not isinstance(kid, str) or not kid):
        raise _refuse(JwtCode.HEADER_REFUSED, "kid must be a non-empty string")
    return algorithm


def _check_media_type(header: dict[str, Any], name: str, accepted: frozenset[str]) -> None:
    if name not in header:
        return
    value = header[name]
    normalized = value.lower().removeprefix("application/") if isinstance(value, str) else None
    if normalized not in accepted:
        raise _refuse(
            JwtCode.TYPE_REFUSED,
            f"{name} {value!r} does not announce a verifiable credential"
            f" (expected one of {sorted(accepted)})",
        )


def _header_key(header: dict[str, Any]) -> PublicKey | None:
    if "jwk" not in header:
        return None
    try:
        return public_key_from_jwk(header["jwk"])
    except InvalidJwk as invalid:
        raise _refuse(
            JwtCode.HEADER_KEY_REFUSED, f"the jwk in the header is refused: {invalid.message}"
        ) from None


def _resolve(resolve_key: KeyResolver, key_id: str, issuer: str) -> PublicKey:
    try:
        key = resolve_key(key_id, issuer)
    except CredentialError as failure:
        raise _refuse(
            JwtCode.KEY_NOT_FOUND,
            f"no key {key_id!r} could be resolved for issuer {issuer!r}: {failure.message}",
        ) from None
    if key is None:
        raise _refuse(
            JwtCode.KEY_NOT_FOUND, f"issuer {issuer!r} has no key {key_id!r} for assertions"
        )
    return key


def _algorithm_for_key(key: object) -> str:
    """The one algorithm a key verifies: RSA -> RS256, P-256 -> ES256, Ed25519 -> EdDSA."""
    if isinstance(key, RSAPublicKey):
        if key.key_size < MIN_RSA_KEY_BITS:
            raise _refuse(
                JwtCode.KEY_TOO_WEAK,
                f"the issuer's RSA key has {key.key_size} bits; at least {MIN_RSA_KEY_BITS}"
                " are required (RFC 7518 section 3.3)",
            )
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "ES256"
        raise _refuse(
            JwtCode.KEY_UNSUPPORTED, f"elliptic curve {key.curve.name} is not supported (P-256 is)"
        )
    if isinstance(key, Ed25519PublicKey):
        return "EdDSA"
    raise _refuse(
        JwtCode.KEY_UNSUPPORTED,
        f"the resolved key is a {type(key).__name__}, not an RSA, P-256 or Ed25519 public key",
    )


_JWS = PyJWS(options={"enforce_minimum_key_length": True})


def _check_signature(token: str, key: PublicKey, algorithm: str, signature: bytes) -> None:
    """PyJWT's algorithm checks the signature over the segments ``_verify`` already parsed.

    Going through the algorithm object, not ``PyJWS.decode_complete``, skips PyJWS parsing the
    token a second time (its character-by-character base64url check costs more than the
    signature on a credential-sized token)."""
    algorithm_object = _JWS.get_algorithm_by_name(algorithm)
    try:
        prepared = algorithm_object.prepare_key(key)
        too_short = algorithm_object.check_key_length(prepared)
        if too_short:
            raise InvalidKeyError(too_short)
        verified = algorithm_object.verify(
            token.rpartition(".")[0].encode("ascii"), prepared, signature
        )
    except InvalidKeyError as invalid:
        raise _refuse(JwtCode.KEY_UNSUPPORTED, f"the key cannot verify: {invalid}") from None
    except PyJWTError as invalid:
        raise _refuse(JwtCode.MALFORMED, f"the token cannot be verified: {invalid}") from None
    if not verified:
        raise _refuse(JwtCode.SIGNATURE_INVALID, "the signature does not verify")


def _credential_of(payload: dict[str, Any]) -> tuple[dict[str, Any], Literal["credential", "vc"]]:
    if "vp" in payload:
        raise _refuse(JwtCode.CREDENTIAL_MISSING, "this token holds a presentation (vp)")
    form: Literal["credential", "vc"]
    if "vc" in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise _refuse(JwtCode.CREDENTIAL_INVALID, "the vc claim is not a JSON object")
        clashing = sorted(_CREDENTIAL_MARKERS & payload.keys())
        if clashing:
            raise _refuse(
                JwtCode.PAYLOAD_AMBIGUOUS,
                f"the payload has a vc claim and credential members at the top level {clashing}",
            )
        form = "vc"
    else:
        credential = {
            name: value for name, value in payload.items() if name not in REGISTERED_CLAIMS
        }
        form = "credential"
    missing = [name for name in ("@context", "type") if name not in credential]
    if missing:
        raise _refuse(
            JwtCode.CREDENTIAL_MISSING, f"the payload holds no credential: it lacks {missing}"
        )
    return credential, form


def _checked_claims(
    payload: dict[str, Any], credential: dict[str, Any], issuer: str, audience: str | None
) -> tuple[int | float, int | float | None]:
    """Check the claims against the credential; returns ``nbf`` and ``exp``."""
    try:
        issuer_id = _issuer_id(credential)
        credential_id = _credential_id(credential)
        subject_id = _subject_id(credential)
        valid_from_name, valid_from = _credential_date(credential, "validFrom", "issuanceDate")
        valid_until_name, valid_until = _credential_date(credential, "validUntil", "expirationDate")
    except _Unusable as unusable:
        raise _refuse(JwtCode.CREDENTIAL_INVALID, str(unusable)) from None

    if issuer != issuer_id:
        raise _refuse(
            JwtCode.ISSUER_MISMATCH,
            f"iss {issuer!r} is not the credential's issuer.id {issuer_id!r}",
        )
    jti = _string_claim(payload, "jti")
    if jti != credential_id:
        raise _refuse(
            JwtCode.ID_MISMATCH, f"jti {jti!r} is not the credential's id {credential_id!r}"
        )
    if subject_id is None:
        if "sub" in payload:
            raise _refuse(
                JwtCode.SUBJECT_MISMATCH,
                "the token has a sub claim but the credential subject has no id",
            )
    else:
        sub = _string_claim(payload, "sub")
        if sub != subject_id:
            raise _refuse(
                JwtCode.SUBJECT_MISMATCH,
                f"sub {sub!r} is not the credentialSubject.id {subject_id!r}",
            )

    not_before = _numeric_claim(payload, "nbf")
    if valid_from is None:
        raise _refuse(
            JwtCode.VALID_FROM_MISMATCH, "the credential has no validFrom for nbf to equal"
        )
    if math.floor(not_before) != _numeric_date(valid_from):
        raise _refuse(
            JwtCode.VALID_FROM_MISMATCH,
            f"nbf {not_before} is not the credential's {valid_from_name} {valid_from.isoformat()}",
        )
    expires = _numeric_claim(payload, "exp") if "exp" in payload else None
    if valid_until is not None:
        if expires is None:
            raise _refuse(
                JwtCode.CLAIM_MISSING,
                f"the credential has {valid_until_name}, so the token needs the exp claim",
            )
        if math.floor(expires) != _numeric_date(valid_until):
            raise _refuse(
                JwtCode.VALID_UNTIL_MISMATCH,
                f"exp {expires} is not the credential's {valid_until_name}"
                f" {valid_until.isoformat()}",
            )
    if "iat" in payload:
        _numeric_claim(payload, "iat")
    _check_audience(payload, audience)
    return not_before, expires


def _check_audience(payload: dict[str, Any], audience: str | None) -> None:
    if "aud" not in payload:
        return
    value = payload["aud"]
    audiences = value if isinstance(value, list) else [value]
    if audience is None or audience not in audiences:
        raise _refuse(
            JwtCode.AUDIENCE_REFUSED,
            f"the token is meant for {value!r}, which is not this verifier",
        )


def _check_clock(
    not_before: float, expires: float | None, now: datetime, leeway: timedelta
) -> None:
    moment, skew = now.timestamp(), leeway.total_seconds()
    if not_before > moment + skew:
        raise _refuse(
            JwtCode.NOT_YET_VALID,
            f"the credential is valid only from {_datetime_of(not_before).isoformat()}",
        )
    if expires is not None and moment - skew >= expires:
        raise _refuse(
            JwtCode.EXPIRED, f"the credential expired at {_datetime_of(expires).isoformat()}"
        )


def _string_claim(payload: dict[str, Any], name: str) -> str:
    if name not in payload:
        raise _refuse(JwtCode.CLAIM_MISSING, f"the token has no {name} claim")
    value = payload[name]
    if not isinstance(value, str) or not value:
        raise _refuse(JwtCode.CLAIM_INVALID, f"the {name} claim must be a non-empty string")
    return value


def _numeric_claim(payload: dict[str, Any], name: str) -> int | float:
    if name not in payload:
        raise _refuse(JwtCode.CLAIM_MISSING, f"the token has no {name} claim")
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(JwtCode.CLAIM_INVALID, f"the {name} claim must be a NumericDate (seconds)")
    if not _MIN_NUMERIC_DATE <= value <= _MAX_NUMERIC_DATE:
        raise _refuse(JwtCode.CLAIM_INVALID, f"the {name} claim {value} is out of range")
    return value


def _datetime_of(numeric_date: float) -> datetime:
    return datetime.fromtimestamp(math.floor(numeric_date), UTC)


# Reading the credential, shared by issuing (CannotSign) and verifying (JwtRejected).


class _Unusable(ValueError):
    """The credential lacks something the JWT claims are made from."""


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    if not isinstance(issuer, str) or not issuer:
        raise _Unusable("the credential has no issuer id (issuer or issuer.id)")
    return issuer


def _credential_id(credential: Mapping[str, Any]) -> str:
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise _Unusable("the credential has no id for the jti claim")
    return credential_id


def _subject_id(credential: Mapping[str, Any]) -> str | None:
    """The id of the one credential subject, or None when it has none (or there are several)."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if isinstance(subject, list) and subject:
        return None
    if not isinstance(subject, Mapping):
        raise _Unusable("the credential has no credentialSubject object")
    subject_id = subject.get("id")
    if subject_id is not None and (not isinstance(subject_id, str) or not subject_id):
        raise _Unusable("credentialSubject.id must be a non-empty string")
    return subject_id


def _credential_date(
    credential: Mapping[str, Any], name: str, vc11_name: str
) -> tuple[str, datetime | None]:
    """The VC 2.0 date ``name``, or failing that its VC 1.1 counterpart, parsed."""
    used = name if name in credential or vc11_name not in credential else vc11_name
    text = credential.get(used)
    if text is None:
        return used, None
    if not isinstance(text, str) or not _DATE_TIME_STAMP.fullmatch(text):
        raise _Unusable(f"{used} must be an XML Schema dateTimeStamp (with a time zone): {text!r}")
    try:
        return used, datetime.fromisoformat(text)
    except ValueError as invalid:
        raise _Unusable(f"{used} {text!r} is not a real moment: {invalid}") from None


def _numeric_date(moment: datetime) -> int:
    """The NumericDate of ``moment`` in whole seconds."""
    return math.floor(moment.timestamp())


def _payload_for(credential: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(credential, Mapping):
        raise CannotSign("a credential is a JSON object")
    clashing = sorted((REGISTERED_CLAIMS | {"vc", "vp"}) & credential.keys())
    if clashing:
        raise CannotSign(f"the credential has members that would clash with JWT claims: {clashing}")
    try:
        claims: dict[str, Any] = {"iss": _issuer_id(credential), "jti": _credential_id(credential)}
        subject_id = _subject_id(credential)
        _, valid_from = _credential_date(credential, "validFrom", "validFrom")
        _, valid_until = _credential_date(credential, "validUntil", "validUntil")
    except _Unusable as unusable:
        raise CannotSign(str(unusable)) from None
    if valid_from is None:
        raise CannotSign("an Open Badges 3.0 credential needs validFrom, which becomes nbf")
    if subject_id is not None:
        claims["sub"] = subject_id
    claims["nbf"] = _numeric_date(valid_from)
    if valid_until is not None:
        claims["exp"] = _numeric_date(valid_until)
    return {**credential, **claims}


def _check_signing_key(private_key: object, algorithm: str) -> None:
    if algorithm == "RS256" and isinstance(private_key, RSAPrivateKey):
        if private_key.key_size < MIN_RSA_KEY_BITS:
            raise CannotSign(
                f"RS256 needs an RSA key of at least {MIN_RSA_KEY_BITS} bits,"
                f" not {private_key.key_size}"
            )
        return
    if (
        algorithm == "ES256"
        and isinstance(private_key, ec.EllipticCurvePrivateKey)
        and isinstance(private_key.curve, ec.SECP256R1)
    ):
        return
    if algorithm == "EdDSA" and isinstance(private_key, Ed25519PrivateKey):
        return
    raise CannotSign(
        f"{algorithm} cannot sign with a {type(private_key).__name__}: RS256 takes an RSA key,"
        " ES256 a P-256 key and EdDSA an Ed25519 key"
    )


def _refuse(code: JwtCode, message: str) -> JwtRejected:
    return JwtRejected(code.value, message)
