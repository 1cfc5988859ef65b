"""The status check on credentials that name a 1EdTech revocation list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.credentials.status_list import revocation_list_document, revocation_list_entry
from app.verifier.report import Check, Outcome, VerificationReport
from app.verifier.status import check_status

LIST_URL = "https://issuer.example.org/issuers/d7/revocations"
ISSUER = "did:web:issuer.example.org"
CREDENTIAL: dict[str, Any] = {
    "id": "https://issuer.example.org/credentials/abc",
    "issuer": {"id": ISSUER, "type": ["Profile"]},
    "credentialStatus": revocation_list_entry(LIST_URL),
}


def status_of(credential: dict[str, Any], served: dict[str, Any] | None) -> Check:
    report = VerificationReport()

    def no_key(method: str) -> Any:
        raise AssertionError("a revocation list has no proof to verify")

    check_status(
        report,
        credential,
        lists=lambda url: served if url == LIST_URL else None,
        list_key=no_key,
        now=datetime.now(UTC),
    )
    [check] = report.checks
    return check


def test_a_credential_absent_from_the_list_passes():
    served = revocation_list_document(LIST_URL, ISSUER, [("https://other/credentials/x", None)])
    assert status_of(CREDENTIAL, served).outcome is Outcome.PASSED


def test_a_listed_credential_is_revoked():
    served = revocation_list_document(LIST_URL, ISSUER, [(CREDENTIAL["id"], "error")])
    check = status_of(CREDENTIAL, served)
    assert (check.outcome, check.code) == (Outcome.FAILED, "revoked")


def test_an_entry_marked_not_revoked_passes():
    served = {
        "id": LIST_URL,
        "issuer": ISSUER,
        "revokedCredentials": [{"id": CREDENTIAL["id"], "revoked": False}],
    }
    assert status_of(CREDENTIAL, served).outcome is Outcome.PASSED


def test_a_list_that_cannot_be_had_is_unknown_not_valid():
    check = status_of(CREDENTIAL, None)
    assert (check.outcome, check.code) == (Outcome.UNKNOWN, "status_unavailable")


def test_another_issuers_list_is_not_trusted():
    served = revocation_list_document(LIST_URL, "did:web:elsewhere.example", [])
    check = status_of(CREDENTIAL, served)
    assert (check.outcome, check.code) == (Outcome.UNKNOWN, "status_list_foreign")


def test_a_list_with_another_id_is_unknown():
    served = revocation_list_document("https://issuer.example.org/other", ISSUER, [])
    check = status_of(CREDENTIAL, served)
    assert (check.outcome, check.code) == (Outcome.UNKNOWN, "revocation_list_mismatch")


def test_a_malformed_list_is_unknown():
    served = {"id": LIST_URL, "issuer": ISSUER, "revokedCredentials": "none"}
    check = status_of(CREDENTIAL, served)
    assert (check.outcome, check.code) == (Outcome.UNKNOWN, "revocation_list_malformed")


def test_a_credential_without_an_id_cannot_be_looked_up():
    served = revocation_list_document(LIST_URL, ISSUER, [])
    credential = {key: value for key, value in CREDENTIAL.items() if key != "id"}
    check = status_of(credential, served)
    assert (check.outcome, check.code) == (Outcome.UNKNOWN, "status_entry_malformed")
