"""Verifying a credential given as JSON-LD (Data Integrity proof) or as a VC-JWT.

Verification never raises on a bad credential: every step adds a named check to the report,
and a failed check makes ``verified`` false. Outcomes stay distinct: an expired credential whose
signature is genuine reports a passed proof and a failed validity check, not "invalid".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.clr import clr_violations, embedded_credentials, is_clr
from app.credentials.data_integrity import parse_date_time_stamp
from app.credentials.document_loader import default_document_loader
from app.credentials.eddsa_rdfc_2022 import verify as verify_data_integrity
from app.credentials.endorsement import endorsement_violations, is_endorsement
from app.credentials.errors import CredentialError, KeyResolutionFailed, LimitExceeded
from app.credentials.jsonld import check_expands_strictly
from app.credentials.jwk import PublicKey
from app.credentials.ob3 import is_open_badge, issuer_id, ob3_violations
from app.credentials.vc_jwt import JwtCheck, JwtCode, verify_vc_jwt
from app.verifier.keys import KEY_UNAVAILABLE, KeyResolutionError, KeyResolver
from app.verifier.limits import MAX_EMBEDDED_CREDENTIALS, too_many_proofs
from app.verifier.report import Outcome, Verdict, VerificationReport
from app.verifier.status import SameIssuer, StatusListSource, check_status, identical


@dataclass
class _IssuerKeys:
    """Resolves keys for one credential and remembers what happened, for the report."""

    resolver: KeyResolver
    issuer: str | None
    same_issuer: SameIssuer = identical
    outcomes: list[tuple[str, str | None, str]] = field(default_factory=list)

    def public_key(self, method_id: str) -> PublicKey:
        try:
            resolved = self.resolver.assertion_key(method_id)
        except KeyResolutionError as error:
            self.outcomes.append((method_id, error.code, error.message))
            raise KeyResolutionFailed(error.message) from error
        if not self.same_issuer(resolved.controller, self.issuer):
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

    @property
    def unavailable(self) -> str | None:
        """Why the key could not be had for now, when that is what stopped the check."""
        for _method, code, message in self.outcomes:
            if code is not None:
                return message if code == KEY_UNAVAILABLE else None
        return None

    def report_into(self, report: VerificationReport) -> None:
        if not self.outcomes:
            return
        for _method, code, message in self.outcomes:
            if code is not None:
                outcome = Outcome.UNKNOWN if code == KEY_UNAVAILABLE else Outcome.FAILED
                report.add("issuer_key", outcome, message, code)
                return
        report.add("issuer_key", Outcome.PASSED, self.outcomes[-1][2])

    def report_unchecked_proof(self, report: VerificationReport) -> bool:
        """The proof as unknown when the key could not be had for now; False otherwise."""
        reason = self.unavailable
        if reason is None:
            return False
        report.add(
            "proof",
            Outcome.UNKNOWN,
            f"the signature could not be checked: {reason}",
            KEY_UNAVAILABLE,
        )
        return True


def _check_document(report: VerificationReport, credential: Mapping[str, Any]) -> bool:
    try:
        check_expands_strictly(credential, default_document_loader())
    except CredentialError as error:
        report.add("jsonld", Outcome.FAILED, error.message, error.code)
        if isinstance(error, LimitExceeded):
            report.credential = None  # too deep or too big to hand back (or to render)
        return False
    report.add("jsonld", Outcome.PASSED, "expands with the pinned contexts, nothing dropped")
    _check_schema(report, credential)
    return True


def _check_schema(report: VerificationReport, credential: Mapping[str, Any]) -> None:
    if is_open_badge(credential):
        violations, schema = ob3_violations(credential, signer_did=None), "Open Badges 3.0"
    elif is_clr(credential):
        violations = clr_violations(credential, signer_did=None)
        schema = "CLR 2.0"
    elif is_endorsement(credential):
        violations = endorsement_violations(credential, signer_did=None)
        schema = "Open Badges 3.0 EndorsementCredential"
    else:
        report.add(
            "schema",
            Outcome.SKIPPED,
            "not an Open Badge, a CLR or an endorsement; no 1EdTech schema applies",
        )
        return
    if violations:
        first = violations[0]
        report.add(
            "schema",
            Outcome.FAILED,
            f"{len(violations)} problem(s); first at {first.path}: {first.message}",
            first.code,
        )
    else:
        report.add("schema", Outcome.PASSED, f"valid against the {schema} schema")


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
    same_issuer: SameIssuer,
) -> None:
    """A status list may be signed by any key of the credential's issuer, under any of its
    names (``same_issuer``): on a did:key instance a list outlives a key rotation."""
    keys = _IssuerKeys(resolver, issuer_id(credential), same_issuer)
    check_status(
        report,
        credential,
        lists=lists,
        list_key=keys.ed25519_key,
        now=now,
        same_issuer=same_issuer,
    )


RecordsCheck = Callable[[VerificationReport], None]


def verify_credential(
    credential: Any,
    resolver: KeyResolver,
    *,
    status_lists: StatusListSource | None = None,
    now: datetime | None = None,
    records: RecordsCheck | None = None,
    same_issuer: SameIssuer = identical,
) -> VerificationReport:
    """Verify a credential: a JSON object with proofs, or a VC-JWT string; for a CLR, also
    every credential it carries.

    ``status_lists`` dereferences a status list URL to its list credential (``None`` when it
    cannot); without it, a credential's status is reported as unknown. ``records`` adds what
    the caller's own records say to the report of each credential whose document could be read.
    ``same_issuer`` tells whether two issuer ids name one issuer (for status lists only: a
    credential's own proof must be by a key of the DID it names).
    """
    now = now or datetime.now(UTC)

    def verify_one(item: Any) -> VerificationReport:
        report = _verify_single(item, resolver, status_lists, now, same_issuer)
        if records is not None and _readable(report):
            records(report)
        return report

    report = verify_one(credential)
    if report.credential is not None and is_clr(report.credential) and _readable(report):
        _check_embedded(report, report.credential, verify_one)
    return report


def _readable(report: VerificationReport) -> bool:
    return report.credential is not None and not any(
        check.name in ("format", "jsonld") and check.outcome is Outcome.FAILED
        for check in report.checks
    )


def _check_embedded(
    report: VerificationReport,
    clr: Mapping[str, Any],
    verify_one: Callable[[Any], VerificationReport],
) -> None:
    """Each credential of a CLR verified on its own; the CLR holds only if all of them do."""
    items = embedded_credentials(clr)
    if len(items) > MAX_EMBEDDED_CREDENTIALS:
        report.add(
            "embedded",
            Outcome.FAILED,
            f"the CLR carries {len(items)} credentials; at most {MAX_EMBEDDED_CREDENTIALS} "
            "are checked, so none was",
            "too_many_credentials",
        )
        return
    for item in items:
        if isinstance(item, Mapping) and is_clr(item):
            nested = VerificationReport(format="ldp", credential=dict(item))
            nested.add("format", Outcome.FAILED, "a CLR inside a CLR is not checked", "nested_clr")
            report.embedded.append(nested)
        else:
            report.embedded.append(verify_one(item))
    failing = [
        (number, inner)
        for number, inner in enumerate(report.embedded, start=1)
        if not inner.verified
    ]
    if not failing:
        report.add(
            "embedded", Outcome.PASSED, f"all {len(items)} credentials in the record verified"
        )
        return
    number, first = failing[0]
    verdict = first.verdict
    name = _credential_name(first.credential)
    report.add(
        "embedded",
        Outcome.UNKNOWN if verdict is Verdict.UNKNOWN else Outcome.FAILED,
        f"{len(failing)} of {len(items)} credentials in the record did not verify; the first, "
        f"number {number}{name}, is {verdict.value}",
        f"embedded_{verdict.value.replace('-', '_')}",
    )


def _credential_name(credential: Mapping[str, Any] | None) -> str:
    name = None if credential is None else credential.get("name")
    return f" ({name})" if isinstance(name, str) and name else ""


def _verify_single(
    credential: Any,
    resolver: KeyResolver,
    status_lists: StatusListSource | None,
    now: datetime,
    same_issuer: SameIssuer,
) -> VerificationReport:
    if isinstance(credential, str):
        return _verify_jwt(credential.strip(), resolver, status_lists, now, same_issuer)
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
        elif not keys.report_unchecked_proof(report):
            report.add("proof", Outcome.FAILED, proof.message, proof.code)
    _check_validity(report, credential, now)
    _check_status(report, credential, resolver, status_lists, now, same_issuer)
    return report


def _verify_jwt(
    token: str,
    resolver: KeyResolver,
    status_lists: StatusListSource | None,
    now: datetime,
    same_issuer: SameIssuer,
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
    elif not any(keys.report_unchecked_proof(report) for keys in issuers.values()):
        report.add("proof", Outcome.FAILED, result.message or "refused", result.code)
    credential = result.credential
    if credential is None:
        if result.signature_verified:
            report.add("claims", Outcome.FAILED, result.message or "refused", result.code)
        return report
    report.credential = dict(credential)
    _check_document(report, credential)
    if not _report_token_clock(report, result):
        _check_validity(report, credential, now)
    _check_status(report, credential, resolver, status_lists, now, same_issuer)
    return report


_TOKEN_CLOCK_CODES = {
    JwtCode.EXPIRED.value: "expired",
    JwtCode.NOT_YET_VALID.value: "not_yet_valid",
}


def _report_token_clock(report: VerificationReport, result: JwtCheck) -> bool:
    """Report a token outside its ``nbf``/``exp`` window, whatever the credential says.

    RFC 7519 makes an expired JWT unacceptable even when the credential inside has no
    ``validUntil``; the core refuses it after the signature checked out, so it is a matter of
    validity (verdict expired or not yet valid), not of forgery. True when reported.
    """
    code = _TOKEN_CLOCK_CODES.get(result.code or "")
    if code is None:
        return False
    report.add("validity", Outcome.FAILED, result.message or code, code)
    return True
