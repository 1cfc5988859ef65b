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

    def add(self, name: str, outcome: Outcome, message: str, code: str | None = None) -> None:
        self.checks.append(Check(name, outcome, message, code))

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(
            check.outcome in (Outcome.PASSED, Outcome.SKIPPED, Outcome.WARNING)
            for check in self.checks
        )

    def failures(self) -> list[Check]:
        return [
            check for check in self.checks if check.outcome in (Outcome.FAILED, Outcome.UNKNOWN)
        ]

    def warnings(self) -> list[Check]:
        return [check for check in self.checks if check.outcome is Outcome.WARNING]
