"""Errors raised by the credentials core.

Every error is a :class:`CredentialError` carrying a stable machine-readable ``code`` (a
problem+json ``type`` can be built from it), a ``message`` a person can act on, and, when the
problem sits at a place in a JSON document, the JSON ``path`` of that place (``$.issuer.id``).
When one pass finds several problems, the first is raised and the others ride along in
``related``, so a report can list them all.

    CredentialError                    (any code)
    ├── ContextError                   context_error             (groups; never raised as is)
    │   ├── ContextNotAllowed          context_not_allowed       URL outside the pinned set
    │   └── ContextIntegrityError      context_integrity_failed  pinned file does not match its pin
    ├── DocumentRejected               document_rejected         (group)
    │   ├── NotJson                    not_json                  value JSON cannot carry
    │   ├── LimitExceeded              limit_exceeded            (group)
    │   │   ├── DocumentTooDeep        document_too_deep
    │   │   ├── DocumentTooLarge       document_too_large
    │   │   ├── TooManyNodes           too_many_nodes
    │   │   ├── TooManyBlankNodes      too_many_blank_nodes      more than canonicalization accepts
    │   │   └── CanonicalizationTooComplex
    │   │                              canonicalization_too_complex  over the RDFC-1.0 work budget
    │   ├── InvalidJsonLd              invalid_jsonld            the JSON-LD processor refused it
    │   ├── UndefinedTerm              undefined_term            term or type no context defines
    │   ├── RelativeIri                relative_iri              an id that is not an absolute IRI
    │   ├── DroppedInRdf               dropped_in_rdf            kept by expansion, lost in RDF
    │   ├── EmptyExpansion             empty_expansion           nothing survives expansion
    │   ├── UnsafeIri                  unsafe_iri                an IRI N-Quads cannot carry as is
    │   ├── InvalidLanguageTag         invalid_language_tag      not a well-formed BCP 47 tag
    │   └── ControlCharacter           control_character         a control character that RDF
    │                                                            canonicalizers escape differently
    ├── UnknownSchema                  unknown_schema
    ├── KeyEncodingError               key_encoding_error        (group)
    │   ├── InvalidMultibase           invalid_multibase
    │   ├── InvalidMultikey            invalid_multikey
    │   └── InvalidJwk                 invalid_jwk               not a usable public JSON Web Key
    ├── InvalidDid                     invalid_did
    ├── CannotSign                     cannot_sign               credential or key unfit to sign
    ├── KeyNotAuthorized (did_keys)    did_document_mismatch, key_not_for_assertion,
    │                                  verification_method_not_found, controller_mismatch,
    │                                  unusable_key: the DID document does not let the key
    │                                  sign for the issuer
    ├── JwtRejected                    jwt_rejected              a VC-JWT refused; its code is
    │                                                            one of vc_jwt.JwtCode (jwt_...)
    ├── StatusListError                status_list_invalid       a status entry or list refused;
    │                                                            its code is one of
    │                                                            status_list.StatusCode
    └── ProofError                     proof_error               (group) a proof refused
        ├── ProofMissing               proof_missing             the document carries no proof
        ├── MalformedProof             malformed_proof           a field missing or mistyped
        ├── UnsupportedProofType       unsupported_proof_type    no registered suite has this type
        ├── UnsupportedCryptosuite     unsupported_cryptosuite   no registered suite has this name
        ├── ProofPurposeMismatch       proof_purpose_mismatch    not the purpose expected
        ├── InvalidProofDate           invalid_proof_date        created/expires not a dateTimeStamp
        ├── ProofCreatedInFuture       proof_created_in_future   later than now plus clock skew
        ├── ProofExpired               proof_expired             the proof's own expires is past
        ├── ProofContextMismatch       proof_context_mismatch    @context differs from the document
        ├── InvalidProofValue          invalid_proof_value       not base58btc of a signature
        ├── KeyResolutionFailed        key_resolution_failed     no usable key for the method
        └── SignatureInvalid           signature_invalid         the signature does not match
"""

from __future__ import annotations


