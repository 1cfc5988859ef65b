"""RDF Dataset Canonicalization (RDFC-1.0) with a bounded amount of work.

RDFC-1.0 is cheap when blank nodes can be told apart by the quads they appear in, and factorial
in the worst case, when blank nodes look alike and the algorithm has to try orderings of them (a
clique of ten blank nodes, the W3C test ``test074c``, ran for over twenty minutes in one
implementation; w3c/rdf-canon#120). The specification asks implementations to stop by default.

Two implementations live here, both with limits:

* :func:`canonicalize_quads` labels blank nodes itself, for the datasets where every
  implementation must agree: the blank node count is limited, nodes with a unique
  first-degree hash are labelled in hash order, and Hash N-Degree Quads runs only while no group
  of related blank nodes has more than one entry (nothing to permute) and no two results tie,
  within a call budget. Anything else raises :class:`NeedsFullAlgorithm`.
* :func:`canonicalize_pyld_dataset` runs pyld's URDNA2015 (the same algorithm; RDFC-1.0 is its
  standardised name) on pyld's own dataset, counting each Hash N-Degree Quads call and each
  ordering it is about to try, and raises :class:`CanonicalizationTooComplex` once the budget
  is spent. It is the reference.

pyoxigraph (:func:`canonicalize_with_oxigraph`) is only given datasets the first check accepted:
it cannot be interrupted (a clique of 7 blank nodes takes it 0.6 s, of 8 several seconds), and
where orderings matter it does not agree with pyld and jsonld.js.

Quads here are tuples of four N-Quads terms ``(subject, predicate, object, graph)``, the graph
being ``""`` for the default graph; blank nodes are written ``_:label``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import pyoxigraph
from pyld.canon import URDNA2015

from app.credentials.errors import CanonicalizationTooComplex, TooManyBlankNodes

Quad = tuple[str, str, str, str]

_LARGEST_PERMUTED_GROUP = 12
"""12! orderings already exceed any sensible budget; larger groups are refused outright."""


@dataclass(frozen=True, slots=True)
class CanonicalizationLimits:
    """How much canonicalization work one document may ask for.

    ``max_blank_nodes`` bounds the dataset (a CLR bundling 23 achievement credentials has about
    1,200); ``max_work`` bounds the Hash N-Degree Quads phase, counted in calls plus orderings
    tried (the credentials this service issues need a few dozen; ``test074c`` asks for
    millions). ``max_value_work`` bounds pyld's conversion to RDF, which compares each value of
    a node's property with every value already there: it is the sum, over each property of each
    node (a node named in several places counts once), of the square of its number of values.
    One property with 1,000 values costs pyld about a second; credentials are far below.
    """

    max_blank_nodes: int = 4096
    max_work: int = 10_000
    max_value_work: int = 1_000_000

    def __post_init__(self) -> None:
        if min(self.max_blank_nodes, self.max_work, self.max_value_work) < 1:
            raise ValueError("canonicalization limits must be positive")


DEFAULT_CANONICALIZATION_LIMITS = CanonicalizationLimits()


class NeedsFullAlgorithm(Exception):
    """The quads need the general algorithm: the reference pipeline (pyld) decides them.

    Where Hash N-Degree Quads has orderings to try, pyld and jsonld.js (rdf-canonize) enumerate
    them with a generator that skips orders of a list repeating a node, and where two results
    tie, labels follow input order. pyoxigraph does not agree with them there: on the complete
    Open Badges 3.0 example (duplicated endorsements) it labels differently from both, which
    agree with each other. So only datasets where neither can happen are labelled here.
    """


def canonicalize_quads(
    quads: Iterable[Quad],
    *,
    limits: CanonicalizationLimits = DEFAULT_CANONICALIZATION_LIMITS,
    use_oxigraph: bool = False,
) -> str:
    """Canonical N-Quads of ``quads``, or :class:`NeedsFullAlgorithm` (see the module)."""
    plain: set[str] = set()
    blank: set[Quad] = set()
    for quad in quads:
        if quad[0][0] == "_" or quad[2][0] == "_" or quad[3][:1] == "_":
            blank.add(quad)
        else:
            plain.add(serialize_quad(quad))
    return canonicalize_split(plain, blank, limits=limits, use_oxigraph=use_oxigraph)


def canonicalize_split(
    plain_lines: Collection[str],
    blank_quads: Collection[Quad],
    *,
    limits: CanonicalizationLimits = DEFAULT_CANONICALIZATION_LIMITS,
    use_oxigraph: bool = False,
) -> str:
    """Canonical N-Quads of a dataset given as the N-Quads lines of its quads without blank
    nodes and the quads with one, both without repeats; or :class:`NeedsFullAlgorithm`.

    With ``use_oxigraph`` the labels, once known not to depend on input order, are computed
    again by pyoxigraph.
    """
    mentions: dict[str, list[Quad]] = {}
    for quad in blank_quads:
        subject, _, object_, graph = quad
        blank_subject = subject[0] == "_"
        blank_object = object_[0] == "_"
        # ``_:x <p> _:x``: pyld lists such a quad twice in the node's first-degree input,
        # other implementations once; pyld, the reference, decides those.
        if (blank_subject and subject in (object_, graph)) or (blank_object and object_ == graph):
            raise NeedsFullAlgorithm
        if blank_subject:
            mentions.setdefault(subject, []).append(quad)
        if blank_object:
            mentions.setdefault(object_, []).append(quad)
        if graph[:1] == "_":
            mentions.setdefault(graph, []).append(quad)
    check_blank_node_count(len(mentions), limits)
    canonical = _Labeller(mentions, limits.max_work).labels()
    if use_oxigraph:
        return canonicalize_with_oxigraph(
            "".join(plain_lines) + "".join(serialize_quad(quad) for quad in blank_quads)
        )
    lines = list(plain_lines)
    get = canonical.get
    for subject, predicate, object_, graph in blank_quads:
        subject = get(subject, subject)
        object_ = get(object_, object_)
        if graph:
            lines.append(f"{subject} {predicate} {object_} {get(graph, graph)} .\n")
        else:
            lines.append(f"{subject} {predicate} {object_} .\n")
    lines.sort()
    return "".join(lines)


def check_blank_node_count(count: int, limits: CanonicalizationLimits) -> None:
    if count > limits.max_blank_nodes:
        raise TooManyBlankNodes(
            f"the document yields {count} blank nodes; at most {limits.max_blank_nodes} are"
            " canonicalized"
        )


def check_value_work(work: int, limits: CanonicalizationLimits) -> None:
    if work > limits.max_value_work:
        raise CanonicalizationTooComplex(
            "the document gives some of its nodes too many values for one property to be"
            f" converted to RDF within the limits (work {work}, at most"
            f" {limits.max_value_work})"
        )


def serialize_quad(quad: Quad) -> str:
    subject, predicate, object_, graph = quad
    if graph:
        return f"{subject} {predicate} {object_} {graph} .\n"
    return f"{subject} {predicate} {object_} .\n"


def canonicalize_with_oxigraph(text: str) -> str:
    """pyoxigraph's RDFC-1.0 of N-Quads ``text``, for datasets :func:`canonicalize_split`
    accepted."""
    data = text.encode("utf-8")
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = [line + "\n" for line in str(dataset).split("\n") if line]
    lines.sort()
    return "".join(lines)


def canonicalize_pyld_dataset(
    dataset: Mapping[str, list[dict[str, Any]]],
    *,
    limits: CanonicalizationLimits = DEFAULT_CANONICALIZATION_LIMITS,
) -> str:
    """Canonical N-Quads of a pyld ``to_rdf`` dataset, with the blank-node and work limits."""
    blank_nodes: set[str] = set()
    for graph_name, triples in dataset.items():
        if graph_name.startswith("_:"):
            blank_nodes.add(graph_name)
        for triple in triples:
            for position in ("subject", "object"):
                if triple[position]["type"] == "blank node":
                    blank_nodes.add(triple[position]["value"])
    check_blank_node_count(len(blank_nodes), limits)
    algorithm = _BudgetedUrdna2015(limits.max_work)
    canonical: str = algorithm.main(dict(dataset), {"format": "application/n-quads"})
    return canonical


def _first_degree_hash(node: str, quads: Sequence[Quad]) -> str:
    """RDFC-1.0 4.6: the node's quads with itself as ``_:a`` and other blank nodes as ``_:z``."""
    lines = []
    for subject, predicate, object_, graph in quads:
        if subject[0] == "_":
            subject = "_:a" if subject == node else "_:z"
        if object_[0] == "_":
            object_ = "_:a" if object_ == node else "_:z"
        if graph:
            if graph[0] == "_":
                graph = "_:a" if graph == node else "_:z"
            lines.append(f"{subject} {predicate} {object_} {graph} .\n")
        else:
            lines.append(f"{subject} {predicate} {object_} .\n")
    lines.sort()
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


