"""Fixtures for the credentials core: the shared standards files and a network tripwire."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    """/work/shared/standards locally; CI clones the repo with shared/ beside it."""
    directory = SHARED_DIR / "standards"
    if not directory.is_dir():
        pytest.fail(f"the shared standards files are missing: expected them at {directory}")
    return directory


@pytest.fixture(scope="session")
def read_json(standards_dir: Path):
    def read(relative_path: str) -> Any:
        return json.loads((standards_dir / relative_path).read_text("utf-8"))

    return read


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to resolve a name or open a connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the credentials core tried to use the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
