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
    │   │   └── TooManyNodes           too_many_nodes
    │   ├── InvalidJsonLd              invalid_jsonld            the JSON-LD processor refused it
    │   ├── UndefinedTerm              undefined_term            term or type no context defines
    │   ├── RelativeIri                relative_iri              an id that is not an absolute IRI
    │   ├── DroppedInRdf               dropped_in_rdf            kept by expansion, lost in RDF
    │   └── EmptyExpansion             empty_expansion           nothing survives expansion
    ├── UnknownSchema                  unknown_schema
    ├── KeyEncodingError               key_encoding_error        (group)
    │   ├── InvalidMultibase           invalid_multibase
    │   └── InvalidMultikey            invalid_multikey
    └── InvalidDid                     invalid_did
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


class UnknownSchema(_FixedCodeError):
    code = "unknown_schema"


class KeyEncodingError(_FixedCodeError):
    code = "key_encoding_error"


class InvalidMultibase(KeyEncodingError):
    code = "invalid_multibase"


class InvalidMultikey(KeyEncodingError):
    code = "invalid_multikey"


class InvalidDid(_FixedCodeError):
    code = "invalid_did"
