"""xqbadges awards import: CSV rows checked first, issued idempotently, summarised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

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
    lines = {problem.split(":")[0] for problem in summary["problems"]}
    assert lines == {"line 2", "line 3", "line 4", "line 5"}
    assert award_count(runtime) == 0


@pytest.mark.usefixtures("cli_env")
def test_good_rows_are_issued_and_bad_ones_reported(tmp_path, capsys, runtime):
    text = GOOD + "S-9,,Dee,M999,2026-05-02,,\n"
    code, summary = run(capsys, str(write(tmp_path, text)), "--issuer", "xq")
    assert code == 1
    assert (summary["issued"], summary["failed"]) == (2, 1)
    assert summary["problems"][0].startswith("line 4: achievement")


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
