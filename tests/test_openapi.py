"""The committed OpenAPI document is the one the app serves."""

from __future__ import annotations

import json
from pathlib import Path

from app.openapi_file import render_openapi

COMMITTED = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_app() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_openapi(), (
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    )


VC_API_VERDICTS = {("post", "/credentials/verify", "400")}
"""The W3C VC API answers a failed verification with 400 and its own report, not a problem."""

OB2_REVOKED = {("get", "/ob2/assertions/{token}", "410")}
"""OB 2.0 revokes a hosted assertion by answering 410 Gone with the assertion marked revoked."""


def _is_page(operation: dict) -> bool:
    """Pages for people answer their errors as pages too (a 404 page, say)."""
    success = operation.get("responses", {}).get("200", {}).get("content", {})
    return list(success) == ["text/html"]


def test_every_documented_error_response_is_a_problem_document() -> None:
    document = json.loads(render_openapi())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if _is_page(operation):
                continue
            for status, response in operation.get("responses", {}).items():
                if (method, path, status) in VC_API_VERDICTS | OB2_REVOKED:
                    continue
                if status.startswith(("4", "5")) and status != "422":
                    assert "application/problem+json" in response.get("content", {}), (
                        f"{method.upper()} {path} {status}"
                    )
