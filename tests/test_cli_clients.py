"""xqbadges clients update / rotate-secret / revoke, checked against the real token endpoint."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import build_parser, main
from tests.api.test_problems import assert_problem
from tests.helpers import bearer
from tests.test_cli import cli_env  # noqa: F401  (the fixture)

pytestmark = pytest.mark.usefixtures("cli_env")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main([*argv, "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert isinstance(row, dict)
    return row


@pytest.fixture
def registered(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return run_json(capsys, "clients", "create", "--issuer", "xq", "--scopes", "awards:read")


def token_response(client: TestClient, client_id: str, secret: str, scope: str | None = None):  # type: ignore[no-untyped-def]
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return client.post("/oauth/token", data=data, auth=(client_id, secret))


def token_of(client: TestClient, registered: dict[str, Any]) -> str:
    response = token_response(client, registered["client_id"], registered["client_secret"])
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_update_gives_new_tokens_the_new_scopes(capsys, client, registered) -> None:
    row = run_json(
        capsys,
        "clients",
        "update",
        registered["client_id"],
        "--scopes",
        "awards:read catalog:write",
    )
    assert row["scopes"] == "awards:read catalog:write"
    response = token_response(client, registered["client_id"], registered["client_secret"])
    assert response.json()["scope"] == "awards:read catalog:write"


def test_update_takes_a_removed_scope_from_tokens_issued_before(capsys, client, registered) -> None:
    token = token_of(client, registered)
    run_json(capsys, "clients", "update", registered["client_id"], "--scopes", "catalog:write")
    response = client.get(
        "/api/v1/awards/00000000-0000-0000-0000-000000000000", headers=bearer(token)
    )
    assert "awards:read" in assert_problem(response, 403, "forbidden")["detail"]


def test_update_refuses_unknown_scopes(capsys, registered) -> None:
    assert main(["clients", "update", registered["client_id"], "--scopes", "everything"]) == 2
    assert "not a scope" in capsys.readouterr().err


def test_rotate_secret_prints_a_new_secret_that_works(capsys, client, registered) -> None:
    row = run_json(capsys, "clients", "rotate-secret", registered["client_id"])
    assert row["client_secret"] != registered["client_secret"]
    assert token_response(client, row["client_id"], row["client_secret"]).status_code == 200


def test_a_rotated_secret_fails_at_the_token_endpoint(capsys, client, registered) -> None:
    run_json(capsys, "clients", "rotate-secret", registered["client_id"])
    response = token_response(client, registered["client_id"], registered["client_secret"])
    assert assert_problem(response, 401, "unauthenticated")["error"] == "invalid_client"


def test_rotating_the_secret_kills_the_tokens_issued_before(capsys, client, registered) -> None:
    token = token_of(client, registered)
    run_json(capsys, "clients", "rotate-secret", registered["client_id"])
    assert_problem(client.get("/api/v1/issuers", headers=bearer(token)), 401, "unauthenticated")


def test_a_revoked_clients_tokens_get_401_at_once(capsys, client, registered) -> None:
    token = token_of(client, registered)
    run_json(capsys, "clients", "revoke", registered["client_id"])
    assert_problem(client.get("/api/v1/issuers", headers=bearer(token)), 401, "unauthenticated")


def test_a_revoked_client_gets_no_new_token(capsys, client, registered) -> None:
    run_json(capsys, "clients", "revoke", registered["client_id"])
    response = token_response(client, registered["client_id"], registered["client_secret"])
    assert assert_problem(response, 401, "unauthenticated")["error"] == "invalid_client"


def test_a_revoked_client_stays_listed_as_disabled(capsys, registered) -> None:
    run_json(capsys, "clients", "revoke", registered["client_id"])
    assert main(["clients", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["client_id"], listed["disabled"]) == (registered["client_id"], True)


def test_a_revoked_client_cannot_get_a_new_secret(capsys, registered) -> None:
    run_json(capsys, "clients", "revoke", registered["client_id"])
    assert main(["clients", "rotate-secret", registered["client_id"]]) == 2
    assert "is revoked" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ("update", "xqb_nobody", "--scopes", "awards:read"),
        ("rotate-secret", "xqb_nobody"),
        ("revoke", "xqb_nobody"),
    ],
)
def test_an_unknown_client_id_exits_2_with_one_sentence(capsys, argv) -> None:
    assert main(["clients", *argv]) == 2
    assert "error: there is no API client 'xqb_nobody'" in capsys.readouterr().err.splitlines()


def test_every_argument_of_the_client_commands_has_help() -> None:
    root = build_parser()
    [commands] = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    [clients] = [
        a for a in commands.choices["clients"]._actions if isinstance(a, argparse._SubParsersAction)
    ]
    assert set(clients.choices) == {"create", "list", "update", "rotate-secret", "revoke"}
    for name, parser in clients.choices.items():
        for action in parser._actions:
            assert action.help, f"clients {name} {action.dest} has no help"
