"""RDFC-1.0 canonical N-Quads of a JSON-LD document, checked strictly first.

:func:`canonicalize` is the one entry point: it refuses what ``expand_strict`` refuses (unknown
contexts, dropped terms, relative IRIs, data RDF would lose, oversized input), refuses what would
make the canonical bytes ambiguous (``rdf_terms``), bounds the canonicalization work (``rdfc``),
and returns the canonical N-Quads. Three engines give the same bytes:

``Engine.REFERENCE``
    ``expand_strict``, then pyld's ``to_rdf`` of the expanded form, then pyld's URDNA2015 with a
    work budget. This is ``pyld.jsonld.normalize(document, {"algorithm": "URDNA2015", "format":
    "application/n-quads"})`` with the strict checks in front (``to_rdf`` of the expanded form
    equals ``to_rdf`` of the document, and expanding once saves the second context pass).
``Engine.FAST`` (the default)
    ``jsonld_to_rdf`` converts the document in one walk over cached pinned contexts; RDFC-1.0
    labels the blank nodes in Python when their first-degree hashes are all different (the case
    for credentials), and with pyoxigraph when they are not but the work is provably small.
    Whatever the fast converter does not handle, and any dataset that needs the general
    algorithm, goes to the reference engine, which then gives the answer or the error.
``Engine.OXIGRAPH``
    As FAST, with pyoxigraph labelling every dataset it may safely be given.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from app.credentials.document_loader import (
    DocumentLoader,
    RemoteDocument,
    default_document_loader,
)
from app.credentials.errors import ContextNotAllowed, InvalidJsonLd, NotJson
from app.credentials.json_path import ROOT
from app.credentials.jsonld import expand_strict
from app.credentials.jsonld_to_rdf import OutsideFastPath, context_cache_for, document_to_quads
from app.credentials.limits import DEFAULT_LIMITS, DocumentLimits
from app.credentials.rdf_terms import check_iri, check_language_tag, check_literal_text
from app.credentials.rdfc import (
    DEFAULT_CANONICALIZATION_LIMITS,
    CanonicalizationLimits,
    NeedsFullAlgorithm,
    canonicalize_pyld_dataset,
    canonicalize_split,
    check_value_work,
)

__all__ = [
    "DEFAULT_CANONICALIZATION_LIMITS",
    "CanonicalNQuads",
    "CanonicalizationLimits",
    "Engine",
    "canonicalize",
    "canonicalize_detailed",
]


class Engine(enum.Enum):
    REFERENCE = "reference"
    FAST = "fast"
    OXIGRAPH = "oxigraph"


@dataclass(frozen=True, slots=True)
class CanonicalNQuads:
    """The canonical N-Quads, and which path produced them (for tests and benchmarks)."""

    nquads: str
    path: str
    """``"fast"``, ``"oxigraph"`` or ``"reference"``."""


def canonicalize(
    document: Mapping[str, Any],
    loader: DocumentLoader | None = None,
    *,
    engine: Engine = Engine.FAST,
    limits: DocumentLimits = DEFAULT_LIMITS,
    canonicalization_limits: CanonicalizationLimits = DEFAULT_CANONICALIZATION_LIMITS,
) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document``, or a CredentialError.

    ``loader`` defaults to the pinned contexts; the fast engines cache what it serves, so it must
    serve the same document for a URL every time.
    """
    return canonicalize_detailed(
        document,
        loader,
        engine=engine,
        limits=limits,
        canonicalization_limits=canonicalization_limits,
    ).nquads


