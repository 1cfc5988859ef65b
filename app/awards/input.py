"""What a platform sends to award a badge, validated strictly (unknown fields are refused).

The same models serve the single and batch APIs and the CSV import, so a row means the same
thing whichever way it arrives.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.credentials.ob3 import normalized_email

EARLIEST_AWARD = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_VALID_UNTIL = datetime(2200, 1, 1, tzinfo=UTC)
FUTURE_SKEW = timedelta(minutes=5)

_EMAIL = re.compile(
    r"^[^@\s\"<>(),;:\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$"
)
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Recipient(_Strict):
    """At least one of email, studentId and did; the name is what public pages may show."""

    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None
    student_id: Text | None = Field(default=None, alias="studentId")
    did: Annotated[str, StringConstraints(max_length=2000)] | None = None
    name: Text | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _EMAIL.fullmatch(value):
            raise ValueError("is not an email address")
        return normalized_email(value)

    @field_validator("did")
    @classmethod
    def _did(cls, value: str | None) -> str | None:
        if value is not None and not _DID.fullmatch(value):
            raise ValueError("is not a DID (did:<method>:<identifier>)")
        return value

    @model_validator(mode="after")
    def _identified(self) -> Recipient:
        if not (self.email or self.student_id or self.did):
            raise ValueError("name the learner by email, studentId or did")
        return self


class ResultInput(_Strict):
    """Mastery of one CPE: its code (or ResultDescription id) and the level reached."""

    cpe: Text
    level: Literal["demonstrated", "not-yet"]


class EvidenceInput(_Strict):
    """A portfolio artifact. Only public evidence goes into the credential."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
    name: Text | None = None
    description: LongText | None = None
    narrative: LongText | None = None
    genre: Text | None = None
    audience: Text | None = None
    public: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not _HTTP_URL.fullmatch(value):
            raise ValueError("must be an http(s) URL")
        return value


class AwardInput(_Strict):
    achievement: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]
    recipient: Recipient
    issuer: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Slug of the awarding issuer; the client's own by default"
    )
    results: list[ResultInput] = Field(default_factory=list, max_length=50)
    evidence: list[EvidenceInput] = Field(default_factory=list, max_length=50)
    narrative: LongText | None = None
    awarded_date: datetime | None = Field(default=None, alias="awardedDate")
    valid_until: datetime | None = Field(default=None, alias="validUntil")
    source_award_id: Text | None = Field(default=None, alias="sourceAwardId")

    @field_validator("awarded_date", "valid_until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone (for example 2026-05-01T00:00:00Z)")
        return value

    @model_validator(mode="after")
    def _dates(self) -> AwardInput:
        now = datetime.now(UTC)
        awarded = self.awarded_date or now
        if self.awarded_date is not None and not (
            EARLIEST_AWARD <= self.awarded_date <= now + FUTURE_SKEW
        ):
            raise ValueError("awardedDate must lie between 2000-01-01 and now")
        if self.valid_until is not None and not (awarded < self.valid_until < LATEST_VALID_UNTIL):
            raise ValueError("validUntil must come after awardedDate (and before 2200)")
        cpes = [result.cpe for result in self.results]
        if len(set(cpes)) != len(cpes):
            raise ValueError("each CPE may have one result only")
        return self

    def fingerprint(self) -> str:
        """SHA-256 of the request's meaning: a retry with the same content has the same one."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
