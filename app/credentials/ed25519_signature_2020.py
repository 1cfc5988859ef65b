"""The legacy ``Ed25519Signature2020`` suite (W3C CCG), for verifying older credentials only.

Open Badges 3.0 conformance uses eddsa-rdfc-2022; some issuers signed with this suite before.
It differs from eddsa-rdfc-2022 only in its proof: ``type`` is ``Ed25519Signature2020``, there
is no ``cryptosuite``, and the proof options are the proof without ``proofValue`` (nor the older
``jws`` and ``signatureValue``), given the document's ``@context`` unless they carry their own,
as jsonld-signatures does. Canonicalization (URDNA2015, the same algorithm as RDFC-1.0), hashing
(SHA-256 of the proof options, then of the document) and the Ed25519 signature in a multibase
``proofValue`` are those of eddsa-rdfc-2022. The document must use the suite's context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.credentials.eddsa_rdfc_2022 import RdfcEd25519Suite
from app.credentials.errors import ProofContextMismatch

PROOF_TYPE = "Ed25519Signature2020"
SUITE_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
_NOT_PROOF_OPTIONS = frozenset({"proofValue", "jws", "signatureValue"})


class Ed25519Signature2020Suite(RdfcEd25519Suite):
    def __init__(self) -> None:
        super().__init__(PROOF_TYPE, None, can_sign=False)

    def proof_configuration(
        self, proof: Mapping[str, Any], document: Mapping[str, Any]
    ) -> dict[str, Any]:
        context = document.get("@context")
        if SUITE_CONTEXT not in (context if isinstance(context, list) else [context]):
            raise ProofContextMismatch(
                f"an {PROOF_TYPE} proof needs the document's @context to include {SUITE_CONTEXT}"
            )
        options = {key: value for key, value in proof.items() if key not in _NOT_PROOF_OPTIONS}
        return {"@context": context, **options}


ED25519_SIGNATURE_2020 = Ed25519Signature2020Suite()
