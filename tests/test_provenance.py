"""PROVENANCE.md tells the truth: every standard data file is listed with the SHA-256 it has."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(?P<path>[^`]+)` \| `(?P<sha256>[0-9a-f]{64})` \| (?P<source>.+) \|$")
# The loader's tables (URL to file, URL to SHA-256), written here and tested with the loader.
OUR_OWN = {"app/credentials/contexts/urls.json", "app/credentials/contexts/pins.json"}
STANDARD_FOLDERS = ("app/credentials/contexts", "app/credentials/schemas", "tests/standards")


def provenance_rows() -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    for line in (REPO_ROOT / "PROVENANCE.md").read_text("utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match["path"] not in rows, f"{match['path']} is listed twice"
            rows[match["path"]] = (match["sha256"], match["source"])
    return rows


ROWS = provenance_rows()


def test_the_table_is_read():
    assert len(ROWS) > 50


@pytest.mark.parametrize("path", sorted(ROWS))
def test_the_file_has_the_recorded_sha256(path: str):
    assert hashlib.sha256((REPO_ROOT / path).read_bytes()).hexdigest() == ROWS[path][0]


@pytest.mark.parametrize("path", sorted(ROWS))
def test_the_source_names_where_the_file_came_from(path: str):
    assert re.search(r"https://|npm `|PyPI `", ROWS[path][1]), ROWS[path][1]


@pytest.mark.parametrize("folder", STANDARD_FOLDERS)
def test_every_file_in_a_standards_folder_is_listed(folder: str):
    files = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in (REPO_ROOT / folder).rglob("*")
        if path.is_file()
    }
    assert files - OUR_OWN - set(ROWS) == set()
