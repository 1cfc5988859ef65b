"""Status list positions: unique across worker processes, never handed out twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.issuer.issuers import get_issuer
from app.issuer.status_lists import StatusLists
from app.runtime import Runtime
from app.settings import Settings

WORKERS = 3
CLAIMS = 300

CLAIMER = """
import json, sys
from app.issuer.issuers import get_issuer
from app.issuer.status_lists import StatusLists
from app.runtime import Runtime
from app.settings import Settings

settings = Settings(database_url=sys.argv[1], keys_dir=sys.argv[2])
runtime = Runtime.from_settings(settings)
claimed = []
with runtime.sessions() as session:
    issuer = get_issuer(session, "xq")
    lists = StatusLists(session, settings)
    for _ in range(int(sys.argv[3])):
        position = lists.claim(issuer)
        claimed.append([position.status_list.uid, position.index])
print(json.dumps(claimed))
"""


def test_worker_processes_never_share_a_position(runtime: Runtime, settings: Settings):
    command = [
        sys.executable,
        "-c",
        CLAIMER,
        settings.database_url,
        str(settings.keys_dir),
        str(CLAIMS),
    ]
    root = Path(__file__).resolve().parents[2]
    workers = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE) for _ in range(WORKERS)]
    claimed = []
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        claimed += [tuple(pair) for pair in json.loads(output)]
    assert len(claimed) == WORKERS * CLAIMS
    assert len(set(claimed)) == len(claimed)


def test_a_full_list_is_followed_by_a_new_one(runtime: Runtime, settings: Settings):
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        lists = StatusLists(session, settings)
        first = lists.claim(issuer)
        first.status_list.next_index = first.status_list.size
        session.merge(first.status_list)
        session.commit()
        second = lists.claim(issuer)
    assert second.status_list.uid != first.status_list.uid
    assert second.index == 0
    assert second.status_list.sequence == first.status_list.sequence + 1
