"""A learner's record as transcript rows: one row per current badge, for people (the printable
page) and for student information systems (CSV and JSON exports).

The columns are documented in :data:`COLUMNS`; a CSV export writes them in that order with a
header row. Student ids appear only in the authenticated exports, never on a public page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode

from app.catalog.achievement import cpe_result_ids
from app.records.learner_records import LearnerRecord, RecordEntry
from app.settings import Settings

COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("learnerId", "The learner's id in this service"),
    ("studentId", "The student id the issuer sent with the award (empty when none)"),
    ("learnerName", "The learner's name as the issuer sent it"),
    ("issuer", "Slug of the issuing organisation"),
    ("issuerName", "Name of the issuing organisation"),
    ("badgeCode", "The badge's code, e.g. M101"),
    ("badgeName", "The badge's title"),
    ("pathway", "The pathway the badge belongs to"),
    ("awardedDate", "Date awarded, YYYY-MM-DD (UTC)"),
    ("validUntil", "Date the credential expires, YYYY-MM-DD (UTC); empty when it does not"),
    ("cpesDemonstrated", "Codes of the CPEs the learner demonstrated, separated by '; '"),
    ("cpesInProgress", "Codes of the CPEs recorded as not yet demonstrated, separated by '; '"),
    ("cpeCount", "How many CPEs the badge has"),
    ("achievementVersion", "The badge definition's version the award was made under"),
    ("awardId", "The award's id in this service's API"),
    ("credentialUrl", "The credential's id: its public page and JSON-LD"),
    ("verifyUrl", "A link that verifies the credential in one click"),
    ("achievementUrl", "The badge definition (an Open Badges 3.0 Achievement)"),
)
COLUMN_NAMES: Final = tuple(name for name, _description in COLUMNS)


@dataclass(frozen=True)
class CpeResult:
    code: str
    text: str | None
    demonstrated: bool


@dataclass(frozen=True)
class TranscriptRow:
    entry: RecordEntry
    credential_url: str
    verify_url: str
    achievement_url: str
    results: tuple[CpeResult, ...]

    @property
    def demonstrated(self) -> list[str]:
        return [result.code for result in self.results if result.demonstrated]

    @property
    def in_progress(self) -> list[str]:
        return [result.code for result in self.results if not result.demonstrated]


def _results(entry: RecordEntry, achievement_url: str) -> tuple[CpeResult, ...]:
    """The CPE results the credential records, in the badge's CPE order."""
    subject = entry.award.credential.get("credentialSubject", {})
    recorded = subject.get("result") if isinstance(subject, Mapping) else None
    statuses = {
        str(item.get("resultDescription")): item.get("status")
        for item in (recorded if isinstance(recorded, list) else [])
        if isinstance(item, Mapping)
    }
    results = []
    for cpe in entry.badge.cpes:
        status = statuses.get(cpe_result_ids(achievement_url, cpe.code).result_description)
        if status is not None:
            results.append(CpeResult(cpe.code, cpe.text, status == "Completed"))
    return tuple(results)


def transcript_rows(record: LearnerRecord, settings: Settings) -> list[TranscriptRow]:
    """The record's rows, by pathway, then badge code."""
    rows = []
    for entry in sorted(record.entries, key=lambda item: (item.badge.pathway, item.badge.id)):
        achievement_url = str(entry.award.credential["credentialSubject"]["achievement"]["id"])
        rows.append(
            TranscriptRow(
                entry=entry,
                credential_url=entry.url,
                verify_url=f"{settings.public_base_url}/verify?{urlencode({'url': entry.url})}",
                achievement_url=achievement_url,
                results=_results(entry, achievement_url),
            )
        )
    return rows


def _date(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d")


def _flat(record: LearnerRecord, row: TranscriptRow) -> dict[str, Any]:
    entry, learner = row.entry, record.learner
    return {
        "learnerId": learner.public_id,
        "studentId": learner.student_id or "",
        "learnerName": learner.display_name or "",
        "issuer": entry.issuer.slug,
        "issuerName": entry.issuer.name,
        "badgeCode": entry.badge.id,
        "badgeName": entry.badge.title,
        "pathway": entry.badge.pathway,
        "awardedDate": _date(entry.award.awarded_at),
        "validUntil": _date(entry.award.valid_until),
        "cpesDemonstrated": "; ".join(row.demonstrated),
        "cpesInProgress": "; ".join(row.in_progress),
        "cpeCount": len(entry.badge.cpes),
        "achievementVersion": entry.award.achievement_version,
        "awardId": entry.award.uid,
        "credentialUrl": row.credential_url,
        "verifyUrl": row.verify_url,
        "achievementUrl": row.achievement_url,
    }


def transcript_csv(records: Sequence[tuple[LearnerRecord, Sequence[TranscriptRow]]]) -> str:
    """The rows of one or more records as CSV (RFC 4180, CRLF line ends) with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for record, rows in records:
        for row in rows:
            writer.writerow(_flat(record, row))
    return out.getvalue()


def transcript_json(record: LearnerRecord, rows: Sequence[TranscriptRow]) -> dict[str, Any]:
    """The record as JSON: the same columns per badge, with the CPE results spelled out."""
    return {
        "learnerId": record.learner.public_id,
        "issuer": record.issuer.slug,
        "scope": record.scope,
        "asOf": record.as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "badges": [
            {
                **_flat(record, row),
                "cpesDemonstrated": row.demonstrated,
                "cpesInProgress": row.in_progress,
                "cpes": [
                    {"code": result.code, "text": result.text, "demonstrated": result.demonstrated}
                    for result in row.results
                ],
            }
            for row in rows
        ],
    }
