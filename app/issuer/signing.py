"""Signing credentials as an issuer: checks first, then a Data Integrity proof or a VC-JWT.

Nothing is signed that would not verify or that says something the issuer did not mean: the
credential must expand with the pinned contexts without losing a term, and an Open Badge must
pass the official OB 3.0 schema and the data model rules (its issuer is the signing DID, it has a
``validFrom``, its subject identifies the learner); an EndorsementCredential must pass the
official OB 3.0 endorsement schema and the same issuer rule. Every problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from app.credentials.clr import clr_violations, is_clr
from app.credentials.document_loader import default_document_loader
from app.credentials.eddsa_rdfc_2022 import sign as sign_data_integrity
from app.credentials.endorsement import endorsement_violations, is_endorsement
from app.credentials.errors import CredentialError
from app.credentials.jsonld import check_expands_strictly
from app.credentials.ob3 import RuleViolation, data_model_violations, is_open_badge, ob3_violations
from app.credentials.vc_jwt import encode_vc_jwt
from app.issuer.identity import IssuerIdentity
from app.issuer.keystore import PrivateKeyCache
from app.problems import Problem, ProblemItem
from app.settings import Settings
from app.store.models import Issuer

JwtAlgorithm = Literal["RS256", "EdDSA"]


class CredentialRejected(Problem):
    """A credential the service will not sign; ``code`` names the first problem's kind."""

    status, title = 422, "The credential cannot be signed"

    def __init__(self, detail: str, errors: list[ProblemItem]) -> None:
        super().__init__(detail, errors=errors)
        first = errors[0].extra.get("code") if errors else None
        self.code = str(first or "credential-invalid").replace("_", "-")


def _credential_error_items(error: CredentialError) -> list[ProblemItem]:
    return [
        ProblemItem(problem.path or "$", problem.message, {"code": problem.code})
        for problem in error.problems
    ]


def _violation_items(violations: list[RuleViolation]) -> list[ProblemItem]:
    return [ProblemItem(v.path, v.message, {"code": v.code}) for v in violations]


def _inline_context_items(credential: Mapping[str, Any]) -> list[ProblemItem]:
    """Inline contexts could redefine terms or set an @vocab that keeps any word from being
    dropped; what we sign may only use the pinned context documents."""
    contexts = credential.get("@context")
    entries = contexts if isinstance(contexts, list) else [contexts]
    return [
        ProblemItem(
            f"$['@context'][{index}]",
            "only the URLs of pinned contexts may be used, not inline context objects",
            {"code": "inline_context_refused"},
        )
        for index, entry in enumerate(entries)
        if not isinstance(entry, str)
    ]


def credential_problems(
    credential: Mapping[str, Any], *, signer_did: str, expand: bool = True
) -> list[ProblemItem]:
    """Everything that stops ``credential`` from being signed by ``signer_did``.

    ``expand=False`` skips the strict JSON-LD pass, for credentials this service built itself
    from checked parts: signing canonicalizes just as strictly and refuses the same things, so
    the pass would only repeat the work (it is most of the cost of an award).
    """
    inline = _inline_context_items(credential)
    if inline:
        return inline
    if expand:
        try:
            check_expands_strictly(credential, default_document_loader())
        except CredentialError as error:
            return _credential_error_items(error)
    if is_open_badge(credential):
        return _violation_items(ob3_violations(credential, signer_did=signer_did))
    if is_clr(credential):
        return _violation_items(clr_violations(credential, signer_did=signer_did))
    if is_endorsement(credential):
        return _violation_items(endorsement_violations(credential, signer_did=signer_did))
    return _violation_items(data_model_violations(credential, signer_did=signer_did))


class CredentialSigner:
    def __init__(self, session: Session, settings: Settings, keys: PrivateKeyCache) -> None:
        self.session = session
        self.identity = IssuerIdentity(session, settings)
        self.keys = keys

    def check(self, issuer: Issuer, credential: Mapping[str, Any], *, expand: bool = True) -> None:
        problems = credential_problems(
            credential, signer_did=self.identity.did(issuer), expand=expand
        )
        if problems:
            raise CredentialRejected(
                f"{len(problems)} problem(s) in the credential; nothing was signed", problems
            )

    def ensure_key(self, issuer: Issuer) -> None:
        """Refuse (503) before anything is written when the issuer's signing key cannot sign."""
        key, _method = self.identity.verification_method(issuer, "Ed25519")
        self.keys.get(key.private_key_file)

    def sign(
        self,
        issuer: Issuer,
        credential: Mapping[str, Any],
        *,
        created: datetime | None = None,
        built_here: bool = False,
    ) -> dict[str, Any]:
        """The credential with an eddsa-rdfc-2022 Data Integrity proof.

        ``built_here`` marks a credential this service assembled itself (see
        :func:`credential_problems`); it is still schema-checked and strictly canonicalized.
        """
        self.check(issuer, credential, expand=not built_here)
        key, method = self.identity.verification_method(issuer, "Ed25519")
        assert method is not None
        private_key = self.keys.get(key.private_key_file)
        assert isinstance(private_key, Ed25519PrivateKey)
        try:
            return sign_data_integrity(
                credential, private_key, method, created=created or datetime.now(UTC)
            )
        except CredentialError as error:
            raise CredentialRejected(
                "the credential cannot be canonicalized; nothing was signed",
                _credential_error_items(error),
            ) from error

    def sign_jwt(
        self, issuer: Issuer, credential: Mapping[str, Any], algorithm: JwtAlgorithm | None = None
    ) -> str:
        """The credential as a VC-JWT: RS256 where the issuer's RSA key is published (did:web),
        EdDSA otherwise."""
        self.check(issuer, credential)
        if algorithm is None:
            algorithm = "RS256" if self.identity.settings.uses_did_web else "EdDSA"
        key = self.identity.active_key(issuer, "RSA" if algorithm == "RS256" else "Ed25519")
        kid = self.identity.verification_method_id(issuer, key)
        if kid is None:
            raise CredentialRejected(
                "RS256 needs a did:web issuer (an https public base URL)",
                [ProblemItem("$.options.format", "use EdDSA", {"code": "algorithm_unavailable"})],
            )
        return encode_vc_jwt(
            credential, self.keys.get(key.private_key_file), kid=kid, algorithm=algorithm
        )
