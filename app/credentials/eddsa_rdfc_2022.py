"""The ``eddsa-rdfc-2022`` cryptosuite (W3C Data Integrity EdDSA Cryptosuites 1.0).

* transformation: RDFC-1.0 canonical N-Quads of the document without its proof;
* proof configuration: the proof options (``type``, ``cryptosuite``, ``created``,
  ``verificationMethod``, ``proofPurpose`` and any other proof entry but ``proofValue``) with the
  document's ``@context``, canonicalized the same way;
* hashing: SHA-256 of the canonical proof configuration followed by SHA-256 of the canonical
  document (64 bytes);
* signature: Ed25519 over those 64 bytes; ``proofValue`` is its multibase base58btc (``z...``).

:func:`sign` and :func:`verify` are the Open Badges 3.0 entry points. :func:`verify` also accepts
the legacy ``Ed25519Signature2020`` suite (verification only; see ``ed25519_signature_2020``).
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.credentials.canonicalize import Engine, canonicalize
from app.credentials.data_integrity import (
    ASSERTION_METHOD,
    DATA_INTEGRITY_PROOF,
    DEFAULT_CLOCK_SKEW,
    Cryptosuite,
    ProofCheck,
    ResolveKey,
    add_proof,
    verify_proofs,
)
from app.credentials.document_loader import DocumentLoader
from app.credentials.errors import CannotSign, InvalidMultibase, InvalidProofValue, SignatureInvalid
from app.credentials.multibase import decode_base58btc, encode_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
SIGNATURE_LENGTH = 64
_PROOF_VALUE_MAX_LENGTH = 100
"""A 64-byte signature is at most 88 base58 characters; anything much longer is not one."""


class RdfcEd25519Suite:
    """RDFC-1.0, SHA-256 and Ed25519: what eddsa-rdfc-2022 and Ed25519Signature2020 share."""

    def __init__(self, proof_type: str, name: str | None, *, can_sign: bool) -> None:
        self._proof_type = proof_type
        self._name = name
        self._can_sign = can_sign

    @property
    def proof_type(self) -> str:
        return self._proof_type

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def can_sign(self) -> bool:
        return self._can_sign

    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any]
    ) -> dict[str, Any]:
        configuration = {key: value for key, value in proof.items() if key != "proofValue"}
        configuration["@context"] = document.get("@context")
        return configuration

    def canonicalize(
        self, document: Mapping[str, Any], *, loader: DocumentLoader, engine: Engine
    ) -> str:
        return canonicalize(document, loader, engine=engine)

    def canonicalize_configuration(
        self, configuration: Mapping[str, Any], *, loader: DocumentLoader, engine: Engine
    ) -> str:
        return _CONFIGURATION_TEMPLATES.canonicalize(configuration, loader, engine)

    def verify_data(self, canonical_configuration: str, canonical_document: str) -> bytes:
        return (
            hashlib.sha256(canonical_configuration.encode("utf-8")).digest()
            + hashlib.sha256(canonical_document.encode("utf-8")).digest()
        )

    def sign(self, data: bytes, private_key: Ed25519PrivateKey) -> str:
        if not self._can_sign:
            raise CannotSign(f"{self._proof_type} is supported for verification only")
        return encode_base58btc(private_key.sign(data))

    def check_signature(self, data: bytes, proof_value: str, public_key: Ed25519PublicKey) -> None:
        try:
            signature = decode_base58btc(proof_value, max_length=_PROOF_VALUE_MAX_LENGTH)
        except InvalidMultibase as invalid:
            message = f"proofValue is not multibase base58btc: {invalid.message}"
            raise InvalidProofValue(message) from invalid
        if len(signature) != SIGNATURE_LENGTH:
            raise InvalidProofValue(
                f"proofValue holds {len(signature)} bytes; an Ed25519 signature is"
                f" {SIGNATURE_LENGTH}"
            )
        try:
            public_key.verify(signature, data)
        except InvalidSignature:
            raise SignatureInvalid(
                "the signature does not match the document and proof options"
            ) from None


class _ConfigurationTemplates:
    """Canonical proof configurations that differ only in ``created``, computed once.

    A signer's (or a verifier's) proof configurations repeat everything but ``created``: the
    document's ``@context``, ``type``, ``cryptosuite``, ``proofPurpose`` and the
    ``verificationMethod``. Their canonical form has one blank node (always ``_:c14n0``) and one
    line per entry, ordered by predicate; ``created`` is an ``xsd:dateTime`` literal whose
    dateTimeStamp text needs no escaping. So the canonical form for a new ``created`` is the
    remembered one with that literal replaced: the remembered one is computed by the ordinary
    canonicalization with a marker date, and used only if the marker literal occurs exactly
    once. Any other configuration is canonicalized the ordinary way.
    """

    _ENTRIES = frozenset(
        {"@context", "type", "cryptosuite", "created", "verificationMethod", "proofPurpose"}
    )
    _MARKER = "1970-01-01T00:00:01Z"
    _LITERAL = '"{}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    _CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._by_loader: weakref.WeakKeyDictionary[Any, OrderedDict[Any, tuple[str, str]]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def canonicalize(
        self, configuration: Mapping[str, Any], loader: DocumentLoader, engine: Engine
    ) -> str:
        key = self._key(configuration) if engine is not Engine.REFERENCE else None
        if key is None:
            return canonicalize(configuration, loader, engine=engine)
        try:
            templates = self._templates(loader)
        except TypeError:  # a loader that cannot be weakly referenced
            return canonicalize(configuration, loader, engine=engine)
        template = templates.get(key)
        if template is None:
            marked = {**configuration, "created": self._MARKER}
            canonical = canonicalize(marked, loader, engine=engine)
            literal = self._LITERAL.format(self._MARKER)
            if canonical.count(self._MARKER) != 1 or canonical.count(literal) != 1:
                return canonicalize(configuration, loader, engine=engine)
            before, after = canonical.split(literal)
            template = (before, after)
            with self._lock:
                templates[key] = template
                while len(templates) > self._size:
                    templates.popitem(last=False)
        return template[0] + self._LITERAL.format(configuration["created"]) + template[1]

    def _key(self, configuration: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """What the canonical form depends on besides ``created``; None if not templated."""
        if configuration.keys() != self._ENTRIES:
            return None
        fixed = tuple(
            configuration[name]
            for name in ("type", "cryptosuite", "verificationMethod", "proofPurpose")
        )
        created = configuration["created"]
        if not all(isinstance(value, str) for value in fixed) or not isinstance(created, str):
            return None
        if not self._CREATED.fullmatch(created):
            return None
        context = configuration["@context"]
        if isinstance(context, str):
            return ((context,), *fixed)
        if isinstance(context, list) and all(isinstance(url, str) for url in context):
            return (tuple(context), *fixed)
        return None

    def _templates(self, loader: DocumentLoader) -> OrderedDict[Any, tuple[str, str]]:
        found = self._by_loader.get(loader)
        if found is None:
            with self._lock:
                found = self._by_loader.setdefault(loader, OrderedDict())
        return found


_CONFIGURATION_TEMPLATES = _ConfigurationTemplates()

EDDSA_RDFC_2022: Cryptosuite = RdfcEd25519Suite(DATA_INTEGRITY_PROOF, CRYPTOSUITE, can_sign=True)


def default_suites() -> tuple[Cryptosuite, ...]:
    """eddsa-rdfc-2022, and Ed25519Signature2020 for credentials signed before it."""
    from app.credentials.ed25519_signature_2020 import ED25519_SIGNATURE_2020

    return (EDDSA_RDFC_2022, ED25519_SIGNATURE_2020)


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    loader: DocumentLoader | None = None,
    engine: Engine = Engine.FAST,
) -> dict[str, Any]:
    """A copy of ``document`` with an eddsa-rdfc-2022 proof.

    ``created`` defaults to now, written to the second in UTC. A document the canonicalizer
    refuses raises its CredentialError (see ``canonicalize``).
    """
    return add_proof(
        document,
        EDDSA_RDFC_2022,
        private_key,
        verification_method,
        created=created,
        proof_purpose=proof_purpose,
        loader=loader,
        engine=engine,
    )


def verify(
    document: Any,
    *,
    resolve_key: ResolveKey,
    loader: DocumentLoader | None = None,
    now: datetime | None = None,
    engine: Engine = Engine.FAST,
    suites: Sequence[Cryptosuite] | None = None,
    expected_proof_purpose: str = ASSERTION_METHOD,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> ProofCheck:
    """Check every proof of ``document``; never raises on a bad credential.

    ``resolve_key`` turns a verificationMethod into the issuer's public key (and decides whether
    that method may speak for the issuer); ``data_integrity.resolve_did_key`` handles did:key.
    """
    return verify_proofs(
        document,
        suites if suites is not None else default_suites(),
        resolve_key=resolve_key,
        loader=loader,
        engine=engine,
        now=now,
        expected_proof_purpose=expected_proof_purpose,
        clock_skew=clock_skew,
    )
