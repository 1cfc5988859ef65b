"""Picking a signing key out of a resolved DID document, with the checks verifiers owe.

A proof names a verification method; it is only evidence of the issuer's intent when the method
is listed in the DID document of its controller *under assertionMethod* (a key an issuer lists
only for authentication must not sign badges) and the controller is the DID that was resolved.
How the document is fetched (offline for did:key, over the network or from our own database for
did:web) is the caller's business; this module only reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.credentials.errors import CredentialError, KeyEncodingError
from app.credentials.jwk import PublicKey, public_key_from_verification_method


class KeyNotAuthorized(CredentialError):
    """The DID document does not list the method, or not for assertions, or names another
    controller."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class ResolvedKey:
    method_id: str
    controller: str
    public_key: PublicKey


def _absolute(reference: str, did: str) -> str:
    return f"{did}{reference}" if reference.startswith("#") else reference


def _method_ids(entries: Any, did: str) -> list[str]:
    if not isinstance(entries, list):
        return []
    ids: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            ids.append(_absolute(entry, did))
        elif isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            ids.append(_absolute(entry["id"], did))
    return ids


def _embedded_methods(document: Mapping[str, Any], did: str) -> dict[str, Mapping[str, Any]]:
    methods: dict[str, Mapping[str, Any]] = {}
    for field in ("verificationMethod", "assertionMethod"):
        entries = document.get(field)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                methods.setdefault(_absolute(entry["id"], did), entry)
    return methods


def assertion_key(document: Mapping[str, Any], method_id: str) -> ResolvedKey:
    """The public key of ``method_id`` if the document authorizes it for assertions."""
    did = method_id.partition("#")[0]
    if document.get("id") != did:
        raise KeyNotAuthorized(
            "did_document_mismatch",
            f"the DID document is for {document.get('id')!r}, not {did!r}",
        )
    if method_id not in _method_ids(document.get("assertionMethod"), did):
        raise KeyNotAuthorized(
            "key_not_for_assertion",
            f"{method_id} is not listed under assertionMethod in its DID document",
        )
    method = _embedded_methods(document, did).get(method_id)
    if method is None:
        raise KeyNotAuthorized(
            "verification_method_not_found", f"{did} has no verification method {method_id}"
        )
    controller = method.get("controller")
    if controller != did:
        raise KeyNotAuthorized(
            "controller_mismatch", f"{method_id} is controlled by {controller!r}, not {did!r}"
        )
    try:
        public_key = public_key_from_verification_method(method)
    except KeyEncodingError as error:
        raise KeyNotAuthorized("unusable_key", f"{method_id}: {error.message}") from error
    return ResolvedKey(method_id=method_id, controller=did, public_key=public_key)
