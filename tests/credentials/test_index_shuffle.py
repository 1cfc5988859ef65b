"""The keyed permutation of status-list positions."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.credentials.index_shuffle import IndexShuffle

KEY = bytes(range(32))


@given(size=st.integers(min_value=2, max_value=3000), key=st.binary(min_size=16, max_size=32))
def test_it_is_a_permutation_of_every_size(size: int, key: bytes):
    shuffle = IndexShuffle(key, size)
    assert sorted(shuffle(claim) for claim in range(size)) == list(range(size))


def test_the_status_list_size_is_covered_without_repeats():
    shuffle = IndexShuffle(KEY, 131_072)
    positions = {shuffle(claim) for claim in range(0, 131_072, 7)}
    assert len(positions) == len(range(0, 131_072, 7))
    assert max(positions) < 131_072


def test_the_same_key_places_claims_the_same_way():
    assert [IndexShuffle(KEY, 1000)(n) for n in range(50)] == [
        IndexShuffle(bytes(KEY), 1000)(n) for n in range(50)
    ]


def test_another_key_places_claims_another_way():
    other = bytes(reversed(KEY))
    assert [IndexShuffle(KEY, 1000)(n) for n in range(50)] != [
        IndexShuffle(other, 1000)(n) for n in range(50)
    ]


def test_consecutive_claims_are_scattered():
    positions = [IndexShuffle(KEY, 131_072)(n) for n in range(100)]
    assert positions != sorted(positions)
    assert sum(1 for a, b in itertools.pairwise(positions) if abs(a - b) < 100) < 5


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        IndexShuffle(b"short", 100)


@pytest.mark.parametrize("claim", [-1, 100])
def test_a_claim_outside_the_list_is_refused(claim: int):
    with pytest.raises(ValueError, match="outside the list"):
        IndexShuffle(KEY, 100)(claim)
