"""Awards from a spreadsheet: one CSV row per award, checked first, issued idempotently.

Columns (a header row names them; order is free, unknown columns are refused):
``student_id``, ``email``, ``name``, ``badge`` (humanCode), ``date`` (awarded date, ISO 8601:
``2026-05-01`` or a full date-time), ``results`` (``101a:demonstrated;101b:not-yet``),
``evidence_url``, and optional ``source_award_id``. Without ``source_award_id`` a row is
named by its badge and learner, so importing the same file again issues nothing new.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.issuer.award_input import AwardInput
from app.issuer.awards import Actor, AwardService
from app.problems import Problem, ProblemItem, validation_items

COLUMNS = frozenset(
    {"student_id", "email", "name", "badge", "date", "results", "evidence_url", "source_award_id"}
)
MAX_ROWS = 10_000


@dataclass
class CsvRow:
    line: int
    data: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


@dataclass
class CsvSummary:
    rows: int = 0
    issued: int = 0
    already_issued: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


class CsvFormatError(Problem):
    status, code, title = 422, "csv-invalid", "The CSV file cannot be read"


def _results(text: str) -> list[dict[str, str]]:
    results = []
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        cpe, _, level = part.partition(":")
        results.append({"cpe": cpe.strip(), "level": level.strip()})
    return results


def _row_to_award(row: dict[str, str]) -> dict[str, Any]:
    def cell(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    recipient = {
        key: value
        for key, value in (
            ("studentId", cell("student_id")),
            ("email", cell("email")),
            ("name", cell("name")),
        )
        if value is not None
    }
    award: dict[str, Any] = {"achievement": cell("badge") or "", "recipient": recipient}
    date = cell("date")
    if date is not None:
        award["awardedDate"] = date if "T" in date else f"{date}T00:00:00Z"
    if cell("results"):
        award["results"] = _results(row["results"])
    if cell("evidence_url"):
        award["evidence"] = [{"url": cell("evidence_url")}]
    learner = cell("student_id") or (cell("email") or "").lower()
    award["sourceAwardId"] = cell("source_award_id") or (
        "csv-" + hashlib.sha256(f"{award['achievement']}|{learner}".encode()).hexdigest()[:32]
    )
    return award


def read_rows(text: str) -> Iterator[CsvRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    unknown = sorted(set(header) - COLUMNS)
    if not header or unknown or "badge" not in header:
        raise CsvFormatError(
            "the header row must name the columns "
            + ", ".join(sorted(COLUMNS))
            + (f"; unknown: {', '.join(unknown)}" if unknown else "; 'badge' is required"),
        )
    reader.fieldnames = header
    for count, row in enumerate(reader, start=1):
        if count > MAX_ROWS:
            raise CsvFormatError(f"at most {MAX_ROWS} rows per file")
        if None in row:
            yield CsvRow(reader.line_num, None, ["more cells than header columns"])
            continue
        yield CsvRow(reader.line_num, _row_to_award(row))


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        items = validation_items(error.errors())
    else:
        assert isinstance(error, Problem)
        items = error.errors or [ProblemItem("$", error.detail)]
    return [f"{item.location.removeprefix('$.')}: {item.message}" for item in items]


def import_csv(
    service: AwardService,
    text: str,
    actor: Actor,
    *,
    dry_run: bool,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> CsvSummary:
    """Check every row; then, unless ``dry_run``, issue the good ones one by one."""
    rows = list(read_rows(text))
    summary = CsvSummary(rows=len(rows))
    checked: list[tuple[int, AwardInput]] = []
    for row in rows:
        if row.data is None:
            summary.problems += [f"line {row.line}: {problem}" for problem in row.problems]
            continue
        try:
            request = AwardInput.model_validate(row.data)
            service.check(request, actor)
        except (ValidationError, Problem) as error:
            if isinstance(error, Problem) and error.status >= 500:
                raise
            summary.problems += [f"line {row.line}: {message}" for message in _messages(error)]
            continue
        checked.append((row.line, request))
    summary.failed = summary.rows - len(checked)
    if dry_run:
        return summary
    for done, (line, request) in enumerate(checked, start=1):
        try:
            outcome = service.award(request, actor)
        except Problem as problem:
            service.session.rollback()
            summary.failed += 1
            summary.problems += [f"line {line}: {message}" for message in _messages(problem)]
        else:
            if outcome.status_code == 201:
                summary.issued += 1
            else:
                summary.already_issued += 1
        progress(done, len(checked))
    return summary
