"""The README's walkthrough runs as written against a live service, from the checkout's top."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from app.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
README_BASE_URL = "http://127.0.0.1:8000"


def walkthrough() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Walkthrough", 1)[1]
    match = re.search(r"^```sh\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match, "the walkthrough has no sh block"
    return match.group(1)


def run_walkthrough(live_server: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    script = walkthrough().replace(README_BASE_URL, live_server)
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "XQB_DATABASE_URL": settings.database_url,
        "XQB_KEYS_DIR": str(settings.keys_dir),
        "XQB_PUBLIC_BASE_URL": settings.public_base_url,
    }
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_walkthrough_runs_as_written(live_server: str, settings: Settings):
    result = run_walkthrough(live_server, settings)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert "valid" in printed
    assert "VerifiableCredential ClrCredential" in printed
    assert printed[-1].endswith("revoked")
    assert not result.stderr
