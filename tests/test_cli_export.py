"""xqbadges export: argument handling, refusals and exit codes; the formats themselves are
tested in tests/records/test_exports.py."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.api.test_awards_api import award_body
from tests.helpers import bearer
from tests.test_cli import cli_env  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def writer(make_token) -> dict[str, str]:
    return bearer(make_token("awards:write awards:read awards:revoke"))


def give(client, writer: dict[str, str], source: str, **changes: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/awards", json=award_body(sourceAwardId=source, **changes), headers=writer
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def export(capsys, out: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["export", "--issuer", "xq", "--format", "ob3", "--out", str(out), *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else {"error": captured.err}


def test_export_writes_the_folder_and_prints_a_summary(tmp_path, capsys, client, writer):
    awarded = give(client, writer, "lms-1")
    out = tmp_path / "handoff"
    code, summary = export(capsys, out, "--since", "2026-01-01")
    assert code == 0
    assert summary["counts"]["awards"]["active"] == 1
    assert summary["since"] == "2026-01-01T00:00:00Z"
    assert summary["state"] == str(tmp_path / ".xqbadges-export-xq-ob3-issuer.json")
    assert (out / "credentials" / f"{awarded['id']}.json").is_file()
    assert json.loads((out / "manifest.json").read_text())["until"] == summary["until"]


def test_the_human_summary_names_the_counts(tmp_path, capsys, client, writer):
    give(client, writer, "lms-1")
    out = tmp_path / "handoff"
    assert (
        main(
            [
                "export",
                "--issuer",
                "xq",
                "--format",
                "csv",
                "--since",
                "2026-01-01",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    line = capsys.readouterr().out
    assert line.startswith("exported 1 changed awards of xq")
    assert f"as csv to {out}: 1 files, 0 withdrawn" in line


def test_since_last_continues_from_the_previous_export(tmp_path, capsys, client, writer):
    give(client, writer, "lms-1")
    _code, first = export(capsys, tmp_path / "one", "--since", "2026-01-01")
    later = give(client, writer, "lms-2")
    code, second = export(capsys, tmp_path / "two", "--since", "last")
    assert code == 0
    assert second["since"] == first["until"]
    assert second["counts"]["awards"]["active"] == 1
    assert sorted(p.name for p in (tmp_path / "two" / "credentials").iterdir()) == [
        f"{later['id']}.json"
    ]


def test_a_state_file_can_be_named(tmp_path, capsys, client, writer):
    give(client, writer, "lms-1")
    state = tmp_path / "state" / "xq.json"
    export(capsys, tmp_path / "one", "--since", "2026-01-01", "--state", str(state))
    assert json.loads(state.read_text())["format"] == "ob3"
    code, result = export(
        capsys, tmp_path / "elsewhere" / "two", "--since", "last", "--state", str(state)
    )
    assert code == 0
    assert result["counts"]["awards"]["active"] == 0


def test_since_last_without_a_state_file_exits_2(tmp_path, capsys):
    code, result = export(capsys, tmp_path / "one", "--since", "last")
    assert code == 2
    assert "no earlier export is recorded" in result["error"]


def test_zip_writes_one_file_with_the_manifest(tmp_path, capsys, client, writer):
    awarded = give(client, writer, "lms-1")
    out = tmp_path / "handoff.zip"
    code, _summary = export(capsys, out, "--since", "2026-01-01", "--zip")
    assert code == 0
    with zipfile.ZipFile(out) as bundle:
        names = set(bundle.namelist())
        manifest = json.loads(bundle.read("manifest.json"))
    assert names == {
        "manifest.json",
        f"credentials/{awarded['id']}.json",
        f"images/{awarded['id']}.png",
    }
    assert {entry["path"] for entry in manifest["files"]} == names - {"manifest.json"}


def test_an_existing_output_exits_2_unless_overwrite(tmp_path, capsys, client, writer):
    give(client, writer, "lms-1")
    out = tmp_path / "handoff"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    code, result = export(capsys, out, "--since", "2026-01-01")
    assert code == 2
    assert f"{out} already exists" in result["error"]
    assert "--overwrite" in result["error"]
    assert (out / "old.txt").read_text() == "keep me"

    code, _summary = export(capsys, out, "--since", "2026-01-01", "--overwrite")
    assert code == 0
    assert not (out / "old.txt").exists()
    assert (out / "manifest.json").is_file()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".handoff")] == []


def test_overwrite_replaces_a_zip_with_a_zip(tmp_path, capsys, client, writer):
    give(client, writer, "lms-1")
    out = tmp_path / "handoff.zip"
    out.write_bytes(b"not a zip")
    code, _summary = export(capsys, out, "--since", "2026-01-01", "--zip", "--overwrite")
    assert code == 0
    assert zipfile.is_zipfile(out)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--since", "01/05/2026"), "--since '01/05/2026' is not an ISO 8601 date"),
        (("--since", "2026-01-01", "--until", "soon"), "--until 'soon' is not an ISO 8601 date"),
        (("--since", "2026-01-01", "--until", "2999-01-01"), "is in the future"),
    ],
)
def test_bad_dates_exit_2_with_a_message(tmp_path, capsys, argv, message):
    code, result = export(capsys, tmp_path / "handoff", *argv)
    assert code == 2
    assert message in result["error"]
    assert not (tmp_path / "handoff").exists()


def test_an_unknown_issuer_exits_2(tmp_path, capsys):
    code = main(
        [
            "export",
            "--issuer",
            "nobody",
            "--format",
            "ob3",
            "--since",
            "2026-01-01",
            "--out",
            str(tmp_path / "handoff"),
        ]
    )
    assert code == 2
    assert "there is no issuer 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "exports").exists()


def ob2_export(capsys, out: Path, *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(
        [
            "export",
            "--issuer",
            "xq",
            "--format",
            "ob2",
            "--since",
            "2026-01-01",
            "--out",
            str(out),
            *argv,
            "--json",
        ]
    )
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_ob2_without_an_issuer_email_warns_with_the_fix(tmp_path, capsys, client, writer):
    give(client, writer, "lms-1")
    code, summary, err = ob2_export(capsys, tmp_path / "handoff")
    assert code == 0
    assert summary["counts"]["skipped"] == 2
    assert (
        "warning: 1 award(s) were left out because issuer 'xq' has no email on record; add it "
        "with `xqbadges issuers update xq --email ADDRESS` and export again"
    ) in err.splitlines()


def test_issuers_update_email_lets_the_ob2_export_include_the_awards(
    tmp_path, capsys, client, writer
):
    awarded = give(client, writer, "lms-1")
    assert main(["issuers", "update", "xq", "--email", "badges@xq.example.org"]) == 0
    capsys.readouterr()
    code, summary, err = ob2_export(capsys, tmp_path / "handoff")
    assert code == 0
    assert "warning:" not in err
    assert summary["counts"].get("skipped", 0) == 0
    assert (tmp_path / "handoff" / "assertions" / f"{awarded['id']}.json").is_file()
    assert (tmp_path / "handoff" / "issuer.json").is_file()
