"""Settings read from the environment and from files an orchestrator mounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_the_passphrase_is_read_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    secret = tmp_path / "passphrase"
    secret.write_text("correct horse\n", encoding="utf-8")
    monkeypatch.setenv("XQB_KEY_PASSPHRASE_FILE", str(secret))
    passphrase = Settings().key_passphrase
    assert passphrase is not None
    assert passphrase.get_secret_value() == "correct horse"


def test_a_passphrase_given_directly_wins_over_the_file(tmp_path: Path):
    secret = tmp_path / "passphrase"
    secret.write_text("from the file", encoding="utf-8")
    settings = Settings(key_passphrase="given", key_passphrase_file=secret)
    assert settings.key_passphrase is not None
    assert settings.key_passphrase.get_secret_value() == "given"


def test_a_missing_passphrase_file_is_refused_by_name(tmp_path: Path):
    with pytest.raises(ValidationError, match="cannot read key_passphrase_file"):
        Settings(key_passphrase_file=tmp_path / "absent")


def test_an_empty_passphrase_file_is_refused(tmp_path: Path):
    secret = tmp_path / "passphrase"
    secret.write_text("\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="key_passphrase_file is empty"):
        Settings(key_passphrase_file=secret)


def test_the_passphrase_is_not_shown_in_the_settings_repr(tmp_path: Path):
    secret = tmp_path / "passphrase"
    secret.write_text("do-not-print-me", encoding="utf-8")
    assert "do-not-print-me" not in repr(Settings(key_passphrase_file=secret))


def test_keys_are_encrypted_with_the_passphrase_from_the_file(tmp_path: Path):
    from app.bootstrap import bootstrap
    from app.runtime import Runtime

    secret = tmp_path / "passphrase"
    secret.write_text("from a docker secret\n", encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'xqb.db'}",
        keys_dir=tmp_path / "keys",
        key_passphrase_file=secret,
    )
    with Runtime.from_settings(settings) as runtime:
        bootstrap(runtime)
    key_files = list((tmp_path / "keys").glob("*.pem"))
    assert key_files
    for key_file in key_files:
        assert key_file.read_text("ascii").startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_a_relative_sqlite_path_is_read_from_the_home(tmp_path: Path):
    settings = Settings(home=tmp_path, database_url="sqlite:///var/xqbadges.db")
    assert settings.database_url == f"sqlite:///{tmp_path}/var/xqbadges.db"


def test_a_relative_keys_dir_is_read_from_the_home(tmp_path: Path):
    assert Settings(home=tmp_path, keys_dir=Path("keys")).keys_dir == tmp_path / "keys"


def test_the_defaults_live_in_the_home_not_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("XQB_DATABASE_URL", raising=False)
    monkeypatch.delenv("XQB_KEYS_DIR", raising=False)
    monkeypatch.setenv("XQB_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.sqlite_file == tmp_path / "home" / "var" / "xqbadges.db"
    assert settings.keys_dir == tmp_path / "home" / "keys"


def test_an_absolute_sqlite_path_is_used_as_given(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/elsewhere/x.db"
    assert Settings(home=tmp_path / "home", database_url=url).database_url == url


def test_a_postgresql_url_is_used_as_given(tmp_path: Path):
    url = "postgresql+psycopg://xqb:secret@db.example.org:5432/xqb"
    assert Settings(home=tmp_path, database_url=url).database_url == url


def test_the_env_file_is_read_from_the_home_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text("XQB_PUBLIC_BASE_URL=https://home.example.org\n")
    (elsewhere / ".env").write_text("XQB_PUBLIC_BASE_URL=https://cwd.example.org\n")
    monkeypatch.delenv("XQB_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("XQB_HOME", str(home))
    monkeypatch.chdir(elsewhere)
    assert Settings().public_base_url == "https://home.example.org"


def test_the_env_file_cannot_move_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / ".env").write_text(f"XQB_HOME={tmp_path / 'other'}\n")
    monkeypatch.setenv("XQB_HOME", str(tmp_path))
    assert Settings().home == tmp_path
