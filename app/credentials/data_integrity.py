"""Data Integrity proofs (W3C VC Data Integrity 1.0): the generic engine.

The engine knows what every proof has in common: where proofs sit (``proof``, one object or a
set), the fields every proof needs, the proof purpose, ``created`` and ``expires``, the
``@context`` rule, and how a proof set is judged. What a proof means cryptographically is a
cryptosuite's business: a plug-in object (:class:`Cryptosuite`) that canonicalizes, builds the
bytes to sign, signs and checks. ``eddsa_rdfc_2022`` and ``ed25519_signature_2020`` provide two.

Verification never raises on a bad credential. :func:`verify_proofs` returns a
:class:`ProofCheck` whose ``code`` is the stable code of a CredentialError (``signature_invalid``,
``proof_created_in_future``, ``undefined_term``...), one :class:`ProofResult` per proof.

Which key may sign for an issuer is the caller's decision: it passes ``resolve_key``, which turns
a ``verificationMethod`` into a public key or raises. :func:`resolve_did_key` is such a resolver
for did:key methods; it does not check that the key belongs to the credential's issuer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.credentials.canonicalize import Engine
from app.credentials.did import public_key_from_did_key
from app.credentials.document_loader import DocumentLoader, default_document_loader
from app.credentials.errors import (
    CannotSign,
    CredentialError,
    InvalidProofDate,
    KeyResolutionFailed,
    MalformedProof,
    NotJson,
    ProofContextMismatch,
    ProofCreatedInFuture,
    ProofError,
    ProofExpired,
    ProofMissing,
    ProofPurposeMismatch,
    UnsupportedCryptosuite,
    UnsupportedProofType,
)
from app.credentials.rdf_terms import is_safe_iri

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
ASSERTION_METHOD = "assertionMethod"
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a proof's ``created`` may lie, for clocks that disagree a little."""

ResolveKey = Callable[[str], Ed25519PublicKey]

_DATE_TIME_STAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})"
)
_REQUIRED_FIELDS = ("verificationMethod", "proofPurpose", "proofValue")


class Cryptosuite(Protocol):
    """What the engine needs from a cryptosuite."""

    @property
    def proof_type(self) -> str:
        """The proof ``type`` it handles (``DataIntegrityProof``, ``Ed25519Signature2020``)."""
        ...

    @property
    def name(self) -> str | None:
        """The ``cryptosuite`` value it handles; None for suites named by their type alone."""
        ...

    @property
    def can_sign(self) -> bool: ...

    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The proof options that are canonicalized and hashed (``proofValue`` left out)."""
        ...

    def canonicalize(
        self, document: Mapping[str, Any], *, loader: DocumentLoader, engine: Engine
    ) -> str:
        """The transformation: the canonical form that is hashed."""
        ...

    def canonicalize_configuration(
        self, configuration: Mapping[str, Any], *, loader: DocumentLoader, engine: Engine
    ) -> str:
        """The canonical form of a proof configuration (same result as ``canonicalize``)."""
        ...

    def verify_data(self, canonical_configuration: str, canonical_document: str) -> bytes:
        """The bytes that are signed."""
        ...

    def sign(self, data: bytes, private_key: Ed25519PrivateKey) -> str:
        """The ``proofValue`` for ``data``."""
        ...

    def check_signature(self, data: bytes, proof_value: str, public_key: Ed25519PublicKey) -> None:
        """Raise InvalidProofValue or SignatureInvalid unless ``proof_value`` signs ``data``."""
        ...


@dataclass(frozen=True, slots=True)
class ProofResult:
    """What became of one proof."""

    index: int
    verified: bool
    code: str | None
    message: str
    proof_type: str | None = None
    cryptosuite: str | None = None
    verification_method: str | None = None
    created: str | None = None


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """What became of a document's proofs: verified only if there is one and all verify."""

    verified: bool
    code: str | None
    """The stable code of the first failure, or None."""
    message: str
    proofs: tuple[ProofResult, ...]


def unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without its ``proof``: what a Data Integrity proof secures."""
    return {key: value for key, value in document.items() if key != "proof"}


def add_proof(
    document: Mapping[str, Any],
    suite: Cryptosuite,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    loader: DocumentLoader | None = None,
    engine: Engine = Engine.FAST,
) -> dict[str, Any]:
    """A copy of ``document`` with one more proof (existing proofs stay, as a proof set).

    Raises a CredentialError when the document cannot be canonicalized (it is not signed then),
    or CannotSign when the suite, the method or ``created`` is unfit.
    """
    if not suite.can_sign:
        raise CannotSign(f"{suite.proof_type} is supported for verification only")
    if not isinstance(document, Mapping) or "@context" not in document:
        raise CannotSign("only a JSON-LD object with an @context can be signed")
    if not isinstance(verification_method, str) or not is_safe_iri(verification_method):
        raise CannotSign(f"{verification_method!r} is not a verification method URL")
    proof: dict[str, Any] = {"type": suite.proof_type}
    if suite.name is not None:
        proof["cryptosuite"] = suite.name
    proof["created"] = _created_text(created)
    proof["verificationMethod"] = verification_method
    proof["proofPurpose"] = proof_purpose
    loader = loader if loader is not None else default_document_loader()
    data = _verify_data(suite, proof, unsecured(document), loader, engine)
    proof["proofValue"] = suite.sign(data, private_key)
    secured = dict(document)
    existing = document.get("proof")
    if existing is None:
        secured["proof"] = proof
    else:
        secured["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return secured


def verify_proofs(
    document: Any,
    suites: Sequence[Cryptosuite],
    *,
    resolve_key: ResolveKey,
    loader: DocumentLoader | None = None,
    engine: Engine = Engine.FAST,
    now: datetime | None = None,
    expected_proof_purpose: str = ASSERTION_METHOD,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> ProofCheck:
    """Check every proof of ``document``; never raises on a bad document."""
    if not isinstance(document, Mapping):
        return _refusal(NotJson("a secured document must be a JSON object"))
    found = document.get("proof")
    proofs = found if isinstance(found, list) else [] if found is None else [found]
    if not proofs:
        return _refusal(ProofMissing("the document carries no proof"))
    verifier = _Verifier(
        document,
        suites,
        resolve_key,
        loader if loader is not None else default_document_loader(),
        engine,
        now if now is not None else datetime.now(UTC),
        expected_proof_purpose,
        clock_skew,
    )
    results = tuple(verifier.check(index, proof) for index, proof in enumerate(proofs))
    failed = next((result for result in results if not result.verified), None)
    if failed is None:
        count = "1 proof" if len(results) == 1 else f"{len(results)} proofs"
        return ProofCheck(True, None, f"{count} verified", results)
    return ProofCheck(False, failed.code, failed.message, results)


def resolve_did_key(verification_method: str) -> Ed25519PublicKey:
    """The key of a did:key verification method (``did:key:z6Mk...#z6Mk...``).

    A did:key names its key, so the answer for a method never changes: it is remembered.
    """
    if not isinstance(verification_method, str) or not verification_method.startswith("did:key:"):
        raise KeyResolutionFailed(f"{verification_method!r} is not a did:key verification method")
    if "#" not in verification_method:
        raise KeyResolutionFailed(
            f"{verification_method!r} is a DID, not a verification method (no #fragment)"
        )
    return _did_key_public_key(verification_method)


@functools.lru_cache(maxsize=1024)
def _did_key_public_key(verification_method: str) -> Ed25519PublicKey:
    return public_key_from_did_key(verification_method)


def parse_date_time_stamp(value: object, field: str) -> datetime:
    """An XML Schema ``dateTimeStamp`` (a date-time with its time zone), or InvalidProofDate."""
    found = _DATE_TIME_STAMP.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidProofDate(
            f"{field} must be an XML Schema dateTimeStamp such as 2024-01-31T12:00:00Z,"
            f" not {value!r}"
        )
    fraction = (found["fraction"] or "")[:7]
    zone = "+00:00" if found["zone"] == "Z" else found["zone"]
    try:
        return datetime.fromisoformat(f"{found['date']}T{found['time']}{fraction}{zone}")
    except ValueError as invalid:
        raise InvalidProofDate(f"{field} {value!r} is not a real date and time") from invalid


def _created_text(created: datetime | str | None) -> str:
    if created is None:
        created = datetime.now(UTC)
    if isinstance(created, str):
        try:
            parse_date_time_stamp(created, "created")
        except InvalidProofDate as invalid:
            raise CannotSign(invalid.message) from invalid
        return created
    if created.tzinfo is None:
        raise CannotSign("created must carry a time zone")
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _verify_data(
    suite: Cryptosuite,
    proof: Mapping[str, Any],
    unsecured: Mapping[str, Any],
    loader: DocumentLoader,
    engine: Engine,
    canonical_document: str | None = None,
) -> bytes:
    configuration = suite.proof_configuration(proof, unsecured)
    canonical_configuration = suite.canonicalize_configuration(
        configuration, loader=loader, engine=engine
    )
    if canonical_document is None:
        canonical_document = suite.canonicalize(unsecured, loader=loader, engine=engine)
    return suite.verify_data(canonical_configuration, canonical_document)


class _Verifier:
    """Checks the proofs of one document, canonicalizing the document once per suite."""

    def __init__(
        self,
        document: Mapping[str, Any],
        suites: Sequence[Cryptosuite],
        resolve_key: ResolveKey,
        loader: DocumentLoader,
        engine: Engine,
        now: datetime,
        expected_proof_purpose: str,
        clock_skew: timedelta,
    ) -> None:
        self._document = document
        self._unsecured = unsecured(document)
        self._suites = suites
        self._resolve_key = resolve_key
        self._loader = loader
        self._engine = engine
        self._now = now
        self._purpose = expected_proof_purpose
        self._skew = clock_skew
        self._canonical: dict[int, str] = {}

    def check(self, index: int, proof: Any) -> ProofResult:
        described: dict[str, Any] = {}
        if isinstance(proof, Mapping):
            described = {
                "proof_type": _text_or_none(proof.get("type")),
                "cryptosuite": _text_or_none(proof.get("cryptosuite")),
                "verification_method": _text_or_none(proof.get("verificationMethod")),
                "created": _text_or_none(proof.get("created")),
            }
        try:
            self._check(proof)
        except CredentialError as problem:
            return ProofResult(index, False, problem.code, problem.message, **described)
        except Exception as failure:  # fail closed on anything unforeseen
            message = f"the proof could not be checked ({type(failure).__name__})"
            return ProofResult(index, False, ProofError.code, message, **described)
        return ProofResult(index, True, None, "the proof is valid", **described)

    def _check(self, proof: Any) -> None:
        if not isinstance(proof, Mapping):
            raise MalformedProof("a proof must be a JSON object")
        suite = self._suite_for(proof)
        for field in _REQUIRED_FIELDS:
            if not isinstance(proof.get(field), str) or not proof[field]:
                raise MalformedProof(f"the proof's {field} is missing or not a string")
        if proof["proofPurpose"] != self._purpose:
            raise ProofPurposeMismatch(
                f"the proof's purpose is {proof['proofPurpose']!r}, expected {self._purpose!r}"
            )
        self._check_dates(proof)
        self._check_context(proof)
        canonical = self._canonical.get(id(suite))
        if canonical is None:
            canonical = suite.canonicalize(
                self._unsecured, loader=self._loader, engine=self._engine
            )
            self._canonical[id(suite)] = canonical
        data = _verify_data(suite, proof, self._unsecured, self._loader, self._engine, canonical)
        public_key = self._key(proof["verificationMethod"])
        suite.check_signature(data, proof["proofValue"], public_key)

    def _suite_for(self, proof: Mapping[str, Any]) -> Cryptosuite:
        proof_type = proof.get("type")
        if not isinstance(proof_type, str):
            raise MalformedProof("the proof's type is missing or not a string")
        candidates = [suite for suite in self._suites if suite.proof_type == proof_type]
        if not candidates:
            raise UnsupportedProofType(f"proofs of type {proof_type!r} are not supported")
        if proof_type != DATA_INTEGRITY_PROOF:
            return candidates[0]
        name = proof.get("cryptosuite")
        if not isinstance(name, str):
            raise MalformedProof("a DataIntegrityProof needs a cryptosuite string")
        for suite in candidates:
            if suite.name == name:
                return suite
        raise UnsupportedCryptosuite(f"the cryptosuite {name!r} is not supported")

    def _check_dates(self, proof: Mapping[str, Any]) -> None:
        if "created" in proof:
            created = parse_date_time_stamp(proof["created"], "created")
            if created > self._now + self._skew:
                raise ProofCreatedInFuture(
                    f"the proof was created at {proof['created']}, later than now"
                    f" ({self._now.isoformat()}) plus the allowed clock skew"
                )
        if "expires" in proof:
            expires = parse_date_time_stamp(proof["expires"], "expires")
            if expires < self._now - self._skew:
                raise ProofExpired(f"the proof expired at {proof['expires']}")

    def _check_context(self, proof: Mapping[str, Any]) -> None:
        """Data Integrity 1.0, verify proof: a proof's own @context must begin the document's."""
        if "@context" not in proof:
            return
        document_context = _as_list(self._document.get("@context"))
        proof_context = _as_list(proof["@context"])
        if document_context[: len(proof_context)] != proof_context:
            raise ProofContextMismatch(
                "the proof's @context does not match the start of the document's @context"
            )

    def _key(self, verification_method: str) -> Ed25519PublicKey:
        try:
            key = self._resolve_key(verification_method)
        except CredentialError:
            raise
        except Exception as failure:
            raise KeyResolutionFailed(
                f"no key for {verification_method!r}: {type(failure).__name__}"
            ) from failure
        if not isinstance(key, Ed25519PublicKey):
            raise KeyResolutionFailed(f"{verification_method!r} does not name an Ed25519 key")
        return key


def _refusal(problem: CredentialError) -> ProofCheck:
    return ProofCheck(False, problem.code, problem.message, ())


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


__all__ = [
    "ASSERTION_METHOD",
    "DATA_INTEGRITY_PROOF",
    "DEFAULT_CLOCK_SKEW",
    "Cryptosuite",
    "ProofCheck",
    "ProofResult",
    "ResolveKey",
    "add_proof",
    "parse_date_time_stamp",
    "resolve_did_key",
    "verify_proofs",
]
