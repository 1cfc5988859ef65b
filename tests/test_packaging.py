"""A built wheel is a whole service: installed without the source tree, it can migrate."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    ".conformance", "node_modules", "var", "test-artifacts", "*.pem", ".env",
)  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the source, so no earlier build's leftovers can slip into it."""
    source = tmp_path_factory.mktemp("source") / "xqbadges"
    shutil.copytree(REPO_ROOT, source, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("xqbadges-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    subprocess.run(
        [*command, "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def test_the_wheel_carries_the_migrations(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    scripts = {Path(name).name for name in names if name.startswith("app/alembic/versions/")}
    assert scripts == {path.name for path in (REPO_ROOT / "migrations" / "versions").glob("*.py")}
    assert "app/alembic/env.py" in names


def test_the_wheel_carries_no_tests_and_no_keys(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    assert not [name for name in names if name.startswith(("tests/", "keys/", "bench/"))]


def test_an_installed_wheel_migrates_a_new_database(installed: Path, tmp_path: Path):
    database = tmp_path / "fresh.db"
    script = (
        "import app, app.migrations as m; from app.settings import Settings; "
        f"m.upgrade_to_head(Settings(database_url='sqlite:///{database}')); "
        "print(app.__file__); print(m.MIGRATIONS_DIR)"
    )
    environment = {**os.environ, "PYTHONPATH": str(installed)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    package_file, migrations_dir = result.stdout.split()
    assert Path(package_file).is_relative_to(installed)
    assert Path(migrations_dir) == installed / "app" / "alembic"
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert {"issuers", "awards", "alembic_version"} <= tables
