"""JSON-LD to RDF quads, fast, for the documents this service signs and most it verifies.

pyld spends milliseconds per credential re-processing the same pinned contexts and walking its
own intermediate forms (expanded document, node map, triples). This module does the JSON-LD 1.1
expansion and RDF conversion in one walk over the document, for a deliberately small subset of
JSON-LD, and steps aside for everything else.

What is cached, and why it is safe. Context processing is done by pyld itself
(``_process_context``, the same call its expansion makes), through a resolver private to one
:class:`ContextCache`, and its results are kept: the active context for each top-level list of
context URLs, and each step from an active context through a type-scoped or property-scoped
context. These are pure functions of pinned documents, so a cached step is the step pyld would
take again. The cache only ever sees pinned content: a document that carries an inline context
(anywhere), or a context URL the loader refuses, or a pinned context that uses ``@import`` (pyld
merges imports into the imported document in place, which would poison a shared cache), is not
converted here. The cache holds at most ``max_contexts`` active contexts, so documents choosing
many combinations of types cannot grow it without bound; past that, they are not converted here.
The loader must serve the same document for a URL every time (pinned loaders do).

What is refused, i.e. handed back to the reference path (:class:`OutsideFastPath`). Anything
``expand_strict`` would refuse, and everything this module does not implement: inline or nested
``@context``; keys that expand to nothing, to a relative IRI or to a blank node; keywords other
than ``@id``, ``@type``, ``@value`` and ``@language`` (on value objects); terms with reverse,
nest, index, language or direction settings, ``@json`` values, containers other than ``@set``,
``@list`` and ``@graph``, lists of lists; ids and types that are not absolute IRIs or blank node
identifiers; unsafe IRIs, malformed language tags and control characters (see ``rdf_terms``);
``xsd:double`` strings; numbers too large for a double; anything pyld would raise an error for.
The reference path then produces the authoritative result or error. A property test checks on
thousands of generated credentials that whenever this module answers, its quads canonicalize to
exactly pyld's N-Quads.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from app.credentials.document_loader import DocumentLoader, RemoteDocument
from app.credentials.limits import DEFAULT_LIMITS, DocumentLimits
from app.credentials.rdf_terms import (
    RDF_FIRST,
    RDF_LANGSTRING,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    XSD_BOOLEAN,
    XSD_DOUBLE,
    XSD_INTEGER,
    XSD_STRING,
    canonical_double,
    escape_literal,
    has_control_character,
    is_language_tag,
    is_safe_iri,
)
from app.credentials.rdfc import Quad, serialize_quad

KEYWORDS: frozenset[str] = frozenset(pyld_jsonld.KEYWORDS)
_KEYWORD_FORM = re.compile(r"^@[a-zA-Z]+$")  # pyld's test, including its re.match semantics
_PYLD_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_NEEDS_ESCAPING = re.compile(r'[\x00-\x1f\x7f"\\]')
_SUPPORTED_CONTAINERS = frozenset({"@set", "@list", "@graph"})
_UNSUPPORTED_TERM_ENTRIES = ("@language", "@direction", "@nest", "@index")
_MAX_REMEMBERED_KEYS = 2048
_NUMBER_TEXT_BOUND = 32
"""Characters a JSON number other than a huge integer takes, at most."""
_TYPE_IRI = "<" + RDF_TYPE + ">"
_FIRST_IRI = "<" + RDF_FIRST + ">"
_REST_IRI = "<" + RDF_REST + ">"
_NIL_IRI = "<" + RDF_NIL + ">"


class OutsideFastPath(Exception):
    """The document needs the reference path (pyld), which gives the authoritative answer."""


class _Term:
    """What one term definition of one active context means for conversion."""

    __slots__ = ("coercion", "iri", "is_graph", "is_list", "scoped", "supported")

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self.iri: str | None = mapping.get("@id")
        self.coercion: str | None = mapping.get("@type")
        containers = mapping.get("@container") or []
        if isinstance(containers, str):
            containers = [containers]
        self.is_list = "@list" in containers
        self.is_graph = "@graph" in containers
        self.scoped: Any = mapping.get("@context")
        self.supported = (
            isinstance(self.iri, str)
            and not mapping.get("reverse")
            and not any(entry in mapping for entry in _UNSUPPORTED_TERM_ENTRIES)
            and set(containers) <= _SUPPORTED_CONTAINERS
            and not (self.is_list and self.is_graph)
            and self.coercion not in {"@json", "@none"}
        )


class _Key:
    """What a key of a node means in one active context."""

    __slots__ = (
        "coercion",
        "datatype",
        "expanded",
        "keyword",
        "plain",
        "predicate",
        "string_suffix",
        "term",
    )

    def __init__(self, context: _Context, key: str) -> None:
        self.term = context.term(key) if key in context.mappings else None
        self.expanded = expand_iri(context, key, vocab=True)
        self.keyword = self.expanded in KEYWORDS
        safe = self.expanded is not None and not self.keyword and is_safe_iri(self.expanded)
        self.predicate = "<" + self.expanded + ">" if safe and self.expanded else None
        term = self.term
        self.coercion = term.coercion if term is not None else None
        self.datatype = self.coercion if self.coercion not in (None, "@id", "@vocab") else None
        # What follows the quoted text of a string value that needs no escaping: nothing, or
        # its datatype; None when such a value is not simply a literal.
        self.string_suffix: str | None = None
        if self.coercion in ("@id", "@vocab"):
            pass
        elif self.datatype is None or self.datatype == XSD_STRING:
            self.string_suffix = ""
        elif self.datatype != XSD_DOUBLE and is_safe_iri(self.datatype):
            self.string_suffix = "^^<" + self.datatype + ">"
        # A plain key's values expand in this same context, with no container to apply.
        self.plain = (
            context.supported
            and (self.datatype is None or is_safe_iri(self.datatype))
            and (
                term is None
                or (
                    term.supported
                    and term.scoped is None
                    and not term.is_list
                    and not term.is_graph
                )
            )
        )


_NO_TERM = object()


class _Context:
    """A pyld active context, with what conversion has learnt about it so far."""

    __slots__ = (
        "has_previous",
        "id_keys",
        "keys",
        "mappings",
        "previous",
        "raw",
        "supported",
        "terms",
        "transitions",
        "type_iris",
        "type_keys",
        "url_steps",
        "value_keys",
        "vocab",
    )

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.mappings: Mapping[str, Any] = raw["mappings"]
        self.vocab: str | None = raw.get("@vocab")
        self.supported = "@language" not in raw and "@direction" not in raw
        self.has_previous = raw.get("previousContext") is not None
        self.id_keys = self._aliases("@id")
        self.type_keys = self._aliases("@type")
        self.value_keys = self._aliases("@value")
        self.previous: _Context | None = None
        self.terms: dict[str, _Term | None] = {}
        self.keys: dict[str, _Key] = {}
        self.transitions: dict[tuple[int, bool], tuple[Any, _Context]] = {}
        self.type_iris: dict[str, str] = {}
        """Type names that expand to an IRI here, with their N-Quads term."""
        self.url_steps: dict[tuple[str, ...], _Context] = {}

    def _aliases(self, keyword: str) -> frozenset[str]:
        """The keys that expand to ``keyword`` here: itself and the terms aliasing it."""
        aliases = [term for term, mapping in self.mappings.items() if mapping]
        return frozenset([keyword, *(a for a in aliases if self.mappings[a].get("@id") == keyword)])

    def term(self, key: str) -> _Term | None:
        found = self.terms.get(key, _NO_TERM)
        if found is _NO_TERM:
            mapping = self.mappings.get(key)
            found = _Term(mapping) if mapping else None
            self.terms[key] = found
        return found  # type: ignore[return-value]

    def key(self, key: str) -> _Key:
        """What ``key`` expands to, and how its values are expanded."""
        known = self.keys.get(key)
        if known is None:
            known = _Key(self, key)
            if len(self.keys) < _MAX_REMEMBERED_KEYS:
                self.keys[key] = known
        return known


def expand_iri(context: _Context, value: str, *, vocab: bool) -> str | None:
    """pyld's IRI expansion with no base (relative references stay relative)."""
    if value[:1] == "@":
        if value in KEYWORDS:
            return value
        if _KEYWORD_FORM.match(value):
            return None
    mappings = context.mappings
    if vocab and value in mappings:
        mapping = mappings[value]
        return None if mapping is None else mapping.get("@id")
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix == "_" or suffix.startswith("//"):
            return value
        mapping = mappings.get(prefix)
        if mapping and mapping.get("_prefix"):
            return str(mapping["@id"]) + suffix
        if _PYLD_ABSOLUTE_IRI.match(value):
            return value
    if vocab and context.vocab is not None:
        return context.vocab + value
    return value


