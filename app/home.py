"""Where an instance keeps its data, whatever directory the command is run from.

Relative paths in the settings (the SQLite file, the keys folder, the ``.env`` file) are read
from one directory, the data home, never from the current directory: a command run from
elsewhere must find the same instance instead of quietly starting a new, empty one.

The home is ``XQB_HOME`` when set. Otherwise, run from a source checkout (``make run``), it is
the checkout, so ``var/xqbadges.db`` and ``keys/`` stay where they always were; installed from a
wheel, it is the platform's per-user data folder.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

HOME_VARIABLE = "XQB_HOME"
_PROJECT = "xqbadges"


def source_checkout() -> Path | None:
    """The repository this package runs from, or None when it is installed."""
    root = Path(__file__).resolve().parent.parent
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return root if project.get("project", {}).get("name") == _PROJECT else None


def platform_data_dir() -> Path:
    """The per-user data folder of this platform (XDG on Linux)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / _PROJECT
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / _PROJECT
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / _PROJECT


def default_home() -> Path:
    return source_checkout() or platform_data_dir()


def data_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit``, else ``XQB_HOME``, else the default; always absolute."""
    chosen = explicit if explicit is not None else os.environ.get(HOME_VARIABLE) or None
    home = Path(chosen).expanduser() if chosen is not None else default_home()
    return home.absolute()
