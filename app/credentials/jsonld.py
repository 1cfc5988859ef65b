"""Strict JSON-LD expansion: refuse, never drop.

JSON-LD quietly drops what no context defines and resolves relative IRIs against whatever base
the reader happens to have; a signature over the canonical form then covers less than the JSON a
person reads (w3c/vc-data-integrity#139). pyld has no safe mode, so :func:`expand_strict` builds
one from what pyld 3 offers:

* contexts come only from the injected loader (pyld's process-wide context cache is bypassed
  with a resolver private to the call, so no context another caller loaded can leak in, and
  pyld's in-place ``@import`` merge cannot poison a later call);
* pyld's ``on_property_dropped`` hook reports every property expansion drops, including inside
  type-scoped and property-scoped contexts;
* expansion runs with no base, so relative IRIs stay relative and are refused afterwards,
  together with what expansion keeps but RDF cannot carry (see ``expansion_audit``);
* size, depth and node limits are checked before pyld sees the document.

Each problem carries the JSON path where it sits in the caller's document (see
``located_json``). JSON ``null`` values are accepted: JSON-LD drops them, and a reader takes them
to mean "absent" anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from app.credentials.document_loader import DocumentLoader
from app.credentials.errors import (
    ContextNotAllowed,
    CredentialError,
    EmptyExpansion,
    InvalidJsonLd,
    UndefinedTerm,
)
from app.credentials.expansion_audit import audit_expansion
from app.credentials.iris import is_absolute_iri
from app.credentials.json_path import ROOT
from app.credentials.jsonld_to_rdf import OutsideFastPath, context_cache_for, document_to_quads
from app.credentials.limits import DEFAULT_LIMITS, DocumentLimits
from app.credentials.located_json import LocatedDocument, locate, path_of

__all__ = ["DEFAULT_LIMITS", "DocumentLimits", "check_expands_strictly", "expand_strict"]


def expand_strict(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    *,
    limits: DocumentLimits = DEFAULT_LIMITS,
) -> list[dict[str, Any]]:
    """Expand ``document`` with contexts from ``loader`` only, or raise a CredentialError.

    The error raised is the first problem found; the others found in the same pass are in its
    ``related`` attribute.
    """
    located = locate(document, limits)
    _refuse_relative_context_references(located)
    dropped_terms: list[object] = []
    expanded = _run_pyld(located, loader, dropped_terms.append)
    problems = _undefined_term_problems(dropped_terms, located)
    plain, audit_problems = audit_expansion(expanded)
    problems.extend(audit_problems)
    if not plain and any(key != "@context" for key in located.root):
        problems.append(EmptyExpansion("nothing in the document survives JSON-LD expansion", ROOT))
    if problems:
        first, *others = _unique(problems)
        first.related = tuple(others)
        raise first
    return plain


def check_expands_strictly(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    *,
    limits: DocumentLimits = DEFAULT_LIMITS,
) -> None:
    """Raise what :func:`expand_strict` would raise, or nothing.

    The one-walk converter of :mod:`~app.credentials.jsonld_to_rdf` hands back every document
    that strict expansion refuses, so when it converts a document the answer is known without
    running pyld (about forty times slower); anything else takes the full path.
    """
    try:
        document_to_quads(document, context_cache_for(loader), limits=limits)
    except OutsideFastPath:
        expand_strict(document, loader, limits=limits)


def _refuse_relative_context_references(located: LocatedDocument) -> None:
    """pyld would resolve these against a base; none can name a pinned context."""
    for url, path in located.context_references.items():
        if not is_absolute_iri(url):
            raise ContextNotAllowed(url, path)


def _run_pyld(
    located: LocatedDocument, loader: DocumentLoader, on_dropped: Callable[[object], None]
) -> list[Any]:
    options = {
        "documentLoader": loader,
        "base": None,
        "contextResolver": ContextResolver({}, loader),
        "processingMode": "json-ld-1.1",
    }
    processor = pyld_jsonld.JsonLdProcessor(on_property_dropped=on_dropped)
    try:
        expanded: list[Any] = processor.expand(located.root, options)
    except Exception as failure:  # pyld raises more than JsonLdError on hostile input
        raise _as_credential_error(failure, located) from failure
    return expanded


def _as_credential_error(failure: Exception, located: LocatedDocument) -> CredentialError:
    for cause in _causes(failure):
        if isinstance(cause, ContextNotAllowed):
            return ContextNotAllowed(cause.url, located.context_references.get(cause.url, ROOT))
        if isinstance(cause, CredentialError):
            return cause
    if isinstance(failure, pyld_jsonld.JsonLdError):
        reason = f"{failure.code or failure.type}: {failure.args[0] if failure.args else ''}"
    else:
        reason = f"the JSON-LD processor failed ({type(failure).__name__})"
    return InvalidJsonLd(f"invalid JSON-LD: {reason}", ROOT)


def _causes(failure: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = failure
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _undefined_term_problems(
    dropped_terms: list[object], located: LocatedDocument
) -> list[CredentialError]:
    problems: list[CredentialError] = []
    for term in dropped_terms:
        if isinstance(term, str):
            problems.append(
                UndefinedTerm(
                    f"{str(term)!r} is not defined by the document's contexts",
                    path_of(term) or ROOT,
                )
            )
        elif located.keyword_lookalikes:
            problems.extend(
                UndefinedTerm("JSON-LD defines no such keyword", path)
                for path in located.keyword_lookalikes
            )
        else:
            problems.append(
                UndefinedTerm("a property whose term a context maps to null was dropped", ROOT)
            )
    return problems


def _unique(problems: list[CredentialError]) -> list[CredentialError]:
    seen: set[tuple[str, str | None, str]] = set()
    unique: list[CredentialError] = []
    for problem in problems:
        key = (problem.code, problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique
