"""The data home: one place per instance, whatever the current directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.home import data_home, platform_data_dir, source_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_a_source_checkout_is_its_own_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("XQB_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert source_checkout() == REPO_ROOT
    assert data_home() == REPO_ROOT


def test_xqb_home_wins_over_the_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("XQB_HOME", str(tmp_path / "instance"))
    assert data_home() == tmp_path / "instance"


def test_a_relative_xqb_home_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XQB_HOME", "instance")
    assert data_home() == tmp_path / "instance"


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG layout is the Linux one")
def test_the_platform_folder_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert platform_data_dir() == tmp_path / "share" / "xqbadges"
