"""Issuer identifiers: did:key (self-contained, resolved offline) and did:web (a document we serve).

did:key follows the W3C CCG did:key method 0.9 with Ed25519 Multikeys: the identifier is the
key's ``publicKeyMultibase`` and the verification method's fragment repeats it. did:web follows
the W3C CCG did:web method: the host, a port written ``%3A``, then path segments joined by
``:``; the document lives at ``https://host[:port]/<segments>/did.json``, or at
``/.well-known/did.json`` when there is no path.

DID documents are plain JSON served as ``application/did+json``. We never JSON-LD-process them,
which is why their ``@context`` (``https://www.w3.org/ns/did/v1``) need not be among the pinned
contexts: it is written for other readers, never loaded here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.errors import InvalidDid, KeyEncodingError
from app.credentials.multikey import public_key_from_multibase, public_key_to_multibase

DID_CONTEXT_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT_V1 = "https://w3id.org/security/multikey/v1"
DID_DOCUMENT_CONTEXT = (DID_CONTEXT_V1, MULTIKEY_CONTEXT_V1)

DID_KEY_PREFIX = "did:key:"
DID_WEB_PREFIX = "did:web:"

_DID = re.compile(
    r"did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
)
_FRAGMENT = re.compile(r"[A-Za-z0-9._~-]+")
_ID_SEGMENT = re.compile(r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_UNRESERVED_IN_DID = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_")


@dataclass(frozen=True, slots=True)
class VerificationMethodSpec:
    """One key to list in a DID document, and what it may be used for.

    A retired key stays listed with ``assertion_method=True`` and ``authentication=False``, so
    credentials it signed still verify while it signs in to nothing.
    """

    public_key: Ed25519PublicKey
    fragment: str | None = None
    """The part after ``#``; defaults to the key's ``publicKeyMultibase``, as did:key does."""
    assertion_method: bool = True
    authentication: bool = True


def did_key_from_public_key(key: Ed25519PublicKey) -> str:
    return DID_KEY_PREFIX + public_key_to_multibase(key)


def did_key_verification_method(did: str) -> str:
    """The id of the one verification method of a did:key (``did:key:z..#z..``)."""
    multikey = _did_key_multikey(did)
    return f"{did}#{multikey}"


def public_key_from_did_key(did: str) -> Ed25519PublicKey:
    """The key a did:key names; also accepts its own verification method id."""
    bare, hash_sign, fragment = did.partition("#")
    multikey = _did_key_multikey(bare)
    if hash_sign and fragment != multikey:
        raise InvalidDid(f"{did!r} names no verification method of its did:key")
    return public_key_from_multibase(multikey)


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document a did:key resolves to, built offline."""
    if "#" in did:
        raise InvalidDid(f"{did!r} is a DID URL, not a DID")
    key = public_key_from_did_key(did)
    document = did_document(did, [VerificationMethodSpec(key)])
    method_id = did_key_verification_method(did)
    document["capabilityInvocation"] = [method_id]
    document["capabilityDelegation"] = [method_id]
    return document


def did_document(
    did: str, verification_methods: Sequence[VerificationMethodSpec]
) -> dict[str, Any]:
    """A DID document listing ``verification_methods`` as Multikeys controlled by ``did``."""
    _check_did(did)
    if not verification_methods:
        raise InvalidDid("a DID document needs at least one verification method")
    listed: list[dict[str, str]] = []
    assertion: list[str] = []
    authentication: list[str] = []
    for spec in verification_methods:
        multikey = public_key_to_multibase(spec.public_key)
        fragment = multikey if spec.fragment is None else spec.fragment
        if not _FRAGMENT.fullmatch(fragment):
            raise InvalidDid(f"{fragment!r} is not a usable verification method fragment")
        method_id = f"{did}#{fragment}"
        if any(entry["id"] == method_id for entry in listed):
            raise InvalidDid(f"two verification methods share the id {method_id!r}")
        listed.append(
            {"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        )
        if spec.assertion_method:
            assertion.append(method_id)
        if spec.authentication:
            authentication.append(method_id)
    return {
        "@context": list(DID_DOCUMENT_CONTEXT),
        "id": did,
        "verificationMethod": listed,
        "authentication": authentication,
        "assertionMethod": assertion,
    }


def did_web_from_url(base_url: str, *path_segments: str) -> str:
    """The did:web for ``base_url`` (an https origin, with or without a path) plus segments."""
    parts = urlsplit(base_url)
    if parts.scheme != "https":
        raise InvalidDid(f"did:web needs an https URL, not {base_url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidDid(f"did:web cannot carry a query, fragment or credentials: {base_url!r}")
    host = _checked_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError as invalid:
        raise InvalidDid(f"bad port in {base_url!r}") from invalid
    authority = host if port is None else f"{host}%3A{port}"
    url_segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    segments = [_checked_segment(segment) for segment in (*url_segments, *path_segments)]
    return DID_WEB_PREFIX + ":".join([authority, *(_encode_segment(s) for s in segments)])


def did_web_document_url(did: str) -> str:
    """Where the DID document of a did:web is published."""
    if not did.startswith(DID_WEB_PREFIX):
        raise InvalidDid(f"{did!r} is not a did:web")
    _check_did(did)
    authority, *encoded_segments = did[len(DID_WEB_PREFIX) :].split(":")
    host, _, port = unquote(authority).partition(":")
    _checked_host(host)
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise InvalidDid(f"{did!r} has a bad port")
    origin = f"https://{host}:{port}" if port else f"https://{host}"
    segments = [_checked_segment(unquote(segment)) for segment in encoded_segments]
    if not segments:
        return f"{origin}/.well-known/did.json"
    return origin + "".join("/" + quote(segment, safe="") for segment in segments) + "/did.json"


def _did_key_multikey(did: str) -> str:
    if not did.startswith(DID_KEY_PREFIX):
        raise InvalidDid(f"{did!r} is not a did:key")
    multikey = did[len(DID_KEY_PREFIX) :]
    try:
        key = public_key_from_multibase(multikey)
    except KeyEncodingError as invalid:
        raise InvalidDid(f"{did!r} is not an Ed25519 did:key: {invalid.message}") from invalid
    if public_key_to_multibase(key) != multikey:
        raise InvalidDid(f"{did!r} is not in canonical form")
    return multikey


def _check_did(did: str) -> None:
    if not _DID.fullmatch(did):
        raise InvalidDid(f"{did!r} is not a DID")


def _checked_host(host: str) -> str:
    host = host.lower()
    labels = host.split(".")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels) or len(host) > 253:
        raise InvalidDid(f"{host!r} is not a DNS host name")
    if all(label.isdigit() for label in labels):
        raise InvalidDid(f"did:web names a host, not an IP address: {host!r}")
    return host


def _checked_segment(segment: str) -> str:
    if segment in {"", ".", ".."} or "/" in segment:
        raise InvalidDid(f"{segment!r} cannot be a did:web path segment")
    return segment


def _encode_segment(segment: str) -> str:
    encoded = "".join(
        character if character in _UNRESERVED_IN_DID else _percent_encode(character)
        for character in segment
    )
    if not _ID_SEGMENT.fullmatch(encoded):
        raise InvalidDid(f"{segment!r} cannot be a did:web path segment")
    return encoded


def _percent_encode(character: str) -> str:
    return "".join(f"%{byte:02X}" for byte in character.encode("utf-8"))