class _ImportRefusingLoader:
    """The cache's view of the loader: a pinned context using ``@import`` is not cached."""

    def __init__(self, loader: DocumentLoader) -> None:
        self._loader = loader

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument:
        remote = self._loader(url, options)
        if _mentions_import(remote["document"]):
            raise OutsideFastPath(f"the pinned context {url} uses @import")
        return remote


def _mentions_import(value: Any) -> bool:
    if isinstance(value, dict):
        return "@import" in value or any(_mentions_import(item) for item in value.values())
    if isinstance(value, list):
        return any(_mentions_import(item) for item in value)
    return False


class ContextCache:
    """Processed pinned contexts for one loader (see the module docstring for why it is safe)."""

    def __init__(self, loader: DocumentLoader, *, max_contexts: int = 256) -> None:
        checked = _ImportRefusingLoader(loader)
        self._options: dict[str, Any] = {
            "documentLoader": checked,
            "contextResolver": ContextResolver({}, checked),
            "base": None,
            "processingMode": "json-ld-1.1",
            "isFrame": False,
        }
        self._processor = pyld_jsonld.JsonLdProcessor()
        self._max_contexts = max_contexts
        self._contexts: dict[int, _Context] = {}
        self._lock = threading.RLock()
        with self._lock:
            self._initial = self._wrap(self._processor._get_initial_context(self._options))

    @property
    def size(self) -> int:
        """How many active contexts are held."""
        return len(self._contexts)

    @property
    def initial(self) -> _Context:
        """The active context a document starts in, before its own ``@context``."""
        return self._initial

    def with_urls(self, context: _Context, urls: tuple[str, ...]) -> _Context:
        """The active context after a node's ``@context`` listing ``urls``."""
        found = context.url_steps.get(urls)
        if found is None:
            with self._lock:
                found = context.url_steps.get(urls)
                if found is None:
                    found = self._process(context, list(urls), {})
                    context.url_steps[urls] = found
        return found

    def step(self, context: _Context, local: Any, *, property_scoped: bool) -> _Context:
        """The active context after a scoped context ``local``.

        A property-scoped context propagates and may override protected terms; a type-scoped
        one does neither (JSON-LD 1.1 expansion).
        """
        key = (id(local), property_scoped)
        found = context.transitions.get(key)
        if found is not None:
            return found[1]
        with self._lock:
            found = context.transitions.get(key)
            if found is None:
                flags = {"propagate": property_scoped, "override_protected": property_scoped}
                result = self._process(context, local, flags)
                # ``local`` rides along so that its id cannot be reused while the key exists.
                found = (local, result)
                context.transitions[key] = found
        return found[1]

    def previous(self, context: _Context) -> _Context:
        """The context a type-scoped context reverts to for nested nodes."""
        if context.previous is None:
            with self._lock:
                context.previous = self._wrap(context.raw["previousContext"])
        return context.previous

    def _process(self, context: _Context, local: Any, flags: Mapping[str, bool]) -> _Context:
        if len(self._contexts) >= self._max_contexts:
            raise OutsideFastPath("the context cache is full")
        try:
            raw = self._processor._process_context(context.raw, local, self._options, **flags)
        except Exception as failure:  # pyld's own errors, or a refused URL
            raise OutsideFastPath("context processing failed") from failure
        return self._wrap(raw)

    def _wrap(self, raw: Mapping[str, Any]) -> _Context:
        found = self._contexts.get(id(raw))
        if found is None:
            found = _Context(raw)
            self._contexts[id(raw)] = found  # the wrapper keeps ``raw`` alive, so its id holds
        return found