class _Issuer:
    """RDFC-1.0 4.5 identifier issuer."""

    __slots__ = ("issued", "order", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {}
        self.order: list[str] = []

    def issue(self, node: str) -> str:
        found = self.issued.get(node)
        if found is None:
            found = self.issued[node] = f"{self.prefix}{len(self.order)}"
            self.order.append(node)
        return found


class _Labeller:
    """RDFC-1.0 4.4 for datasets whose labels cannot depend on input order (else a signal).

    With every related-node group of one entry there is a single permutation to try, and every
    identifier that enters a hash (canonical, temporary or first-degree) follows from the data
    alone; with no two Hash N-Degree Quads results equal, the canonical order follows from the
    hashes. Both are checked as the algorithm runs.
    """

    def __init__(self, mentions: Mapping[str, Sequence[Quad]], max_calls: int) -> None:
        self._mentions = mentions
        self._calls_left = max_calls
        self._first_degree = {
            node: _first_degree_hash(node, found) for node, found in mentions.items()
        }
        self._canonical = _Issuer("_:c14n")
        self._related: dict[str, list[tuple[str, str]]] = {}
        self._hashes: dict[str, str] = {}

    def labels(self) -> dict[str, str]:
        groups: dict[str, list[str]] = {}
        for node, value in self._first_degree.items():
            groups.setdefault(value, []).append(node)
        shared: list[list[str]] = []
        for value in sorted(groups):
            if len(groups[value]) == 1:
                self._canonical.issue(groups[value][0])
            else:
                shared.append(groups[value])
        for group in shared:
            results: list[tuple[str, _Issuer]] = []
            for node in group:
                if node in self._canonical.issued:
                    continue
                issuer = _Issuer("_:b")
                issuer.issue(node)
                results.append(self._hash_n_degree_quads(node, issuer))
            results.sort(key=lambda result: result[0])
            for earlier, later in itertools.pairwise(results):
                if earlier[0] == later[0]:
                    raise NeedsFullAlgorithm  # a tie: pyld would go by input order
            for _, issuer in results:
                for existing in issuer.order:
                    self._canonical.issue(existing)
        return self._canonical.issued

    def _related_nodes(self, node: str) -> list[tuple[str, str]]:
        """Each (position and predicate, related blank node) of the node's quads."""
        found = self._related.get(node)
        if found is None:
            found = []
            for subject, predicate, object_, graph in self._mentions[node]:
                if subject[0] == "_" and subject != node:
                    found.append(("s" + predicate, subject))
                if object_[0] == "_" and object_ != node:
                    found.append(("o" + predicate, object_))
                if graph[:1] == "_" and graph != node:
                    found.append(("g", graph))
            self._related[node] = found
        return found

    def _hash_n_degree_quads(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """RDFC-1.0 4.8, for related-node groups of one entry each (one permutation).

        With one permutation per group, the issuer copy the algorithm makes for it always
        becomes the issuer for what follows, so ``issuer`` is updated in place instead.
        """
        self._calls_left -= 1
        if self._calls_left < 0:
            raise NeedsFullAlgorithm
        canonical = self._canonical.issued
        issued = issuer.issued
        related: dict[str, str] = {}
        for prefix, other in self._related_nodes(node):
            # RDFC-1.0 4.7 Hash Related Blank Node.
            identifier = canonical.get(other) or issued.get(other) or self._first_degree[other]
            hashed = self._sha256(prefix + identifier)
            if hashed in related:
                raise NeedsFullAlgorithm  # orderings to try: pyld's generator is order-bound
            related[hashed] = other
        data: list[str] = []
        for hashed in sorted(related):
            data.append(hashed)
            other = related[hashed]
            path = canonical.get(other)
            if path is None:
                recurse = other not in issuer.issued
                path = issuer.issue(other)
                if recurse:
                    result_hash, issuer = self._hash_n_degree_quads(other, issuer)
                    path += issuer.issue(other) + "<" + result_hash + ">"
            data.append(path)
        return hashlib.sha256("".join(data).encode("utf-8")).hexdigest(), issuer

    def _sha256(self, text: str) -> str:
        found = self._hashes.get(text)
        if found is None:
            found = self._hashes[text] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return found


class _BudgetedUrdna2015(URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 that stops once Hash N-Degree Quads has used up its budget."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self._budget = budget
        self._spent = 0

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        # Called exactly once per Hash N-Degree Quads call, before its permutations are tried.
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        cost = 1
        for nodes in related.values():
            cost += _orderings(nodes)
        self._spent += cost
        if self._spent > self._budget:
            _refuse()
        return related


def _orderings(nodes: Sequence[str]) -> int:
    """How many different orders of ``nodes`` exist (a repeated node counts once).

    pyld's permutation generator yields at most this many (it skips orders that only swap equal
    entries), so it bounds the work of one group.
    """
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node] = counts.get(node, 0) + 1
    if len(counts) > _LARGEST_PERMUTED_GROUP:
        _refuse()
    orderings, placed = 1, 0
    for repeated in counts.values():
        placed += repeated
        orderings *= math.comb(placed, repeated)
    return orderings


def _refuse() -> NoReturn:
    raise CanonicalizationTooComplex(
        "canonicalizing this document needs more work than allowed: too many blank nodes can"
        " only be told apart by trying their orderings"
    )
