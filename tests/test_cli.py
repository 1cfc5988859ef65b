"""The xqbadges command, run in-process against a real database and key directory."""

from __future__ import annotations

import argparse
import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import build_parser, main
from app.runtime import Runtime
from app.settings import Settings, get_settings


@pytest.fixture
def cli_env(
    runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setenv("XQB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("XQB_KEYS_DIR", str(settings.keys_dir))
    monkeypatch.setenv("XQB_PUBLIC_BASE_URL", settings.public_base_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_clients_create_prints_the_secret_once_as_json(cli_env: Settings, capsys) -> None:
    row = run_json(
        capsys, "clients", "create", "--issuer", "xq", "--scopes", "awards:write awards:read"
    )
    assert isinstance(row, dict)
    assert row["client_id"].startswith("xqb_")
    assert len(row["client_secret"]) >= 40
    listed = run_json(capsys, "clients", "list")
    assert isinstance(listed, list)
    assert "client_secret" not in listed[0]


def test_clients_create_refuses_unknown_scopes(cli_env: Settings, capsys) -> None:
    assert main(["clients", "create", "--issuer", "xq", "--scopes", "everything"]) == 2
    assert "not a scope" in capsys.readouterr().err


def test_issuers_create_and_list_show_the_hierarchy(cli_env: Settings, capsys) -> None:
    run_json(
        capsys, "issuers", "create", "--slug", "idaho", "--name", "Idaho SDE", "--parent", "xq"
    )
    rows = run_json(capsys, "issuers", "list")
    assert isinstance(rows, list)
    assert {row["slug"]: row["parent"] for row in rows} == {"xq": None, "idaho": "xq"}


def test_issuers_create_with_unknown_parent_fails(cli_env: Settings, capsys) -> None:
    assert main(["issuers", "create", "--slug", "x", "--name", "X", "--parent", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err


def test_keys_rotate_writes_a_private_key_file_with_mode_0600(cli_env: Settings, capsys) -> None:
    run_json(capsys, "keys", "rotate", "--issuer", "xq")
    keys = run_json(capsys, "keys", "list", "--issuer", "xq")
    assert isinstance(keys, list)
    assert [(key["algorithm"], key["retired"] is None) for key in keys] == [
        ("Ed25519", False),
        ("RSA", False),
        ("Ed25519", True),
        ("RSA", True),
    ]
    for path in Path(cli_env.keys_dir).glob("*.pem"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keys_list_never_prints_private_material(cli_env: Settings, capsys) -> None:
    assert main(["keys", "list"]) == 0
    out = capsys.readouterr().out
    assert "PRIVATE" not in out
    assert ".pem" not in out


CATALOG_SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "educator-microcredentials.yaml"


def test_catalog_import_reports_the_change_counts(cli_env: Settings, capsys) -> None:
    run_json(
        capsys, "issuers", "create", "--slug", "wake", "--name", "Wake County", "--parent", "xq"
    )
    summary = run_json(capsys, "catalog", "import", str(CATALOG_SAMPLE), "--issuer", "wake")
    assert isinstance(summary, dict)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (2, 0, 0)


def test_catalog_import_of_a_bad_file_fails_with_every_location(
    cli_env: Settings, capsys, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        CATALOG_SAMPLE.read_text()
        .replace("counts: {cpes: 2", "counts: {cpes: 7")
        .replace("prerequisites: [EMC-01]", "prerequisites: [EMC-77]")
    )
    assert main(["catalog", "import", str(bad), "--issuer", "xq"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err
    assert "badge EMC-01" in err
    assert "badge EMC-02" in err


def test_catalog_import_of_a_missing_file_fails_cleanly(cli_env: Settings, capsys) -> None:
    assert main(["catalog", "import", "no-such-file.yaml", "--issuer", "xq"]) == 2
    assert "no-such-file.yaml" in capsys.readouterr().err


def test_catalog_import_of_a_bad_file_stores_nothing(
    cli_env: Settings, runtime: Runtime, capsys, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from app.store.models import CatalogImport

    bad = tmp_path / "bad.yaml"
    bad.write_text(CATALOG_SAMPLE.read_text().replace("title: Portfolio", "titel: Portfolio"))
    assert main(["catalog", "import", str(bad), "--issuer", "xq"]) == 2
    with runtime.sessions() as session:
        assert session.scalar(select(func.count(CatalogImport.id))) == 1


def test_catalog_validate_accepts_the_shipped_xq_catalog(cli_env: Settings, capsys) -> None:
    assert main(["catalog", "validate", "app/catalog/data/xq-math.yaml"]) == 0
    assert "23 badges" in capsys.readouterr().out


def test_serve_refuses_to_start_with_a_key_file_others_can_read(cli_env: Settings, capsys) -> None:
    for path in Path(cli_env.keys_dir).glob("*.pem"):
        path.chmod(0o644)
    assert main(["serve", "--port", "0"]) == 2
    assert "refusing to start" in capsys.readouterr().err


def test_issuers_update_changes_the_profile(cli_env: Settings, capsys) -> None:
    row = run_json(
        capsys, "issuers", "update", "xq", "--name", "XQ", "--email", "badges@xq.example.org"
    )
    assert isinstance(row, dict)
    assert (row["name"], row["email"]) == ("XQ", "badges@xq.example.org")
    assert main(["issuers", "show", "xq"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert (profile["name"], profile["email"]) == ("XQ", "badges@xq.example.org")


def test_issuers_update_clear_removes_a_detail(cli_env: Settings, capsys) -> None:
    row = run_json(capsys, "issuers", "update", "xq", "--clear", "url")
    assert isinstance(row, dict)
    assert row["url"] is None


def test_issuers_update_refuses_a_bad_email(cli_env: Settings, capsys) -> None:
    assert main(["issuers", "update", "xq", "--email", "nope"]) == 2
    assert "--email: is not an email address" in capsys.readouterr().err


def test_issuers_update_without_changes_exits_2(cli_env: Settings, capsys) -> None:
    assert main(["issuers", "update", "xq"]) == 2
    assert "nothing to change" in capsys.readouterr().err


def test_issuers_update_of_an_unknown_issuer_exits_2(cli_env: Settings, capsys) -> None:
    assert main(["issuers", "update", "nobody", "--name", "X"]) == 2
    assert "error: there is no issuer 'nobody'" in capsys.readouterr().err.splitlines()


def test_version_prints_the_project_version(capsys) -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"xqbadges {project['project']['version']}\n"


def _options_without_help(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if not choice.help:
                    yield f"{parser.prog} {choice.dest}"
            for subparser in action.choices.values():
                yield from _options_without_help(subparser)
        elif not action.help:
            yield f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"


def test_every_command_and_option_has_a_help_text() -> None:
    assert list(_options_without_help(build_parser())) == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_database_that_is_down_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    url = f"postgresql+psycopg://xqb:s3cret@127.0.0.1:{_closed_port()}/xqb"
    monkeypatch.setenv("XQB_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert main(["clients", "list"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database at postgresql+psycopg://xqb:***@")
    assert err.endswith(": connection refused\n")
    assert err.count("\n") == 1
    assert "s3cret" not in err


def test_invalid_settings_are_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("XQB_PUBLIC_BASE_URL", "badges.example.org")
    get_settings.cache_clear()
    try:
        assert main(["info"]) == 2
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().err == (
        "error: invalid settings: XQB_PUBLIC_BASE_URL: public_base_url must be an absolute "
        "http(s) URL\n"
    )


def test_a_database_server_that_never_answers_is_given_up_on(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A listener that accepts no connection stands for a server whose packets are dropped."""
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(0)
        port = silent.getsockname()[1]
        monkeypatch.setenv("XQB_DATABASE_URL", f"postgresql+psycopg://xqb@127.0.0.1:{port}/xqb")
        monkeypatch.setenv("XQB_DATABASE_CONNECT_TIMEOUT_SECONDS", "2")
        get_settings.cache_clear()
        started = time.monotonic()
        try:
            assert main(["clients", "list"]) == 2
        finally:
            get_settings.cache_clear()
        elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database at postgresql+psycopg://xqb@")
    assert err.count("\n") == 1
    assert elapsed < 30