def canonicalize_detailed(
    document: Mapping[str, Any],
    loader: DocumentLoader | None = None,
    *,
    engine: Engine = Engine.FAST,
    limits: DocumentLimits = DEFAULT_LIMITS,
    canonicalization_limits: CanonicalizationLimits = DEFAULT_CANONICALIZATION_LIMITS,
) -> CanonicalNQuads:
    """As :func:`canonicalize`, also saying which path answered."""
    loader = loader if loader is not None else default_document_loader()
    if engine is not Engine.REFERENCE:
        use_oxigraph = engine is Engine.OXIGRAPH
        try:
            quads = document_to_quads(document, context_cache_for(loader), limits=limits)
            if quads.value_work > canonicalization_limits.max_value_work:
                raise OutsideFastPath("the reference path refuses it with the right error")
            nquads = canonicalize_split(
                quads.plain_lines,
                quads.blank_quads,
                limits=canonicalization_limits,
                use_oxigraph=use_oxigraph,
            )
            # A lone surrogate anywhere in the document ends up here (or outside the fast
            # path): such text is not Unicode, and the reference path refuses it.
            nquads.encode("utf-8")
        except (OutsideFastPath, NeedsFullAlgorithm, SyntaxError, ValueError):
            pass  # ValueError: UnicodeEncodeError, and pyoxigraph refusing a term
        else:
            return CanonicalNQuads(nquads, "oxigraph" if use_oxigraph else "fast")
    return CanonicalNQuads(
        _reference(document, loader, limits, canonicalization_limits), "reference"
    )


def _reference(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    limits: DocumentLimits,
    canonicalization_limits: CanonicalizationLimits,
) -> str:
    try:
        expanded = expand_strict(document, loader, limits=limits)
    except UnicodeEncodeError as failure:
        raise NotJson("the document holds a string that is not valid Unicode", ROOT) from failure
    check_value_work(_value_work(expanded), canonicalization_limits)
    dataset = _to_rdf(expanded)
    _check_terms(dataset)
    return canonicalize_pyld_dataset(dataset, limits=canonicalization_limits)


def _value_work(expanded: list[dict[str, Any]]) -> int:
    """``CanonicalizationLimits.max_value_work`` of an expanded document, counted the way
    pyld's node map meets the values, in one linear pass (before pyld's quadratic one)."""
    counts: dict[tuple[object, object, str], int] = {}
    fresh = itertools.count()

    def visit(element: Any, graph: object) -> None:
        if isinstance(element, list):
            for item in element:
                visit(item, graph)
            return
        if not isinstance(element, dict) or "@value" in element:
            return
        if "@list" in element:
            visit(element["@list"], graph)
            return
        node_id = element.get("@id")
        node: object = node_id if isinstance(node_id, str) else next(fresh)
        for key, values in element.items():
            if key == "@graph":
                visit(values, node)
            elif key == "@included":
                visit(values, graph)
            elif key == "@type" or not key.startswith("@"):
                added = len(values) if isinstance(values, list) else 1
                counts[(graph, node, key)] = counts.get((graph, node, key), 0) + added
                if key != "@type":
                    visit(values, graph)

    visit(expanded, "@default")
    return sum(count * count for count in counts.values())


def _refuse_every_url(url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument:
    raise ContextNotAllowed(url)


def _to_rdf(expanded: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """pyld's RDF dataset of an already expanded document (no context is loaded)."""
    options = {
        "base": None,
        "documentLoader": _refuse_every_url,
        "contextResolver": ContextResolver({}, _refuse_every_url),
        "processingMode": "json-ld-1.1",
    }
    try:
        dataset: dict[str, list[dict[str, Any]]] = pyld_jsonld.to_rdf(expanded, options)
    except OverflowError as failure:
        raise InvalidJsonLd("a number is too large for an RDF xsd:double", ROOT) from failure
    except pyld_jsonld.JsonLdError as failure:
        reason = failure.args[0] if failure.args else ""
        raise InvalidJsonLd(f"invalid JSON-LD: {reason}", ROOT) from failure
    return dataset


def _check_terms(dataset: Mapping[str, list[dict[str, Any]]]) -> None:
    """Refuse terms pyld would write into N-Quads ambiguously (see ``rdf_terms``)."""
    for graph_name, triples in dataset.items():
        if graph_name != "@default" and not graph_name.startswith("_:"):
            check_iri(graph_name)
        for triple in triples:
            for position in ("subject", "predicate", "object"):
                term = triple[position]
                if term["type"] == "IRI":
                    check_iri(term["value"])
                elif term["type"] == "literal":
                    check_literal_text(term["value"])
                    check_iri(term["datatype"])
                    if term.get("language") is not None:
                        check_language_tag(term["language"])