_CACHES: weakref.WeakKeyDictionary[Any, ContextCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def context_cache_for(loader: DocumentLoader) -> ContextCache:
    """The process-wide cache of ``loader``'s contexts, created on first use."""
    try:
        found = _CACHES.get(loader)
    except TypeError:  # a loader that cannot be weakly referenced gets a cache per call
        return ContextCache(loader)
    if found is None:
        with _CACHES_LOCK:
            found = _CACHES.get(loader)
            if found is None:
                found = ContextCache(loader)
                _CACHES[loader] = found
    return found


@dataclass(frozen=True, slots=True)
class ConvertedQuads:
    """A document's RDF dataset, split the way canonicalization needs it."""

    plain_lines: frozenset[str]
    """The N-Quads lines of the quads without a blank node."""
    blank_quads: frozenset[Quad]
    """The quads with one (labels are the converter's own, ``_:b1``...)."""
    value_work: int
    """The sum over each property of each node of the square of its number of values, as
    ``rdfc.CanonicalizationLimits.max_value_work`` counts it."""

    def nquads(self) -> str:
        """The dataset as N-Quads, lines sorted (labels not canonical)."""
        lines = [*self.plain_lines, *(serialize_quad(quad) for quad in self.blank_quads)]
        return "".join(sorted(lines))


def document_to_quads(
    document: Mapping[str, Any],
    cache: ContextCache,
    *,
    limits: DocumentLimits = DEFAULT_LIMITS,
) -> ConvertedQuads:
    """The RDF dataset of ``document``, or :class:`OutsideFastPath`."""
    if type(document) is not dict:
        raise OutsideFastPath("not a plain dict")
    _check_limits(document, limits)
    converter = _Converter(cache)
    if converter.expand_map(cache.initial, None, document, "", top=True) is None:
        raise OutsideFastPath("nothing survives expansion")
    return ConvertedQuads(
        frozenset(converter.plain), frozenset(converter.blank), converter.value_work
    )


def _context_urls(value: Any) -> tuple[str, ...]:
    """The URLs a node's ``@context`` names; inline contexts are not handled here."""
    if type(value) is str:
        return (value,)
    if type(value) is list and value and all(type(url) is str for url in value):
        return tuple(value)
    raise OutsideFastPath("an inline or null @context")


def _check_limits(document: dict[str, Any], limits: DocumentLimits) -> None:
    """What ``located_json.locate`` checks: plain JSON, depth, values and size.

    The size is bounded first from the text held (each character takes at most six bytes of
    JSON); only a document whose bound exceeds the limit is serialized to be measured.
    """
    nodes = 1
    characters = 0
    max_depth = limits.max_depth
    stack: list[tuple[Any, int]] = [(document, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        container, depth = pop()
        if depth > max_depth:
            raise OutsideFastPath("too deep")
        if type(container) is dict:
            for key in container:
                if type(key) is not str:
                    raise OutsideFastPath("a key that is not a string")
                characters += len(key)
            items = container.values()
        else:
            items = container
        for item in items:
            nodes += 1
            kind = type(item)
            if kind is str:
                characters += len(item)
            elif kind is dict or kind is list:
                push((item, depth + 1))
            elif kind is int:
                if not -(10**20) < item < 10**20:
                    characters += len(str(item))
            elif kind is float:
                if item != item or item in (_INFINITY, -_INFINITY):
                    raise OutsideFastPath("not a finite number")
            elif kind is not bool and item is not None:
                raise OutsideFastPath("not a JSON value")
    if nodes > limits.max_nodes:
        raise OutsideFastPath("too many values")
    if 6 * characters + (_NUMBER_TEXT_BOUND + 6) * nodes <= limits.max_bytes:
        return
    try:
        size = len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    except (TypeError, ValueError, UnicodeEncodeError) as failure:
        raise OutsideFastPath("not serializable as UTF-8 JSON") from failure
    if size > limits.max_bytes:
        raise OutsideFastPath("too large")


_INFINITY = float("inf")


class _Converter:
    """One document's conversion: the quads found so far and the blank node labels given."""

    def __init__(self, cache: ContextCache) -> None:
        self.cache = cache
        self.plain: set[str] = set()
        self.blank: set[Quad] = set()
        self.value_work = 0
        self._value_counts: dict[tuple[str, str, str], int] = {}
        self._labels: dict[str, str] = {}
        self._next_label = 0

    def new_blank_node(self) -> str:
        self._next_label += 1
        return f"_:b{self._next_label}"

    def count_values(self, graph: str, subject: str, predicate: str, added: int) -> None:
        """Account for ``added`` values of one property of a node named in the document."""
        key = (graph, subject, predicate)
        before = self._value_counts.get(key, 0)
        self._value_counts[key] = before + added
        self.value_work += added * (2 * before + added)

    def blank_node(self, given: str) -> str:
        label = self._labels.get(given)
        if label is None:
            label = self._labels[given] = self.new_blank_node()
        return label

    def resource(self, iri: str | None) -> str:
        """The N-Quads term of an expanded id or type: a safe absolute IRI or a blank node."""
        if iri is None:
            raise OutsideFastPath("an id that expands to nothing")
        if iri[:2] == "_:":
            if len(iri) < 3 or any(character.isspace() for character in iri):
                raise OutsideFastPath("a malformed blank node identifier")
            return self.blank_node(iri)
        if not is_safe_iri(iri):
            raise OutsideFastPath("an IRI that is relative or unsafe")
        return "<" + iri + ">"

    def expand(
        self, context: _Context, key: str, element: Any, graph: str, *, inside_list: bool = False
    ) -> list[str] | None:
        """Terms for ``element``, the value of ``key``; ``None`` when JSON-LD drops it."""
        kind = type(element)
        if kind is list:
            term = context.term(key)
            inside_list = inside_list or (term is not None and term.is_list)
            terms: list[str] = []
            for item in element:
                if inside_list and type(item) is list:
                    raise OutsideFastPath("a list of lists")
                found = self.expand(context, key, item, graph, inside_list=inside_list)
                if found:
                    terms.extend(found)
            return terms
        if kind is dict:
            return self.expand_map(context, key, element, graph)
        if element is None:
            return None
        return [self._scalar(context, context.key(key), element)]

    def _scalar(self, context: _Context, plan: _Key, value: Any) -> str:
        """JSON-LD value expansion of a scalar, then its RDF term."""
        if plan.keyword or plan.expanded is None:
            raise OutsideFastPath("a value under a keyword")
        if not plan.plain and not (plan.term is not None and plan.term.supported):
            raise OutsideFastPath("a value of an unsupported term")
        if not context.supported:
            raise OutsideFastPath("a context with a default language or direction")
        coercion = plan.coercion
        if type(value) is str:
            if coercion == "@id":
                return self.resource(expand_iri(context, value, vocab=False))
            if coercion == "@vocab":
                return self.resource(expand_iri(context, value, vocab=True))
        return _literal(value, plan.datatype, None)

    def expand_map(
        self,
        context: _Context,
        key: str | None,
        element: dict[str, Any],
        graph: str,
        *,
        top: bool = False,
    ) -> list[str] | None:
        """A node object or value object (JSON-LD 1.1 expansion, steps 7 to 13).

        pyld visits the entries in key order; the output here is a set of quads and any error
        sends the document to pyld, so the order only matters for which type-scoped context
        applies first, and a node with two keys meaning ``@type`` is left to pyld.
        """
        urls = _context_urls(element["@context"]) if "@context" in element else None
        key_term = context.term(key) if key is not None else None
        # A type-scoped context does not reach into nested nodes; values and bare references
        # keep it.
        if context.has_previous:
            must_revert = True
            if len(element) <= 2 and urls is None:
                for name in element:
                    expanded = context.key(name).expanded
                    if expanded == "@value":
                        must_revert = False
                        break
                    if expanded == "@id" and len(element) == 1:
                        must_revert = False
                        break
            if must_revert:
                context = context.previous or self.cache.previous(context)
        if key_term is not None and key_term.scoped is not None:
            context = self.cache.step(context, key_term.scoped, property_scoped=True)
        if urls is not None:
            context = self.cache.with_urls(context, urls)
        # Type-scoped contexts, in the order of the sorted type names; type names are looked
        # up in the context from before any of them applied.
        types_context = context
        type_key = None
        for name in context.type_keys:
            if name in element:
                if type_key is not None:
                    raise OutsideFastPath("two keys meaning @type")
                type_key = name
        if type_key is not None:
            value = element[type_key]
            if type(value) is str:
                type_names = [value]
            elif type(value) is list:
                type_names = sorted(item for item in value if type(item) is str)
            else:
                type_names = []
            for type_name in type_names:
                type_term = types_context.term(type_name)
                if type_term is not None and type_term.scoped is not None:
                    context = self.cache.step(context, type_term.scoped, property_scoped=False)
        for name in context.value_keys:
            if name in element:
                return self._value_object(context, types_context, element)
        return self._node(context, types_context, element, graph, top)

    def _node(
        self,
        context: _Context,
        types_context: _Context,
        element: dict[str, Any],
        graph: str,
        top: bool,
    ) -> list[str]:
        """A node object: its quads go to ``graph``; its term is returned."""
        id_names = [name for name in context.id_keys if name in element]
        fresh = not id_names  # a fresh blank node: its values are counted once, here
        if fresh:
            subject = self.new_blank_node()
        elif len(id_names) > 1:
            raise OutsideFastPath("colliding keywords")
        else:
            given = element[id_names[0]]
            if type(given) is not str:
                raise OutsideFastPath("an @id that is not a string")
            subject = self.resource(expand_iri(context, given, vocab=False))
        blank = self.blank.add
        plain = self.plain.add
        blank_subject = subject[0] == "_" or bool(graph)  # graph names are blank nodes here
        kept = False
        known_keys = context.keys
        for name, item in element.items():
            if name == "@context":
                continue
            plan = known_keys.get(name) or context.key(name)
            if plan.keyword:
                expanded = plan.expanded
                if expanded == "@type":
                    kept = True
                    type_terms = self._types(types_context, item)[0]
                    if fresh:
                        self.value_work += len(type_terms) ** 2
                    else:
                        self.count_values(graph, subject, _TYPE_IRI, len(type_terms))
                    for type_term in type_terms:
                        if blank_subject or type_term[0] == "_":
                            blank((subject, _TYPE_IRI, type_term, graph))
                        else:
                            plain(f"{subject} {_TYPE_IRI} {type_term} .\n")
                elif expanded == "@language":
                    if item is not None:
                        raise OutsideFastPath("@language on a node")
                elif expanded != "@id":
                    raise OutsideFastPath(f"the keyword {expanded}")
                continue
            predicate = plan.predicate
            if predicate is None:
                raise OutsideFastPath("a term that expands to nothing, a relative or unsafe IRI")
            objects: list[str] | None
            if plan.plain:
                kind = type(item)
                if kind is str:
                    suffix = plan.string_suffix
                    if suffix is not None and not _NEEDS_ESCAPING.search(item):
                        objects = ['"' + item + '"' + suffix]
                    else:
                        objects = [self._plain_string(context, plan, item)]
                elif kind is dict:
                    objects = self.expand_map(context, name, item, graph)
                elif kind is list:
                    objects = []
                    for element_ in item:
                        kind = type(element_)
                        if kind is str:
                            objects.append(self._plain_string(context, plan, element_))
                        elif kind is dict:
                            found = self.expand_map(context, name, element_, graph)
                            if found:
                                objects.extend(found)
                        elif kind is list:
                            found = self.expand(context, name, element_, graph)
                            if found:
                                objects.extend(found)
                        elif element_ is not None:
                            objects.append(_literal(element_, plan.datatype, None))
                elif item is None:
                    continue
                else:
                    objects = [_literal(item, plan.datatype, None)]
            else:
                objects = self._property(context, name, plan, item, graph)
            if objects is None:
                continue
            kept = True
            if fresh:
                self.value_work += len(objects) ** 2
            else:
                self.count_values(graph, subject, predicate, len(objects))
                if _NIL_IRI in objects:
                    self._refuse_repeated_empty_list(subject, predicate, graph)
            if blank_subject:
                for object_ in objects:
                    blank((subject, predicate, object_, graph))
            else:
                for object_ in objects:
                    if object_[0] == "_":
                        blank((subject, predicate, object_, graph))
                    else:
                        plain(f"{subject} {predicate} {object_} .\n")
        if top and not kept:
            raise OutsideFastPath("a top-level node JSON-LD drops")
        return [subject]

    def _refuse_repeated_empty_list(self, subject: str, predicate: str, graph: str) -> None:
        """pyld and jsonld.js emit an empty list's ``rdf:nil`` quad once per node object that
        holds it, so a node given twice by its id repeats the quad in their canonical form; the
        fast path keeps a set, so it hands such a document to the reference engine."""
        if subject[0] == "_" or graph:
            seen = (subject, predicate, _NIL_IRI, graph) in self.blank
        else:
            seen = f"{subject} {predicate} {_NIL_IRI} .\n" in self.plain
        if seen:
            raise OutsideFastPath("the same node's empty list twice")

    def _plain_string(self, context: _Context, plan: _Key, text: str) -> str:
        """The term of a string value of a plain key."""
        coercion = plan.coercion
        if coercion == "@id":
            return self.resource(expand_iri(context, text, vocab=False))
        if coercion == "@vocab":
            return self.resource(expand_iri(context, text, vocab=True))
        suffix = plan.string_suffix
        if suffix is not None and not _NEEDS_ESCAPING.search(text):
            return '"' + text + '"' + suffix
        return _literal(text, plan.datatype, None)

    def _types(self, types_context: _Context, item: Any) -> tuple[list[str], bool]:
        """The terms of an ``@type`` entry, and whether it was given as a list."""
        given_as_list = type(item) is list
        known_types = types_context.type_iris
        terms: list[str] = []
        for type_name in item if given_as_list else [item]:
            if type(type_name) is not str:
                raise OutsideFastPath("a type that is not a string")
            term = known_types.get(type_name)
            if term is None:
                term = self.resource(expand_iri(types_context, type_name, vocab=True))
                if term[0] == "<" and len(known_types) < _MAX_REMEMBERED_KEYS:
                    known_types[type_name] = term
            terms.append(term)
        return terms, given_as_list

    def _value_object(
        self,
        context: _Context,
        types_context: _Context,
        element: dict[str, Any],
    ) -> list[str] | None:
        """A value object: its literal, or ``None`` for a null value."""
        value: Any = None
        datatypes: list[str] = []
        type_given_as_list = False
        language: str | None = None
        seen: set[str] = set()
        for name, item in element.items():
            if name == "@context":
                continue
            expanded = context.key(name).expanded
            if expanded not in ("@value", "@type", "@language"):
                raise OutsideFastPath("a value object with other entries")
            if expanded in seen:
                raise OutsideFastPath("colliding keywords")
            seen.add(expanded)
            if expanded == "@value":
                value = item
            elif expanded == "@type":
                found, type_given_as_list = self._types(types_context, item)
                datatypes.extend(found)
            elif item is not None:
                if type(item) is not str:
                    raise OutsideFastPath("a language that is not a string")
                language = item.lower()
        if value is None:
            return None
        if type_given_as_list or len(datatypes) > 1:
            raise OutsideFastPath("a value object with several types")
        datatype = datatypes[0] if datatypes else None
        if datatype is not None and (language is not None or datatype[0] == "_"):
            raise OutsideFastPath("a value object with a blank or language-tagged type")
        return [_literal(value, datatype[1:-1] if datatype else None, language)]

    def _property(
        self, context: _Context, name: str, plan: _Key, item: Any, graph: str
    ) -> list[str] | None:
        """Values of a key with a scoped context or a container."""
        term = plan.term
        if term is None or not term.supported:
            raise OutsideFastPath("an unsupported term or a context with a default language")
        value_context = context
        if term.scoped is not None:
            value_context = self.cache.step(context, term.scoped, property_scoped=True)
            value_term = value_context.term(name)
            if value_term is None or (value_term.is_list, value_term.is_graph) != (
                term.is_list,
                term.is_graph,
            ):
                raise OutsideFastPath("a scoped context that redefines its own term")
        if term.is_graph:
            return self._graphs(value_context, name, item, graph)
        objects = self.expand(value_context, name, item, graph)
        if term.is_list:
            if objects is None:
                return None
            return [self._list(objects, graph)]
        return objects

    def _graphs(self, context: _Context, name: str, item: Any, graph: str) -> list[str] | None:
        """A ``@graph`` container: each value becomes its own blank-node named graph."""
        if item is None:
            return None
        names: list[str] = []
        for element in _flatten(item):
            graph_name = self.new_blank_node()
            if self.expand(context, name, element, graph_name) is not None:
                names.append(graph_name)
        return names

    def _list(self, items: list[str], graph: str) -> str:
        if not items:
            return _NIL_IRI
        head = node = self.new_blank_node()
        blank = self.blank.add
        last = len(items) - 1
        for index, item in enumerate(items):
            blank((node, _FIRST_IRI, item, graph))
            following = self.new_blank_node() if index < last else _NIL_IRI
            blank((node, _REST_IRI, following, graph))
            node = following
        return head


def _flatten(item: Any) -> list[Any]:
    if type(item) is not list:
        return [item]
    flat: list[Any] = []
    for element in item:
        flat.extend(_flatten(element))
    return flat


def _literal(value: Any, datatype: str | None, language: str | None) -> str:
    """JSON-LD 1.1 "Object to RDF Conversion" of a value, exactly as pyld 3 does it."""
    kind = type(value)
    text: str
    if kind is str and datatype is None and language is None:
        text = value
        if _NEEDS_ESCAPING.search(text) is None:
            return '"' + text + '"'
    else:
        if datatype is not None and not is_safe_iri(datatype):
            raise OutsideFastPath("a datatype that is relative or unsafe")
        if language is not None and (kind is not str or not is_language_tag(language)):
            raise OutsideFastPath("a malformed or misplaced language tag")
        if kind is bool:
            text = "true" if value else "false"
            datatype = datatype or XSD_BOOLEAN
        elif kind is float and not value.is_integer():
            text = canonical_double(value)
            datatype = datatype or XSD_DOUBLE
        elif datatype == XSD_DOUBLE:
            if kind is str:
                raise OutsideFastPath("an xsd:double given as a string")
            text = _double(value)
        elif kind is int or kind is float:
            if abs(value) >= 1e21:
                text = _double(value)
                datatype = datatype or XSD_DOUBLE
            else:
                text = str(int(value))
                datatype = datatype or XSD_INTEGER
        elif kind is str:
            text = value
            datatype = RDF_LANGSTRING if language is not None else datatype or XSD_STRING
        else:
            raise OutsideFastPath("a value that is not a JSON scalar")
    if has_control_character(text):
        raise OutsideFastPath("a control character")
    body = '"' + escape_literal(text) + '"'
    if language is not None:
        return body + "@" + language
    if datatype is None or datatype == XSD_STRING:
        return body
    return body + "^^<" + datatype + ">"


def _double(value: float) -> str:
    try:
        return canonical_double(value)
    except OverflowError as failure:
        raise OutsideFastPath("a number too large for a double") from failure
