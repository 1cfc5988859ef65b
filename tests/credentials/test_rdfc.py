"""RDFC-1.0 labelling: the same bytes as pyld and pyoxigraph where it answers, and limits."""

from __future__ import annotations

import itertools
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld.canon import URDNA2015, permutations
from pyld.nquads import parse_nquads

from app.credentials.errors import CanonicalizationTooComplex, TooManyBlankNodes
from app.credentials.rdfc import (
    CanonicalizationLimits,
    NeedsFullAlgorithm,
    Quad,
    _orderings,
    canonicalize_pyld_dataset,
    canonicalize_quads,
    canonicalize_with_oxigraph,
    serialize_quad,
)

P = "<http://example.org/vocab#p>"
Q = "<http://example.org/vocab#q>"


def pyld_canonical(quads: list[Quad]) -> str:
    """pyld's URDNA2015 of the quads (their literals hold no backslash: pyld's N-Quads reader
    unescapes ``\\\\n`` wrongly)."""
    text = "".join(serialize_quad(quad) for quad in quads)
    return str(URDNA2015().main(parse_nquads(text), {"format": "application/n-quads"}))


def oxigraph_canonical(quads: list[Quad]) -> str:
    return canonicalize_with_oxigraph("".join(serialize_quad(quad) for quad in quads))


def clique_quads(size: int) -> list[Quad]:
    """test074c: a clique of blank nodes, all inter-related."""
    return [
        (f"_:e{node}", P, f"_:e{other}", "")
        for node, other in itertools.permutations(range(size), 2)
    ]


# -- agreement ---------------------------------------------------------------------------------

NODES = [f"_:n{index}" for index in range(6)]
TERMS = st.sampled_from(
    [
        *NODES,
        "<http://example.org/a>",
        "<http://example.org/b>",
        '"x"',
        '"y"@en',
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    ]
)
QUADS = st.lists(
    st.tuples(
        st.sampled_from([*NODES, "<http://example.org/s>"]),
        st.sampled_from([P, Q]),
        TERMS,
        st.sampled_from(["", "", "", "_:g0", "_:g1", "<http://example.org/g>"]),
    ),
    max_size=14,
)


@settings(max_examples=600, deadline=None)
@given(quads=QUADS)
def test_labels_like_pyld_and_pyoxigraph_whenever_it_answers(quads):
    try:
        ours = canonicalize_quads(quads)
    except NeedsFullAlgorithm:
        return
    assert ours == pyld_canonical(list(set(quads)))
    assert ours == oxigraph_canonical(list(set(quads)))
    assert canonicalize_quads(quads, use_oxigraph=True) == ours


def test_labels_identical_lists_without_the_general_algorithm():
    """Three identical rdf:Lists hanging off different IRIs: their inner nodes share first-degree
    hashes, and Hash N-Degree Quads tells them apart without any permutation."""
    first = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
    rest = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"
    nil = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>"
    quads: list[Quad] = []
    for owner in range(3):
        nodes = [f"_:l{owner}x{index}" for index in range(3)]
        quads.append((f"<http://example.org/owner/{owner}>", P, nodes[0], ""))
        for index, node in enumerate(nodes):
            quads.append((node, first, f'"{"ABC"[index]}"', ""))
            quads.append((node, rest, nodes[index + 1] if index < 2 else nil, ""))
    ours = canonicalize_quads(quads)
    assert ours == pyld_canonical(quads) == oxigraph_canonical(quads)


@pytest.mark.parametrize(
    "quads",
    [
        [("_:a", P, "_:a", "")],  # a self link (pyld counts the quad twice)
        [("_:a", P, '"x"', "_:a")],  # a node naming its own graph
        [("_:a", P, '"x"', ""), ("_:b", P, '"x"', "")],  # identical, disconnected: a tie
        clique_quads(3),  # permutations to try
    ],
    ids=["self-link", "own-graph", "tie", "clique"],
)
def test_defers_what_only_the_general_algorithm_decides(quads):
    with pytest.raises(NeedsFullAlgorithm):
        canonicalize_quads(quads)


def test_plain_quads_only():
    quads = [("<http://example.org/b>", P, '"2"', ""), ("<http://example.org/a>", P, '"1"', "")]
    assert canonicalize_quads(quads) == "".join(sorted(serialize_quad(quad) for quad in quads))


def test_duplicates_count_once():
    quads = [("_:x", P, '"1"', ""), ("_:x", P, '"1"', ""), ("<http://example.org/a>", Q, "_:x", "")]
    assert canonicalize_quads(quads).count("\n") == 2


# -- limits ------------------------------------------------------------------------------------


def test_refuses_the_clique_poison_quickly():
    quads = clique_quads(10)
    with pytest.raises(NeedsFullAlgorithm):
        canonicalize_quads(quads)
    started = time.perf_counter()
    with pytest.raises(CanonicalizationTooComplex):
        canonicalize_pyld_dataset(parse_nquads("".join(map(serialize_quad, quads))))
    assert time.perf_counter() - started < 1


def test_pyld_budget_allows_what_a_small_clique_needs():
    quads = clique_quads(3)
    dataset = parse_nquads("".join(map(serialize_quad, quads)))
    assert canonicalize_pyld_dataset(dataset) == pyld_canonical(quads)


def test_pyld_budget_is_configurable():
    dataset = parse_nquads("".join(map(serialize_quad, clique_quads(4))))
    with pytest.raises(CanonicalizationTooComplex):
        canonicalize_pyld_dataset(dataset, limits=CanonicalizationLimits(max_work=3))


def test_call_budget_of_the_labeller():
    first = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
    rest = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"
    quads: list[Quad] = []
    for owner in range(2):
        nodes = [f"_:o{owner}x{index}" for index in range(30)]
        quads.append((f"<http://example.org/{owner}>", P, nodes[0], ""))
        for index, node in enumerate(nodes):
            quads.append((node, first, '"same"', ""))
            if index < 29:
                quads.append((node, rest, nodes[index + 1], ""))
    assert canonicalize_quads(quads) == pyld_canonical(quads)
    with pytest.raises(NeedsFullAlgorithm):
        canonicalize_quads(quads, limits=CanonicalizationLimits(max_work=10))


def test_refuses_too_many_blank_nodes():
    quads = [(f"_:x{index}", P, f'"{index}"', "") for index in range(50)]
    dataset = parse_nquads("".join(map(serialize_quad, quads)))
    limits = CanonicalizationLimits(max_blank_nodes=49)
    with pytest.raises(TooManyBlankNodes):
        canonicalize_quads(quads, limits=limits)
    with pytest.raises(TooManyBlankNodes):
        canonicalize_pyld_dataset(dataset, limits=limits)


def test_orderings_bound_pyld_permutations():
    """The budget counts orderings as a multiset: pyld's generator never yields more."""
    for size in range(1, 8):
        for combination in itertools.product("abc", repeat=size):
            yielded = sum(1 for _ in permutations(list(combination)))
            assert yielded <= _orderings(combination)
    assert _orderings(["a"] * 50) == 1
    assert _orderings(list("abcd")) == math.factorial(4)
    assert _orderings(list("aabb")) == 6


def test_orderings_refuse_huge_groups_outright():
    with pytest.raises(CanonicalizationTooComplex):
        _orderings([f"n{index}" for index in range(13)])
