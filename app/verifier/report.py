"""The verification report: named checks, each with an outcome, a stable code and a sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class Verdict(StrEnum):
    """The one-word answer a person reads first; the checks say why."""

    VALID = "valid"
    INVALID = "invalid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    UNKNOWN = "unknown"


_VERDICT_OF_CODE = {
    "superseded": Verdict.SUPERSEDED,
    "revoked": Verdict.REVOKED,
    "suspended": Verdict.SUSPENDED,
    "expired": Verdict.EXPIRED,
    "not_yet_valid": Verdict.NOT_YET_VALID,
}
_GENUINENESS_CHECKS = frozenset(
    {"format", "jsonld", "schema", "issuer_key", "proof", "claims", "achievement"}
)


class Basis(StrEnum):
    """Why the verifier recognises an issuer."""

    THIS_SERVICE = "this-service"
    TRUST_REGISTRY = "trust-registry"
    DOMAIN = "domain"


@dataclass(frozen=True)
class IssuerRecognition:
    """Who signed, as far as the verifier can tell: a valid signature says which key signed,
    not who holds it. ``name`` is what the credential calls its issuer (the signer's own
    claim); ``listed_name`` what this service's records or a trust registry call it."""

    id: str | None
    name: str | None
    recognised: bool = False
    basis: Basis | None = None
    registry: str | None = None
    listed_name: str | None = None
    domain: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "recognised": self.recognised,
            "basis": None if self.basis is None else self.basis.value,
            "registry": self.registry,
            "listedName": self.listed_name,
            "domain": self.domain,
        }


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    message: str
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"check": self.name, "outcome": self.outcome.value}
        if self.code:
            body["code"] = self.code
        body["message"] = self.message
        return body


@dataclass
class VerificationReport:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    format: str | None = None
    embedded: list[VerificationReport] = field(default_factory=list)
    """The reports of the credentials a CLR carries, in order."""
    issuer: IssuerRecognition | None = None
    """Whether the verifier recognises the issuer (set once the document could be read)."""

    def add(self, name: str, outcome: Outcome, message: str, code: str | None = None) -> None:
        self.checks.append(Check(name, outcome, message, code))

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(
            check.outcome in (Outcome.PASSED, Outcome.SKIPPED, Outcome.WARNING)
            for check in self.checks
        )

    @property
    def verdict(self) -> Verdict:
        """Invalid when the credential is not genuine; otherwise the most telling state
        (superseded before revoked, since a superseded credential's bit is set too), and
        unknown when a check could not be made."""
        failed = [check for check in self.checks if check.outcome is Outcome.FAILED]
        if not self.checks or any(check.name in _GENUINENESS_CHECKS for check in failed):
            return Verdict.INVALID
        codes = {(check.code or "").removeprefix("embedded_") for check in failed}
        for code, verdict in _VERDICT_OF_CODE.items():
            if code in codes:
                return verdict
        if failed:
            return Verdict.INVALID
        if any(check.outcome is Outcome.UNKNOWN for check in self.checks):
            return Verdict.UNKNOWN
        return Verdict.VALID

    def failures(self) -> list[Check]:
        return [
            check for check in self.checks if check.outcome in (Outcome.FAILED, Outcome.UNKNOWN)
        ]

    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.outcome is Outcome.WARNING]
