"""How an issuer appears to the world: its DID, DID document and OB3 Profile.

With an https public base URL an issuer is ``did:web:<host>:issuers:<slug>``, a stable name whose
DID document (served by this service) lists every key it ever signed with. Without https (a
development instance) did:web cannot resolve, so the issuer is the ``did:key`` of its current key:
credentials then verify offline, and a key rotation gives the issuer a new DID.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.credentials.context_urls import OB3_CONTEXT, VC2_CONTEXT
from app.credentials.did import (
    DID_KEY_PREFIX,
    VerificationMethodSpec,
    did_document,
    did_key_document,
    did_key_from_public_key,
    did_web_from_url,
)
from app.credentials.jwk import (
    JWK_CONTEXT_V1,
    json_web_key_verification_method,
    public_key_from_jwk,
)
from app.credentials.multikey import public_key_from_multibase
from app.issuer.issuers import active_key
from app.settings import Settings
from app.store.models import Issuer, IssuerKey
from app.store.repositories import IssuerRepository, KeyRepository


def _multikey(key: IssuerKey) -> str:
    if key.public_key_multibase is None:
        raise ValueError(f"{key.algorithm} key {key.fragment} has no Multikey form")
    return key.public_key_multibase


def _did_key(key: IssuerKey) -> str:
    return did_key_from_public_key(public_key_from_multibase(_multikey(key)))


class IssuerIdentity:
    """Answers identity questions for issuers, reading keys through the given session."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.keys = KeyRepository(session)
        self._active: dict[tuple[int, str], IssuerKey] = {}
        self._methods: dict[tuple[int, str], tuple[IssuerKey, str | None]] = {}
        self._dids: dict[int, str] = {}

    def active_key(self, issuer: Issuer, algorithm: str = "Ed25519") -> IssuerKey:
        """The issuer's current key of ``algorithm``, read once per instance (one request or
        one chunk of a batch)."""
        memo = (issuer.id, algorithm)
        if memo not in self._active:
            self._active[memo] = active_key(self.session, issuer, algorithm)
        return self._active[memo]

    def did(self, issuer: Issuer) -> str:
        """did:web from the public URL, or the did:key of the current key; worked out once per
        instance."""
        if issuer.id not in self._dids:
            if self.settings.uses_did_web:
                did = did_web_from_url(self.settings.public_base_url, "issuers", issuer.slug)
            else:
                did = _did_key(self.active_key(issuer))
            self._dids[issuer.id] = did
        return self._dids[issuer.id]

    def verification_method(
        self, issuer: Issuer, algorithm: str = "Ed25519"
    ) -> tuple[IssuerKey, str | None]:
        """The issuer's current key of ``algorithm`` and its DID URL, worked out once per
        instance."""
        memo = (issuer.id, algorithm)
        if memo not in self._methods:
            key = self.active_key(issuer, algorithm)
            self._methods[memo] = (key, self.verification_method_id(issuer, key))
        return self._methods[memo]

    def verification_method_id(self, issuer: Issuer, key: IssuerKey) -> str | None:
        """The DID URL of a key, or None for an RSA key of a did:key issuer (not publishable)."""
        if self.settings.uses_did_web:
            return f"{self.did(issuer)}#{key.fragment}"
        if key.algorithm != "Ed25519":
            return None
        return f"{_did_key(key)}#{_multikey(key)}"

    def did_document(self, issuer: Issuer) -> dict[str, Any]:
        if not self.settings.uses_did_web:
            return did_key_document(self.did(issuer))
        did = self.did(issuer)
        keys = self.keys.for_issuer(issuer.id)
        document = did_document(
            did,
            [
                VerificationMethodSpec(
                    public_key=public_key_from_multibase(_multikey(key)),
                    fragment=key.fragment,
                    authentication=key.retired_at is None,
                )
                for key in keys
                if key.algorithm == "Ed25519"
            ],
        )
        for key in keys:
            if key.algorithm == "Ed25519" or key.public_jwk is None:
                continue
            method = json_web_key_verification_method(
                did, public_key_from_jwk(key.public_jwk), fragment=key.fragment
            )
            document["verificationMethod"].append(method)
            document["assertionMethod"].append(method["id"])
            if key.retired_at is None:
                document["authentication"].append(method["id"])
        if any(key.algorithm != "Ed25519" for key in keys):
            document["@context"].append(JWK_CONTEXT_V1)
        return document

    def issuer_for_did(self, did: str) -> Issuer | None:
        """Which of our issuers ``did`` names: a did:web under our base URL, or (on a
        development instance) the did:key of one of an issuer's keys."""
        if self.settings.uses_did_web:
            prefix = did_web_from_url(self.settings.public_base_url, "issuers") + ":"
            slug = did.removeprefix(prefix)
            if slug == did or ":" in slug:
                return None
            return IssuerRepository(self.session).by_slug(slug)
        if not did.startswith(DID_KEY_PREFIX):
            return None
        key = self.keys.by_multibase(did.removeprefix(DID_KEY_PREFIX))
        return None if key is None else IssuerRepository(self.session).by_id(key.issuer_id)

    def did_document_for(self, did: str) -> dict[str, Any] | None:
        """The DID document of one of our did:web issuers, read locally; None for other DIDs."""
        if not self.settings.uses_did_web:
            return None
        issuer = self.issuer_for_did(did)
        return None if issuer is None else self.did_document(issuer)

    def profile(self, issuer: Issuer, *, with_context: bool = False) -> dict[str, Any]:
        """The issuer as an OB3 Profile, with its parent organisations nested in ``parentOrg``."""
        chain = [issuer, *IssuerRepository(self.session).ancestors(issuer)]
        document: dict[str, Any] | None = None
        for member in reversed(chain):
            node = self._profile_node(member)
            if document is not None:
                node["parentOrg"] = document
            document = node
        assert document is not None
        if with_context:
            document = {"@context": [VC2_CONTEXT, OB3_CONTEXT], **document}
        return document

    def _profile_node(self, issuer: Issuer) -> dict[str, Any]:
        node: dict[str, Any] = {"id": self.did(issuer), "type": ["Profile"], "name": issuer.name}
        if issuer.url:
            node["url"] = issuer.url
        if issuer.email:
            node["email"] = issuer.email
        if issuer.description:
            node["description"] = issuer.description
        if issuer.image_url:
            node["image"] = {"id": issuer.image_url, "type": "Image"}
        return node
