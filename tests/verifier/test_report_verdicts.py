"""``VerificationReport.verdict`` and ``verified``: the one word a person reads first, from the
checks alone (reports are built by hand; nothing is verified here).

Each verdict is reached, and the order between them holds: a credential that is not genuine is
``invalid`` whatever else is true of it; superseded wins over revoked (a superseded credential's
bit is set too), revoked over suspended and the validity period; a check that could not be made
makes the answer ``unknown``, never ``valid``; warnings and skipped checks leave it ``valid``.
"""

from __future__ import annotations

import pytest

from app.verifier.keys import KeyResolver
from app.verifier.report import Check, Outcome, Verdict, VerificationReport
from app.verifier.verify import verify_credential

GENUINE = [
    ("jsonld", Outcome.PASSED, None),
    ("schema", Outcome.PASSED, None),
    ("issuer_key", Outcome.PASSED, None),
    ("proof", Outcome.PASSED, None),
    ("validity", Outcome.PASSED, None),
]


def report(*checks: tuple[str, Outcome, str | None]) -> VerificationReport:
    built = VerificationReport(format="ldp")
    replaced = {name for name, _outcome, _code in checks}
    for name, outcome, code in [*(c for c in GENUINE if c[0] not in replaced), *checks]:
        built.add(name, outcome, f"{name} {outcome.value}", code)
    return built


def test_every_check_passed_is_valid():
    built = report(("status", Outcome.PASSED, None), ("records", Outcome.PASSED, None))
    assert (built.verdict, built.verified) == (Verdict.VALID, True)


def test_no_checks_at_all_is_invalid_and_not_verified():
    built = VerificationReport()
    assert (built.verdict, built.verified) == (Verdict.INVALID, False)


def test_warnings_and_skipped_checks_leave_it_valid():
    built = report(
        ("schema", Outcome.SKIPPED, None),
        ("status", Outcome.WARNING, "status_method_unsupported"),
        ("records", Outcome.WARNING, "not_in_records"),
    )
    assert (built.verdict, built.verified) == (Verdict.VALID, True)
    assert [check.code for check in built.warnings()] == [
        "status_method_unsupported",
        "not_in_records",
    ]
    assert built.failures() == []


@pytest.mark.parametrize("name", ["format", "jsonld", "schema", "issuer_key", "proof", "claims"])
def test_a_failed_genuineness_check_is_invalid(name):
    built = report((name, Outcome.FAILED, "anything"))
    assert (built.verdict, built.verified) == (Verdict.INVALID, False)


def test_a_forged_credential_is_invalid_even_if_its_bit_is_set():
    built = report(
        ("proof", Outcome.FAILED, "signature_invalid"), ("status", Outcome.FAILED, "revoked")
    )
    assert built.verdict is Verdict.INVALID


def test_a_set_revocation_bit_is_revoked():
    built = report(("status", Outcome.FAILED, "revoked"))
    assert (built.verdict, built.verified) == (Verdict.REVOKED, False)


def test_revoked_in_the_records_alone_is_revoked():
    built = report(("status", Outcome.PASSED, None), ("records", Outcome.FAILED, "revoked"))
    assert built.verdict is Verdict.REVOKED


def test_a_set_suspension_bit_is_suspended():
    built = report(("status", Outcome.FAILED, "suspended"))
    assert (built.verdict, built.verified) == (Verdict.SUSPENDED, False)


def test_a_replaced_credential_is_superseded_though_its_bit_is_set():
    built = report(("status", Outcome.FAILED, "revoked"), ("records", Outcome.FAILED, "superseded"))
    assert (built.verdict, built.verified) == (Verdict.SUPERSEDED, False)


def test_past_its_validuntil_is_expired():
    built = report(("validity", Outcome.FAILED, "expired"))
    assert (built.verdict, built.verified) == (Verdict.EXPIRED, False)


def test_before_its_validfrom_is_not_yet_valid():
    built = report(("validity", Outcome.FAILED, "not_yet_valid"))
    assert (built.verdict, built.verified) == (Verdict.NOT_YET_VALID, False)
    assert Verdict.NOT_YET_VALID.value == "not-yet-valid"


def test_revoked_wins_over_expired():
    built = report(("validity", Outcome.FAILED, "expired"), ("status", Outcome.FAILED, "revoked"))
    assert built.verdict is Verdict.REVOKED


def test_revoked_wins_over_suspended():
    built = report(("status", Outcome.FAILED, "suspended"), ("records", Outcome.FAILED, "revoked"))
    assert built.verdict is Verdict.REVOKED


def test_an_unreadable_date_is_invalid():
    built = report(("validity", Outcome.FAILED, "invalid_date"))
    assert built.verdict is Verdict.INVALID


def test_a_status_warning_leaves_the_credential_valid():
    built = report(("status", Outcome.WARNING, "status_set"))
    assert (built.verdict, built.verified) == (Verdict.VALID, True)


def test_a_status_that_could_not_be_checked_is_unknown():
    built = report(("status", Outcome.UNKNOWN, "status_unavailable"))
    assert (built.verdict, built.verified) == (Verdict.UNKNOWN, False)
    assert [check.code for check in built.failures()] == ["status_unavailable"]


def test_a_definite_state_wins_over_an_unknown_one():
    built = report(
        ("validity", Outcome.FAILED, "expired"), ("status", Outcome.UNKNOWN, "status_unavailable")
    )
    assert built.verdict is Verdict.EXPIRED


def test_unknown_never_hides_a_forgery():
    built = report(
        ("proof", Outcome.FAILED, "signature_invalid"),
        ("status", Outcome.UNKNOWN, "status_unavailable"),
    )
    assert built.verdict is Verdict.INVALID


def test_a_check_reads_as_json_without_an_empty_code():
    assert Check("proof", Outcome.PASSED, "ok").as_dict() == {
        "check": "proof",
        "outcome": "passed",
        "message": "ok",
    }
    assert Check("status", Outcome.UNKNOWN, "no list", "status_unavailable").as_dict() == {
        "check": "status",
        "outcome": "unknown",
        "code": "status_unavailable",
        "message": "no list",
    }


@pytest.mark.parametrize("value", [42, None, ["a", "list"]])
def test_something_that_is_no_credential_fails_the_format_check(value):
    """The API only hands over objects and strings; the verifier still refuses anything else."""
    built = verify_credential(value, KeyResolver())
    assert [(check.name, check.outcome, check.code) for check in built.checks] == [
        ("format", Outcome.FAILED, "not_json")
    ]
    assert (built.verdict, built.verified, built.credential) == (Verdict.INVALID, False, None)
