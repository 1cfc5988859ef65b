"""Resolving a proof's verification method to a key its issuer authorized for assertions.

did:key is resolved offline. did:web documents of this service's own issuers come straight
from the database (the service never calls itself over HTTP). Any other did:web needs a network
fetch, which only the safe fetching client may make; until one is configured such keys are
reported as unresolvable, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.credentials.did import did_key_document
from app.credentials.did_keys import KeyNotAuthorized, ResolvedKey, assertion_key
from app.credentials.errors import CredentialError, InvalidDid

DocumentSource = Callable[[str], Mapping[str, Any] | None]


class KeyResolutionError(CredentialError):
    pass


class KeyResolver:
    def __init__(
        self,
        local_documents: DocumentSource | None = None,
        remote_documents: DocumentSource | None = None,
    ) -> None:
        self._local = local_documents
        self._remote = remote_documents

    def did_document(self, did: str) -> Mapping[str, Any]:
        if did.startswith("did:key:"):
            try:
                return did_key_document(did)
            except CredentialError as error:
                raise KeyResolutionError("invalid_did", error.message) from error
        if did.startswith("did:web:"):
            for source in (self._local, self._remote):
                document = source(did) if source is not None else None
                if document is not None:
                    return document
            raise KeyResolutionError(
                "did_unresolvable", f"{did} could not be resolved (no local issuer has it)"
            )
        raise KeyResolutionError("did_method_unsupported", f"{did.split(':')[:2]} is not supported")

    def assertion_key(self, method_id: str) -> ResolvedKey:
        """The key of ``method_id``, if its DID document lists it under assertionMethod."""
        if "#" not in method_id:
            raise KeyResolutionError(
                "invalid_verification_method", f"{method_id!r} is not a DID URL with a fragment"
            )
        try:
            return assertion_key(self.did_document(method_id.partition("#")[0]), method_id)
        except (KeyNotAuthorized, InvalidDid) as error:
            raise KeyResolutionError(error.code, error.message) from error
