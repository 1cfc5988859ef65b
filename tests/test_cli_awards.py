"""xqbadges awards import: CSV rows checked first, issued idempotently, summarised."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.awards.csv_import import CSV_COLUMNS
from app.cli import main
from app.store.models import Award
from tests.test_cli import cli_env  # noqa: F401  (the fixture)

GOOD = """student_id,email,name,badge,date,results,evidence_url
S-1,ana@students.example.org,Ana Lopez,M101,2026-05-01,101a:demonstrated;101b:demonstrated,https://portfolio.example.org/ana
S-2,,Ben Okafor,M102,2026-05-02,,
"""
BAD_ROWS = """student_id,email,name,badge,date,results,evidence_url
S-1,not-an-email,Ana Lopez,M101,2026-05-01,,
S-2,,Ben Okafor,M999,2026-05-02,,
S-3,,Cy,M101,2026-05-02,999z:demonstrated,
,,,M101,2026-05-02,,
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "awards.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["awards", "import", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def award_count(runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count(Award.id))) or 0)


@pytest.mark.usefixtures("cli_env")
def test_a_file_is_imported_and_summarised(tmp_path, capsys, runtime):
    code, summary = run(capsys, str(write(tmp_path, GOOD)), "--issuer", "xq")
    assert code == 0
    assert (summary["issued"], summary["failed"]) == (2, 0)
    assert award_count(runtime) == 2


@pytest.mark.usefixtures("cli_env")
def test_running_the_same_file_again_issues_nothing_new(tmp_path, capsys, runtime):
    path = str(write(tmp_path, GOOD))
    run(capsys, path, "--issuer", "xq")
    code, summary = run(capsys, path, "--issuer", "xq")
    assert code == 0
    assert (summary["issued"], summary["alreadyIssued"]) == (0, 2)
    assert award_count(runtime) == 2


@pytest.mark.usefixtures("cli_env")
def test_a_dry_run_lists_every_rows_problems_and_issues_nothing(tmp_path, capsys, runtime):
    code, summary = run(capsys, str(write(tmp_path, BAD_ROWS)), "--issuer", "xq", "--dry-run")
    assert code == 1
    assert summary["failed"] == 4
    lines = {re.match(r"line \d+", problem)[0] for problem in summary["problems"]}
    assert lines == {"line 2", "line 3", "line 4", "line 5"}
    assert award_count(runtime) == 0


@pytest.mark.usefixtures("cli_env")
def test_good_rows_are_issued_and_bad_ones_reported(tmp_path, capsys, runtime):
    text = GOOD + "S-9,,Dee,M999,2026-05-02,,\n"
    code, summary = run(capsys, str(write(tmp_path, text)), "--issuer", "xq")
    assert code == 1
    assert (summary["issued"], summary["failed"]) == (2, 1)
    assert summary["problems"] == ["line 4, column badge: unknown badge 'M999'"]


def problems_of(tmp_path, capsys, text: str) -> list[str]:
    _code, summary = run(capsys, str(write(tmp_path, text)), "--issuer", "xq", "--dry-run")
    return summary["problems"]


HEADER = "student_id,email,name,badge,date,results,evidence_url\n"


@pytest.mark.usefixtures("cli_env")
def test_a_bad_cell_is_named_by_its_column_and_value(tmp_path, capsys):
    problems = problems_of(tmp_path, capsys, HEADER + "S-1,not-an-email,Ana,M101,2026-05-01,,\n")
    assert problems == ["line 2, column email: 'not-an-email' is not an email address"]


@pytest.mark.usefixtures("cli_env")
def test_a_row_without_a_learner_names_the_columns_to_fill(tmp_path, capsys):
    problems = problems_of(tmp_path, capsys, HEADER + ",,Ana,M101,2026-05-01,,\n")
    assert problems == ["line 2: no learner: fill in student_id or email"]


