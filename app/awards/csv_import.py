"""Awards from a spreadsheet: one CSV row per award, checked first, issued idempotently.

A header row names the columns (:data:`CSV_COLUMNS`; order is free, unknown columns are
refused). Without ``source_award_id`` a row is named by its badge and learner, so importing the
same file again issues nothing new.

Each row becomes the award API's input, so the API's checks apply unchanged; their problems
come back located in the API's terms (``$.achievement``, ``$.results[0].level``) and are told
back in the file's: its physical line (the header is line 1), its column and its cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.awards.input import AwardInput
from app.awards.service import Actor, AwardService, SourceAwardConflict
from app.problems import Problem, ProblemItem, validation_items


@dataclass(frozen=True)
class CsvColumn:
    name: str
    api_field: str
    """Where the cell goes in the award API's input (a JSON path below ``$``)."""
    meaning: str
    required: bool = False


CSV_COLUMNS = (
    CsvColumn("badge", "achievement", "the badge's code, e.g. M101", required=True),
    CsvColumn("student_id", "recipient.studentId", "the learner's student id"),
    CsvColumn("email", "recipient.email", "the learner's email (student_id or email is needed)"),
    CsvColumn("name", "recipient.name", "the learner's name, as public pages show it"),
    CsvColumn("date", "awardedDate", "awarded on, ISO 8601: 2026-05-01 or a full date-time"),
    CsvColumn("results", "results", "CPE levels, e.g. 101a:demonstrated;101b:not-yet"),
    CsvColumn("evidence_url", "evidence", "a public http(s) link to the portfolio artifact"),
    CsvColumn(
        "source_award_id",
        "sourceAwardId",
        "your id for the award (default: the badge and learner name the row)",
    ),
)
COLUMNS = frozenset(column.name for column in CSV_COLUMNS)
REQUIRED_COLUMNS = tuple(column.name for column in CSV_COLUMNS if column.required)
MAX_ROWS = 10_000


@dataclass
class CsvRow:
    line: int
    """The physical line of the file the row starts on; the header is line 1."""
    data: dict[str, Any] | None
    cells: dict[str, str] = field(default_factory=dict)
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
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    unknown = sorted(set(header) - COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if not header or unknown or missing:
        raise CsvFormatError(
            "the header row must name the columns "
            + ", ".join(column.name for column in CSV_COLUMNS)
            + (
                f"; unknown: {', '.join(unknown)}"
                if unknown
                else f"; required: {', '.join(REQUIRED_COLUMNS)}"
            ),
        )
    count = 0
    while True:
        line = reader.line_num + 1
        cells = next(reader, None)
        if cells is None:
            return
        if not cells:
            continue
        count += 1
        if count > MAX_ROWS:
            raise CsvFormatError(f"at most {MAX_ROWS} rows per file")
        if len(cells) > len(header):
            yield CsvRow(line, None, problems=["more cells than header columns"])
            continue
        row = dict(zip(header, cells, strict=False))
        yield CsvRow(line, _row_to_award(row), row)


_API_WORDS = {
    "achievement": "badge",
    "studentId": "student_id",
    "awardedDate": "date",
    "sourceAwardId": "source_award_id",
}
_RESULT_ITEM = re.compile(r"^results\[(\d+)\]\.(cpe|level)$")


def _column(location: str) -> CsvColumn | None:
    for column in CSV_COLUMNS:
        if re.match(rf"^{re.escape(column.api_field)}(?:$|[.\[])", location):
            return column
    return None


def _in_csv_words(message: str) -> str:
    for api_word, csv_word in _API_WORDS.items():
        message = re.sub(rf"\b{api_word}\b", csv_word, message)
    return message


def _about_cell(value: str, message: str) -> str:
    if not value and message.startswith("String should have at least 1"):
        return "is empty"
    if message.startswith("Input should be "):
        return f"{value!r} should be {message.removeprefix('Input should be ')}"
    if message.startswith(("is ", "must ", "needs ")):
        return f"{value!r} {message}"
    return message


def _csv_problem(item: ProblemItem, cells: dict[str, str]) -> str:
    """One problem in the file's words: ``column badge: unknown badge 'M999'``."""
    location = item.location.removeprefix("$").removeprefix(".")
    message = item.message.removeprefix("Value error, ")
    if location == "recipient" and message.startswith("name the learner"):
        return "no learner: fill in student_id or email"
    column = _column(location)
    if column is None:
        return _in_csv_words(message)
    value = (cells.get(column.name) or "").strip()
    code = item.extra.get("code")
    if code == "unknown":
        message = f"unknown badge {value!r}"
    elif code == "not_awardable":
        message = f"badge {value!r} belongs to another issuer"
    elif (result := _RESULT_ITEM.match(location)) and code is None:
        part = _results(value)[int(result.group(1))]
        entry = f"{part['cpe']}:{part['level']}"
        message = f"in {entry!r}, the {result.group(2)} " + _about_cell(
            part[result.group(2)], message
        ).removeprefix(f"{part[result.group(2)]!r} ")
    else:
        message = _about_cell(value, message)
    return f"column {column.name}: {_in_csv_words(message)}"


def _messages(error: Exception, cells: dict[str, str]) -> list[str]:
    if isinstance(error, SourceAwardConflict):
        award = error.errors[0].message if error.errors else "another award"
        where = "column source_award_id: " if (cells.get("source_award_id") or "").strip() else ""
        return [f"{where}already imported as {award} with other content; reissue it to change it"]
    if isinstance(error, ValidationError):
        items = validation_items(error.errors())
    else:
        assert isinstance(error, Problem)
        items = error.errors or [ProblemItem("$", error.detail)]
    return [_csv_problem(item, cells) for item in items]


def _at(line: int, message: str) -> str:
    return f"line {line}, {message}" if message.startswith("column ") else f"line {line}: {message}"


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
    checked: list[tuple[CsvRow, AwardInput]] = []
    for row in rows:
        if row.data is None:
            summary.problems += [_at(row.line, problem) for problem in row.problems]
            continue
        try:
            request = AwardInput.model_validate(row.data)
            service.check(request, actor)
        except (ValidationError, Problem) as error:
            if isinstance(error, Problem) and error.status >= 500:
                raise
            summary.problems += [_at(row.line, message) for message in _messages(error, row.cells)]
            continue
        checked.append((row, request))
    summary.failed = summary.rows - len(checked)
    if dry_run:
        return summary
    for done, (row, request) in enumerate(checked, start=1):
        try:
            outcome = service.award(request, actor)
        except Problem as problem:
            service.session.rollback()
            summary.failed += 1
            summary.problems += [
                _at(row.line, message) for message in _messages(problem, row.cells)
            ]
        else:
            if outcome.status_code == 201:
                summary.issued += 1
            else:
                summary.already_issued += 1
        progress(done, len(checked))
    return summary
