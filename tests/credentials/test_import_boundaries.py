"""The credentials core stays pure: no web framework, no database, no imports upward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "credentials"
FORBIDDEN_ROOTS = {"fastapi", "starlette", "sqlalchemy", "alembic", "httpx", "requests"}
MODULES = sorted(PACKAGE.rglob("*.py"))


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text("utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add("app.credentials")
            elif node.module:
                names.add(node.module)
    return names


def test_finds_the_modules():
    assert PACKAGE / "jsonld.py" in MODULES


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_imports_no_framework_or_database(module):
    roots = {name.split(".")[0] for name in imported_modules(module)}
    assert not roots & FORBIDDEN_ROOTS


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_imports_nothing_else_from_the_app(module):
    own = {name for name in imported_modules(module) if name.split(".")[0] == "app"}
    assert all(name == "app.credentials" or name.startswith("app.credentials.") for name in own)
