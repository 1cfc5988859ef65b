"""Status list positions: unique across worker processes, never handed out twice."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    block = int(sys.argv[4])
    while len(claimed) < int(sys.argv[3]):
        for position in lists.claim_many(issuer, block):
            claimed.append([position.status_list.uid, position.index])
print(json.dumps(claimed))
"""


@pytest.mark.parametrize("block", [1, 7], ids=["one at a time", "in blocks"])
def test_worker_processes_never_share_a_position(runtime: Runtime, settings: Settings, block):
    command = [
        sys.executable,
        "-c",
        CLAIMER,
        settings.database_url,
        str(settings.keys_dir),
        str(CLAIMS),
        str(block),
    ]
    root = Path(__file__).resolve().parents[2]
    workers = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE) for _ in range(WORKERS)]
    claimed = []
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        claimed += [tuple(pair) for pair in json.loads(output)]
    assert len(claimed) == WORKERS * -(-CLAIMS // block) * block
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
    assert second.index == StatusLists.placement(second.status_list)(0)
    assert second.status_list.sequence == first.status_list.sequence + 1


def test_a_block_past_the_end_of_a_list_fills_it_then_opens_the_next(
    runtime: Runtime, settings: Settings
):
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        lists = StatusLists(session, settings)
        first = lists.claim(issuer)
        first.status_list.next_index = first.status_list.size - 3
        session.merge(first.status_list)
        session.commit()
        block = lists.claim_many(issuer, 5)
    size = first.status_list.size
    old, new = (
        StatusLists.placement(block[0].status_list),
        StatusLists.placement(block[-1].status_list),
    )
    assert [(position.status_list.sequence, position.index) for position in block] == [
        (0, old(size - 3)),
        (0, old(size - 2)),
        (0, old(size - 1)),
        (1, new(0)),
        (1, new(1)),
    ]


def claimed_indexes(runtime: Runtime, settings: Settings, count: int) -> list[int]:
    with runtime.sessions() as session:
        lists = StatusLists(session, settings)
        return [position.index for position in lists.claim_many(get_issuer(session, "xq"), count)]


def test_positions_do_not_follow_the_order_of_issuance(runtime: Runtime, settings: Settings):
    indexes = claimed_indexes(runtime, settings, 50)
    assert len(set(indexes)) == 50
    assert indexes != sorted(indexes)
    steps = [later - earlier for earlier, later in itertools.pairwise(indexes)]
    assert steps.count(1) < 3


def test_two_lists_place_their_claims_differently(runtime: Runtime, settings: Settings):
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        lists = StatusLists(session, settings)
        first = lists.claim(issuer).status_list
        first.next_index = first.size
        session.merge(first)
        session.commit()
        second = lists.claim(issuer).status_list
    assert first.shuffle_key != second.shuffle_key
    firsts = [StatusLists.placement(first)(n) for n in range(20)]
    assert firsts != [StatusLists.placement(second)(n) for n in range(20)]


def test_a_list_made_before_shuffling_keeps_placing_claims_in_order(
    runtime: Runtime, settings: Settings
):
    with runtime.sessions() as session:
        issuer = get_issuer(session, "xq")
        lists = StatusLists(session, settings)
        status_list = lists.claim(issuer).status_list
        status_list.shuffle_key = None
        session.merge(status_list)
        session.commit()
        assert [position.index for position in lists.claim_many(issuer, 3)] == [1, 2, 3]
