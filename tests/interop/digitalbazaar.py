"""Running Digital Bazaar's Node libraries (``node/interop.mjs``) from any test module.

:func:`node_runner` installs the pinned packages with ``npm ci`` when they are missing and
returns a function that runs ``interop.mjs <command>`` with a JSON request and returns its JSON
answer. Node is required: without it the calling tests fail rather than skip, because CI must
run them. ``tests/interop/test_digitalbazaar.py`` and ``tests/verifier/test_remote_issuer.py``
(an issuer that is not this service) both sign through it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
SCRIPT = NODE_DIR / "interop.mjs"
NODE_TIMEOUT_SECONDS = 120
NPM_CI_TIMEOUT_SECONDS = 600

Node = Callable[[str, dict[str, Any]], Any]


def installed_matches_lock() -> bool:
    """Whether node_modules holds exactly what package-lock.json pins (npm's hidden lockfile)."""
    hidden = NODE_DIR / "node_modules" / ".package-lock.json"
    if not hidden.is_file():
        return False
    pinned = json.loads((NODE_DIR / "package-lock.json").read_text("utf-8"))["packages"]
    installed = json.loads(hidden.read_text("utf-8"))["packages"]
    pinned = {path: entry for path, entry in pinned.items() if path}
    return pinned == installed


def node_runner() -> Node:
    """Runs ``interop.mjs <command>`` with a JSON request and returns its JSON answer."""
    node_bin = shutil.which("node")
    npm_bin = shutil.which("npm")
    if node_bin is None or npm_bin is None:
        pytest.fail(
            "the interop tests need Node.js 18+ and npm on PATH (CI installs them: "
            "apt-get install nodejs npm); they are not skipped, because CI must run them"
        )
    if not installed_matches_lock():
        installed = subprocess.run(
            [npm_bin, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT_SECONDS,
            check=False,
        )
        if installed.returncode != 0:
            pytest.fail(
                f"`npm ci` in {NODE_DIR} failed ({installed.returncode}):\n"
                f"{installed.stdout}\n{installed.stderr}"
            )

    def run(command: str, request: dict[str, Any]) -> Any:
        finished = subprocess.run(
            [node_bin, str(SCRIPT), command],
            input=json.dumps(request),
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT_SECONDS,
            check=False,
        )
        if finished.returncode != 0:
            pytest.fail(f"interop.mjs {command} failed ({finished.returncode}):\n{finished.stderr}")
        return json.loads(finished.stdout)

    return run
