"""Verifying a credential given as JSON-LD (Data Integrity proof) or as a VC-JWT.

Verification never raises on a bad credential: every step adds a named check to the report,
and a failed check makes ``verified`` false. Outcomes stay distinct: an expired credential whose
signature is genuine reports a passed proof and a failed validity check, not "invalid".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.data_integrity import parse_date_time_stamp
from app.credentials.document_loader import default_document_loader
from app.credentials.eddsa_rdfc_2022 import verify as verify_data_integrity
from app.credentials.errors import CredentialError, KeyResolutionFailed, LimitExceeded
from app.credentials.jsonld import check_expands_strictly
from app.credentials.jwk import PublicKey
from app.credentials.ob3 import is_open_badge, issuer_id, ob3_violations
from app.credentials.vc_jwt import verify_vc_jwt
from app.verifier.keys import KeyResolutionError, KeyResolver
from app.verifier.limits import too_many_proofs
from app.verifier.report import Outcome, VerificationReport
from app.verifier.status import StatusListSource, check_status


@dataclass
class _IssuerKeys:
    """Resolves keys for one credential and remembers what happened, for the report."""

    resolver: KeyResolver
    issuer: str | None
    outcomes: list[tuple[str, str | None, str]] = field(default_factory=list)

    def public_key(self, method_id: str) -> PublicKey:
        try:
            resolved = self.resolver.assertion_key(method_id)
        except KeyResolutionError as error:
            self.outcomes.append((method_id, error.code, error.message))
            raise KeyResolutionFailed(error.message) from error
        if resolved.controller != self.issuer:
            message = f"{method_id} belongs to {resolved.controller}, not the issuer {self.issuer}"
            self.outcomes.append((method_id, "key_not_issuers", message))
            raise KeyResolutionFailed(message)
        self.outcomes.append((method_id, None, f"{method_id} is an assertion key of the issuer"))
        return resolved.public_key

    def ed25519_key(self, method_id: str) -> Ed25519PublicKey:
        key = self.public_key(method_id)
        if not isinstance(key, Ed25519PublicKey):
            raise KeyResolutionFailed(f"{method_id} is not an Ed25519 key")
        return key

    def report_into(self, report: VerificationReport) -> None:
        if not self.outcomes:
            return
        for _method, code, message in self.outcomes:
            if code is not None:
                report.add("issuer_key", Outcome.FAILED, message, code)
                return
        report.add("issuer_key", Outcome.PASSED, self.outcomes[-1][2])


def _check_document(report: VerificationReport, credential: Mapping[str, Any]) -> bool:
    try:
        check_expands_strictly(credential, default_document_loader())
    except CredentialError as error:
        report.add("jsonld", Outcome.FAILED, error.message, error.code)
        if isinstance(error, LimitExceeded):
            report.credential = None  # too deep or too big to hand back (or to render)
        return False
    report.add("jsonld", Outcome.PASSED, "expands with the pinned contexts, nothing dropped")
    if is_open_badge(credential):
        violations = ob3_violations(credential, signer_did=None)
        if violations:
            first = violations[0]
            report.add(
                "schema",
                Outcome.FAILED,
                f"{len(violations)} problem(s); first at {first.path}: {first.message}",
                first.code,
            )
        else:
            report.add("schema", Outcome.PASSED, "valid against the Open Badges 3.0 schema")
    else:
        report.add("schema", Outcome.SKIPPED, "not an Open Badge; no 1EdTech schema applies")
    return True


def _check_validity(
    report: VerificationReport, credential: Mapping[str, Any], now: datetime
) -> None:
    try:
        valid_from = credential.get("validFrom") or credential.get("issuanceDate")
        valid_until = credential.get("validUntil") or credential.get("expirationDate")
        start = parse_date_time_stamp(valid_from, "validFrom") if valid_from else None
        end = parse_date_time_stamp(valid_until, "validUntil") if valid_until else None
    except CredentialError as error:
        report.add("validity", Outcome.FAILED, error.message, "invalid_date")
        return
    if start is not None and now < start:
        report.add("validity", Outcome.FAILED, f"not valid before {valid_from}", "not_yet_valid")
    elif end is not None and now >= end:
        report.add("validity", Outcome.FAILED, f"expired at {valid_until}", "expired")
    else:
        report.add("validity", Outcome.PASSED, "within its validity period")


def _check_status(
    report: VerificationReport,
    credential: Mapping[str, Any],
    resolver: KeyResolver,
    lists: StatusListSource | None,
    now: datetime,
) -> None:
    keys = _IssuerKeys(resolver, issuer_id(credential))
    check_status(report, credential, lists=lists, list_key=keys.ed25519_key, now=now)


def verify_credential(
    credential: Any,
    resolver: KeyResolver,
    *,
    status_lists: StatusListSource | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify a credential: a JSON object with proofs, or a VC-JWT string.

    ``status_lists`` dereferences a status list URL to its list credential (``None`` when it
    cannot); without it, a credential's status is reported as unknown.
    """
    now = now or datetime.now(UTC)
    if isinstance(credential, str):
        return _verify_jwt(credential.strip(), resolver, status_lists, now)
    report = VerificationReport(format="ldp")
    if not isinstance(credential, Mapping):
        report.add(
            "format", Outcome.FAILED, "a credential is a JSON object or a VC-JWT", "not_json"
        )
        return report
    report.credential = dict(credential)
    if not _check_document(report, credential):
        return report
    refusal = too_many_proofs(credential)
    if refusal is not None:
        report.add("proof", Outcome.FAILED, f"the credential {refusal}", "too_many_proofs")
    else:
        keys = _IssuerKeys(resolver, issuer_id(credential))
        proof = verify_data_integrity(credential, resolve_key=keys.ed25519_key, now=now)
        keys.report_into(report)
        if proof.verified:
            report.add("proof", Outcome.PASSED, proof.message)
        else:
            report.add("proof", Outcome.FAILED, proof.message, proof.code)
    _check_validity(report, credential, now)
    _check_status(report, credential, resolver, status_lists, now)
    return report


def _verify_jwt(
    token: str, resolver: KeyResolver, status_lists: StatusListSource | None, now: datetime
) -> VerificationReport:
    report = VerificationReport(format="jwt")
    issuers: dict[str, _IssuerKeys] = {}

    def resolve(kid: str, issuer: str) -> PublicKey | None:
        keys = issuers.setdefault(issuer, _IssuerKeys(resolver, issuer))
        try:
            return keys.public_key(kid)
        except KeyResolutionFailed:
            return None

    result = verify_vc_jwt(token, resolve_key=resolve, now=now)
    for keys in issuers.values():
        keys.report_into(report)
    if result.signature_verified:
        report.add("proof", Outcome.PASSED, "the JWT signature is valid")
    else:
        report.add("proof", Outcome.FAILED, result.message or "refused", result.code)
    credential = result.credential
    if credential is None:
        if result.signature_verified:
            report.add("claims", Outcome.FAILED, result.message or "refused", result.code)
        return report
    report.credential = dict(credential)
    _check_document(report, credential)
    _check_validity(report, credential, now)
    _check_status(report, credential, resolver, status_lists, now)
    return report
