"""Resolving a proof's verification method to a key its issuer authorized for assertions.

did:key is resolved offline. did:web documents of this service's own issuers come straight
from the database (the service never calls itself over HTTP). Any other did:web, and a
verification method that is an https URL (an issuer profile that lists its own keys, as OB 3.0
allows), is fetched through the safe fetching client; without one such keys are reported as
unresolvable, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.credentials.did import did_key_document
from app.credentials.did_keys import KeyNotAuthorized, ResolvedKey, assertion_key
from app.credentials.errors import CredentialError, InvalidDid
from app.verifier.fetching import DocumentUnavailable, RemoteFetcher

DocumentSource = Callable[[str], Mapping[str, Any] | None]
KEY_UNAVAILABLE = "issuer_key_unavailable"
"""The controller's document could not be had for now (unreachable, too slow, a server error):
unlike a document that is missing (404, DID Resolution's ``notFound``) or lacks the key, this
says nothing about the credential, so the signature's check is unknown rather than failed."""


class KeyResolutionError(CredentialError):
    pass


class KeyResolver:
    def __init__(
        self,
        local_documents: DocumentSource | None = None,
        remote: RemoteFetcher | None = None,
    ) -> None:
        self._local = local_documents
        self._remote = remote

    def did_document(self, did: str) -> Mapping[str, Any]:
        if did.startswith("did:key:"):
            try:
                return did_key_document(did)
            except CredentialError as error:
                raise KeyResolutionError("invalid_did", error.message) from error
        if did.startswith("did:web:"):
            document = self._local(did) if self._local is not None else None
            if document is not None:
                return document
            return self._fetched(did, lambda remote: remote.did_web_document(did))
        if did.startswith("https://"):
            return self._fetched(did, lambda remote: remote.json_document(did))
        raise KeyResolutionError(
            "did_method_unsupported", f"{did.split(':')[:2]} is not a supported key controller"
        )

    def _fetched(
        self, controller: str, fetch: Callable[[RemoteFetcher], Mapping[str, Any]]
    ) -> Mapping[str, Any]:
        if self._remote is None:
            raise KeyResolutionError(
                "did_unresolvable",
                f"{controller} could not be resolved (network resolution is off)",
            )
        try:
            return fetch(self._remote)
        except InvalidDid as error:
            raise KeyResolutionError("invalid_did", error.message) from error
        except DocumentUnavailable as error:
            if error.transient:
                raise KeyResolutionError(
                    KEY_UNAVAILABLE,
                    f"{controller} could not be resolved for now: {error.message}",
                ) from error
            raise KeyResolutionError(
                "did_unresolvable", f"{controller} could not be resolved: {error.message}"
            ) from error

    def assertion_key(self, method_id: str) -> ResolvedKey:
        """The key of ``method_id``, if its controller's document lists it under
        assertionMethod."""
        if "#" not in method_id:
            raise KeyResolutionError(
                "invalid_verification_method", f"{method_id!r} is not a DID URL with a fragment"
            )
        try:
            return assertion_key(self.did_document(method_id.partition("#")[0]), method_id)
        except (KeyNotAuthorized, InvalidDid) as error:
            raise KeyResolutionError(error.code, error.message) from error