@pytest.mark.usefixtures("cli_env")
def test_a_bad_result_level_is_named_with_its_cpe(tmp_path, capsys):
    problems = problems_of(tmp_path, capsys, HEADER + "S-1,,Ana,M101,,101a:maybe,\n")
    assert problems == [
        "line 2, column results: in '101a:maybe', the level should be 'demonstrated' or 'not-yet'"
    ]


@pytest.mark.usefixtures("cli_env")
def test_a_bad_date_is_reported_in_the_date_column(tmp_path, capsys):
    problems = problems_of(tmp_path, capsys, HEADER + "S-1,,Ana,M101,2026-13-01,,\n")
    assert problems[0].startswith("line 2, column date: '2026-13-01' should be a valid")


@pytest.mark.usefixtures("cli_env")
def test_line_numbers_count_the_physical_lines_of_the_file(tmp_path, capsys):
    text = HEADER + '"S-1\ncontinued",,Ana,M101,2026-05-01,,\n\nS-2,,Ben,M999,2026-05-01,,\n'
    assert problems_of(tmp_path, capsys, text) == ["line 5, column badge: unknown badge 'M999'"]


@pytest.mark.usefixtures("cli_env")
def test_an_unknown_column_is_refused(tmp_path, capsys):
    path = write(tmp_path, "student_id,badge,grade\nS-1,M101,A\n")
    assert main(["awards", "import", str(path), "--issuer", "xq"]) == 2
    assert "unknown: grade" in capsys.readouterr().err


@pytest.mark.usefixtures("cli_env")
def test_expire_marks_the_awards_past_their_valid_until(capsys, client, make_token):
    from tests.api.test_awards_api import award_body
    from tests.helpers import bearer

    past = award_body(awardedDate="2020-05-01T00:00:00Z", validUntil="2021-05-01T00:00:00Z")
    response = client.post("/api/v1/awards", json=past, headers=bearer(make_token()))
    assert response.status_code == 201, response.text
    assert main(["awards", "expire", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"expired": 1}


@pytest.mark.usefixtures("cli_env")
def test_a_row_changed_since_its_import_says_so_in_the_files_words(tmp_path, capsys):
    run(capsys, str(write(tmp_path, GOOD)), "--issuer", "xq")
    changed = GOOD.replace("M102,2026-05-02", "M102,2026-05-03")
    _code, summary = run(capsys, str(write(tmp_path, changed)), "--issuer", "xq")
    problems = summary["problems"]
    assert len(problems) == 1
    assert re.fullmatch(
        r"line 3: already imported as award \S+ with other content; reissue it to change it",
        problems[0],
    )


@pytest.mark.usefixtures("cli_env")
def test_a_latin_1_file_is_one_sentence_and_exit_2(tmp_path, capsys, runtime):
    path = tmp_path / "awards.csv"
    path.write_bytes("student_id,name,badge\nS-1,José,M101\n".encode("latin-1"))
    assert main(["awards", "import", str(path), "--issuer", "xq"]) == 2
    assert capsys.readouterr().err == (
        f"error: {path} is not UTF-8 text (byte 0xe9 on line 2, offset 29); save it as UTF-8 CSV\n"
    )
    assert award_count(runtime) == 0


@pytest.mark.usefixtures("cli_env")
def test_a_utf_8_file_with_a_byte_order_mark_is_read(tmp_path, capsys):
    path = tmp_path / "awards.csv"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    code, summary = run(capsys, str(path), "--issuer", "xq")
    assert (code, summary["issued"]) == (0, 2)


def test_the_help_lists_every_csv_column_and_whether_it_is_required(capsys):
    with pytest.raises(SystemExit):
        main(["awards", "import", "--help"])
    out = capsys.readouterr().out
    for column in CSV_COLUMNS:
        assert re.search(
            rf"^  {column.name} +{'required' if column.required else 'optional'} ", out, re.M
        ), column.name