class CredentialError(Exception):
    """Base of every error of the credentials core."""

    code: str = "credential_error"

    def __init__(self, code: str, message: str, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{message} (at {path})")
        self.code = code
        self.message = message
        self.path = path
        self.related: tuple[CredentialError, ...] = ()

    @property
    def problems(self) -> tuple[CredentialError, ...]:
        """This problem followed by every other problem found in the same pass."""
        return (self, *self.related)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(code={self.code!r}, message={self.message!r}, path={self.path!r})"


class _FixedCodeError(CredentialError):
    """A CredentialError whose code is fixed by its class."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(type(self).code, message, path)


class ContextError(_FixedCodeError):
    code = "context_error"


class ContextNotAllowed(ContextError):
    code = "context_not_allowed"

    def __init__(self, url: str, path: str | None = None) -> None:
        super().__init__(f"JSON-LD context {url!r} is not one of the pinned contexts", path)
        self.url = url


class ContextIntegrityError(ContextError):
    code = "context_integrity_failed"


class DocumentRejected(_FixedCodeError):
    code = "document_rejected"


class NotJson(DocumentRejected):
    code = "not_json"


class LimitExceeded(DocumentRejected):
    code = "limit_exceeded"


class DocumentTooDeep(LimitExceeded):
    code = "document_too_deep"


class DocumentTooLarge(LimitExceeded):
    code = "document_too_large"


class TooManyNodes(LimitExceeded):
    code = "too_many_nodes"


class InvalidJsonLd(DocumentRejected):
    code = "invalid_jsonld"


class UndefinedTerm(DocumentRejected):
    code = "undefined_term"


class RelativeIri(DocumentRejected):
    code = "relative_iri"


class DroppedInRdf(DocumentRejected):
    code = "dropped_in_rdf"


class EmptyExpansion(DocumentRejected):
    code = "empty_expansion"


class TooManyBlankNodes(LimitExceeded):
    code = "too_many_blank_nodes"


class CanonicalizationTooComplex(LimitExceeded):
    code = "canonicalization_too_complex"


class UnsafeIri(DocumentRejected):
    code = "unsafe_iri"


class InvalidLanguageTag(DocumentRejected):
    code = "invalid_language_tag"


class ControlCharacter(DocumentRejected):
    code = "control_character"


class UnknownSchema(_FixedCodeError):
    code = "unknown_schema"


class KeyEncodingError(_FixedCodeError):
    code = "key_encoding_error"


class InvalidMultibase(KeyEncodingError):
    code = "invalid_multibase"


class InvalidMultikey(KeyEncodingError):
    code = "invalid_multikey"


class InvalidJwk(KeyEncodingError):
    code = "invalid_jwk"


class InvalidDid(_FixedCodeError):
    code = "invalid_did"


class CannotSign(_FixedCodeError):
    code = "cannot_sign"


class JwtRejected(CredentialError):
    """A VC-JWT that verification refuses; ``code`` names the reason (a ``vc_jwt.JwtCode``)."""

    code = "jwt_rejected"


class StatusListError(CredentialError):
    """A status entry or status list a verifier must refuse; ``code`` names the reason (a
    ``status_list.StatusCode``)."""

    code = "status_list_invalid"


class ProofError(_FixedCodeError):
    code = "proof_error"


class ProofMissing(ProofError):
    code = "proof_missing"


class MalformedProof(ProofError):
    code = "malformed_proof"


class UnsupportedProofType(ProofError):
    code = "unsupported_proof_type"


class UnsupportedCryptosuite(ProofError):
    code = "unsupported_cryptosuite"


class ProofPurposeMismatch(ProofError):
    code = "proof_purpose_mismatch"


class InvalidProofDate(ProofError):
    code = "invalid_proof_date"


class ProofCreatedInFuture(ProofError):
    code = "proof_created_in_future"


class ProofExpired(ProofError):
    code = "proof_expired"


class ProofContextMismatch(ProofError):
    code = "proof_context_mismatch"


class InvalidProofValue(ProofError):
    code = "invalid_proof_value"


class KeyResolutionFailed(ProofError):
    code = "key_resolution_failed"


class SignatureInvalid(ProofError):
    code = "signature_invalid"
