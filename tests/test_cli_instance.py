"""The xqbadges command finds one instance wherever it is run, and never makes a second one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.migrations import head_revision
from app.settings import Settings, get_settings
from tests.test_cli import cli_env  # noqa: F401  (the fixture)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data home, the only configuration in the environment."""
    for name in list(os.environ):
        if name.startswith("XQB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XQB_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def xqbadges(home: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("XQB_")}
    environment |= {"XQB_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_commands_run_from_two_directories_use_the_same_database(tmp_path: Path):
    home = tmp_path / "home"
    assert xqbadges(home, tmp_path / "here", "db", "upgrade").returncode == 0
    listed = xqbadges(home, tmp_path / "there", "clients", "list", "--json")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert json.loads(listed.stdout) == []
    assert (home / "var" / "xqbadges.db").is_file()
    assert not (tmp_path / "here" / "var").exists()
    assert not (tmp_path / "there" / "var").exists()


def test_a_command_on_a_missing_database_exits_2_naming_where_it_looked(home: Path, capsys):
    assert main(["clients", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(home / "var" / "xqbadges.db") in err
    assert "xqbadges db upgrade" in err


def test_a_command_on_a_missing_database_creates_nothing(home: Path, capsys):
    main(["clients", "list"])
    assert not home.exists()


def test_a_command_on_an_unmigrated_database_exits_2(home: Path, capsys):
    (home / "var").mkdir(parents=True)
    sqlite3.connect(home / "var" / "xqbadges.db").close()
    assert main(["issuers", "list"]) == 2
    assert "is not migrated; create it with `xqbadges db upgrade`" in capsys.readouterr().err


def test_db_upgrade_creates_the_database_in_the_home(home: Path, capsys):
    assert main(["db", "upgrade"]) == 0
    assert (home / "var" / "xqbadges.db").is_file()
    assert str(home) in capsys.readouterr().out


def test_info_on_a_missing_database_says_not_migrated_and_creates_nothing(home: Path, capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["home"] == str(home)
    assert info["databaseUrl"] == f"sqlite:///{home}/var/xqbadges.db"
    assert info["keysDir"] == str(home / "keys")
    assert (info["envFile"], info["envFileUsed"]) == (str(home / ".env"), False)
    assert info["schemaRevision"] == "not migrated"
    assert not home.exists()


@pytest.mark.usefixtures("cli_env")
def test_info_names_the_schema_revision(settings: Settings, capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["schemaRevision"] == head_revision()
    assert info["publicBaseUrl"] == settings.public_base_url


def test_info_says_when_the_env_file_is_used(home: Path, capsys):
    home.mkdir()
    (home / ".env").write_text("XQB_PUBLIC_BASE_URL=https://badges.example.org\n")
    main(["info", "--json"])
    info = json.loads(capsys.readouterr().out)
    assert (info["envFileUsed"], info["publicBaseUrl"]) == (True, "https://badges.example.org")


def test_info_masks_the_database_password(home: Path, monkeypatch, capsys):
    monkeypatch.setenv("XQB_DATABASE_URL", "postgresql+psycopg://xqb:s3cret@db.invalid/xqb")
    monkeypatch.setenv("XQB_HOME", str(home))
    get_settings.cache_clear()
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out
    assert "postgresql+psycopg://xqb:***@db.invalid/xqb" in out
