"""canonicalize: strict first, the same bytes from every engine, and bounded work."""

from __future__ import annotations

import contextlib
import copy
import time
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld

from app.credentials.canonicalize import (
    CanonicalizationLimits,
    Engine,
    canonicalize,
    canonicalize_detailed,
)
from app.credentials.context_urls import OB3_CONTEXT, VC2_CONTEXT
from app.credentials.document_loader import default_document_loader
from app.credentials.errors import CredentialError
from app.credentials.jsonld import expand_strict
from app.credentials.limits import DocumentLimits

pytestmark = pytest.mark.usefixtures("no_network")

ENGINES = list(Engine)
OFFICIAL_EXAMPLES = [
    "examples/ob3-basic-openbadgecredential.json",
    "examples/ob3-full-openbadgecredential.json",
    "examples/ob3-implguide-unsigned-credential.json",
    "examples/ob3-endorsementcredential.json",
    "examples/ob3-signed-openbadgecredential-eddsa-rdfc-2022.json",
    "examples/clr2-signed-clrcredential-eddsa-rdfc-2022.json",
]
FAST_EXAMPLES = [example for example in OFFICIAL_EXAMPLES if "full" not in example]
VOCAB = "http://example.org/vocab#"
EVIL_CONTEXT = "https://evil.example/ctx"


def refusal(document: Any, engine: Engine, **kwargs: Any) -> CredentialError:
    with pytest.raises(CredentialError) as refused:
        canonicalize(document, engine=engine, **kwargs)
    return refused.value


@pytest.fixture
def basic(read_json) -> dict[str, Any]:
    return read_json("examples/ob3-basic-openbadgecredential.json")


# -- the same bytes as pyld ----------------------------------------------------------------------


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES)
@pytest.mark.parametrize("engine", ENGINES)
def test_official_examples_match_pyld(read_json, pyld_normalize, example, engine):
    document = read_json(example)
    assert canonicalize(document, engine=engine) == pyld_normalize(document)


@pytest.mark.parametrize("example", FAST_EXAMPLES)
def test_official_examples_take_the_fast_path(read_json, example):
    assert canonicalize_detailed(read_json(example)).path == "fast"
    assert canonicalize_detailed(read_json(example), engine=Engine.OXIGRAPH).path == "oxigraph"


def test_the_complete_example_needs_the_general_algorithm(read_json):
    """Its duplicated endorsements give blank nodes that Hash N-Degree Quads cannot order
    without trying permutations; pyld (which agrees with jsonld.js there) decides."""
    document = read_json("examples/ob3-full-openbadgecredential.json")
    assert canonicalize_detailed(document).path == "reference"


def test_the_reference_engine_is_pyld_normalize_behind_expand_strict(read_json, pyld_normalize):
    document = read_json("examples/ob3-full-openbadgecredential.json")
    result = canonicalize_detailed(document, engine=Engine.REFERENCE)
    assert result.path == "reference"
    assert result.nquads == pyld_normalize(document)


def test_inline_contexts_go_to_the_reference_path(basic, pyld_normalize):
    basic["@context"] = [*basic["@context"], {"nickname": f"{VOCAB}nickname"}]
    basic["nickname"] = "Sam"
    result = canonicalize_detailed(basic)
    assert result.path == "reference"
    assert result.nquads == pyld_normalize(basic)


def test_an_empty_document_canonicalizes_to_nothing():
    assert canonicalize({"@context": [VC2_CONTEXT]}) == ""


@pytest.mark.parametrize("engine", ENGINES)
def test_lists_graphs_and_embedded_credentials(read_json, pyld_normalize, engine):
    """allowedValue (@list), proof (@graph) and a CLR's embedded credentials, all at once."""
    clr = read_json("examples/clr2-signed-clrcredential-eddsa-rdfc-2022.json")
    embedded = clr["credentialSubject"]["verifiableCredential"][0]
    embedded["credentialSubject"]["achievement"]["resultDescription"] = [
        {
            "id": f"https://example.edu/rd/{index}",
            "type": ["ResultDescription"],
            "name": "Level",
            "resultType": "RubricCriterionLevel",
            "allowedValue": ["Novice", "Proficient", "Expert"],
        }
        for index in range(3)
    ]
    assert canonicalize(clr, engine=engine) == pyld_normalize(clr)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_node_given_twice_with_an_empty_list_matches_pyld(basic, pyld_normalize, engine):
    """pyld and jsonld.js repeat the empty list's rdf:nil quad once per copy of the node."""
    description = {
        "id": "https://example.edu/rd/1",
        "type": ["ResultDescription"],
        "name": "Level",
        "resultType": "RubricCriterionLevel",
        "allowedValue": [],
    }
    achievement = basic["credentialSubject"]["achievement"]
    achievement["resultDescription"] = [description, dict(description)]
    assert canonicalize(basic, engine=engine) == pyld_normalize(basic)


# -- strict first -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda document: document.update(favouriteColour="blue"), "undefined_term"),
        (lambda document: document.update(id="credentials/1"), "relative_iri"),
        (
            lambda document: document["@context"].append("https://evil.example/ctx"),
            "context_not_allowed",
        ),
        (lambda document: document["credentialSubject"].update({"@rank": 1}), "undefined_term"),
        (lambda document: document.update(evidence=[{"@direction": "rtl"}]), "dropped_in_rdf"),
        (lambda document: document.update(name=float("nan")), "not_json"),
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_what_expand_strict_refuses(basic, change, code, engine):
    change(basic)
    with pytest.raises(CredentialError) as strict:
        expand_strict(basic, default_document_loader())
    assert strict.value.code == code
    assert refusal(basic, engine).code == code


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tuple_counts_as_a_json_array(basic, engine):
    as_list = canonicalize(basic, engine=engine)
    basic["type"] = tuple(basic["type"])
    assert canonicalize(basic, engine=engine) == as_list


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_oversized_documents(basic, engine):
    assert refusal(basic, engine, limits=DocumentLimits(max_nodes=20)).code == "too_many_nodes"
    assert refusal(basic, engine, limits=DocumentLimits(max_depth=3)).code == "document_too_deep"
    assert refusal(basic, engine, limits=DocumentLimits(max_bytes=200)).code == "document_too_large"


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_a_lone_surrogate(basic, engine):
    basic["name"] = "broken \ud800 text"
    assert refusal(basic, engine).code == "not_json"


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_a_number_no_double_can_hold(basic, engine):
    basic["credentialSubject"]["creditsEarned"] = 10**400
    assert refusal(basic, engine).code == "invalid_jsonld"


# -- unambiguous bytes ------------------------------------------------------------------------


def injected_language_credential(basic: dict[str, Any]) -> dict[str, Any]:
    basic["name"] = {
        "@value": "Teamwork",
        "@language": 'en .\n<https://evil.example/s> <https://schema.org/name> "Admin',
    }
    return basic


def test_pyld_alone_lets_a_language_tag_forge_a_quad(basic, pyld_normalize):
    """Why language tags are checked: pyld writes this tag verbatim, so one literal reads as
    two quads, and a document holding those two quads would share the signature."""
    canonical = pyld_normalize(injected_language_credential(basic))
    assert '\n<https://evil.example/s> <https://schema.org/name> "admin' in canonical


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_a_malformed_language_tag(basic, engine):
    assert refusal(injected_language_credential(basic), engine).code == "invalid_language_tag"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("tag", ["en-US", "zh-Hant-TW", "x-private", "EN"])
def test_accepts_well_formed_language_tags(basic, pyld_normalize, engine, tag):
    basic["name"] = {"@value": "Teamwork", "@language": tag}
    assert canonicalize(basic, engine=engine) == pyld_normalize(basic)
    assert f'"Teamwork"@{tag.lower()}' in canonicalize(basic, engine=engine)


@pytest.mark.parametrize(
    "character", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f"]
)
@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_control_characters_escaped_differently(basic, character, engine):
    basic["name"] = f"Team{character}work"
    assert refusal(basic, engine).code == "control_character"


@pytest.mark.parametrize("engine", ENGINES)
def test_escapes_what_every_canonicalizer_escapes_alike(basic, pyld_normalize, engine):
    basic["name"] = 'tab\there, "quotes", back\\slash, line\nfeed, return\r, é 中 😀 \u2028'
    canonical = canonicalize(basic, engine=engine)
    assert canonical == pyld_normalize(basic)
    assert r'"tab\there, \"quotes\", back\\slash, line\nfeed, return\r, é 中 😀' in canonical


UNSAFE_IRIS = [
    "https://example.edu/a>b",
    'https://example.edu/a"b',
    "https://example.edu/a{b}",
    "https://example.edu/a|b",
    "https://example.edu/a^b",
    "https://example.edu/a`b",
    "https://example.edu/a\\b",
]


@pytest.mark.parametrize("iri", UNSAFE_IRIS)
@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_ids_that_n_quads_cannot_carry(basic, iri, engine):
    basic["id"] = iri
    assert refusal(basic, engine).code == "unsafe_iri"


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_a_property_iri_with_a_trailing_line_feed(basic, engine):
    """pyld takes ``http://x/p\\n`` for an absolute IRI and would write the line feed."""
    basic["https://example.edu/terms/p\n"] = "value"
    assert refusal(basic, engine).code == "unsafe_iri"


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_a_datatype_with_a_trailing_line_feed(basic, engine):
    basic["name"] = {"@value": "Teamwork", "@type": "https://example.edu/types/t\n"}
    assert refusal(basic, engine).code == "unsafe_iri"


@pytest.mark.parametrize("engine", ENGINES)
def test_accepts_international_iris(basic, pyld_normalize, engine):
    basic["id"] = "https://例え.jp/資格/é?q=ü#frag"
    assert canonicalize(basic, engine=engine) == pyld_normalize(basic)


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [0, -0.0, 1.0, 1.5, -2.25e-7, 1e20, 1e21, 10**21, 2**53 + 1, 123456789.125, True]
)
@pytest.mark.parametrize("engine", ENGINES)
def test_numbers_canonicalize_as_pyld_writes_them(basic, pyld_normalize, value, engine):
    basic["credentialSubject"]["creditsEarned"] = value
    basic["credentialSubject"]["achievement"]["creditsAvailable"] = value
    assert canonicalize(basic, engine=engine) == pyld_normalize(basic)


# -- bounded work -----------------------------------------------------------------------------


def clique(size: int) -> dict[str, Any]:
    """The W3C RDFC-1.0 poison test test074c: a clique of blank nodes, all inter-related.

    Rebuilt from the test manifest's description ("a 10-node clique of blank node resources
    all inter-related"); the input file itself is not among the saved standards.
    """
    return {
        "@context": {"@vocab": VOCAB, "p": {"@type": "@id"}},
        "@graph": [
            {"@id": f"_:e{node}", "p": [f"_:e{other}" for other in range(size) if other != node]}
            for node in range(size)
        ],
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_the_clique_poison_graph_quickly(engine):
    started = time.perf_counter()
    error = refusal(clique(10), engine)
    assert error.code == "canonicalization_too_complex"
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("engine", ENGINES)
def test_small_cliques_stay_within_the_budget(pyld_normalize, engine):
    assert canonicalize(clique(3), engine=engine) == pyld_normalize(clique(3))


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_too_many_blank_nodes(basic, engine):
    basic["evidence"] = [{"type": ["Evidence"], "name": f"Item {index}"} for index in range(30)]
    limits = CanonicalizationLimits(max_blank_nodes=20)
    assert refusal(basic, engine, canonicalization_limits=limits).code == "too_many_blank_nodes"
    assert canonicalize(basic, engine=engine, canonicalization_limits=CanonicalizationLimits())


@pytest.mark.parametrize("engine", ENGINES)
def test_refuses_too_many_blank_nodes_by_default(engine):
    document: dict[str, Any] = {"@context": {"@vocab": VOCAB}, "@id": "https://example.edu/big"}
    for group in range(65):
        document[f"group{group}"] = [{"n": index} for index in range(64)]
    assert refusal(document, engine).code == "too_many_blank_nodes"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape", ["one-array", "one-node-named-twice"])
def test_refuses_a_property_with_too_many_values_quickly(basic, engine, shape):
    """pyld's RDF conversion compares each value of a property with all before it: 2,000
    values of one property cost it about 6 s, so such documents are refused up front."""
    achievement = basic["credentialSubject"]["achievement"]
    if shape == "one-array":
        achievement["tag"] = [f"tag {index}" for index in range(1001)]
    else:  # the same node in two places: pyld merges them, and their values add up
        copy_of_it = copy.deepcopy(achievement)
        achievement["tag"] = [f"tag {index}" for index in range(600)]
        copy_of_it["tag"] = [f"other {index}" for index in range(600)]
        basic["credentialSubject"]["source"] = {"id": "https://example.edu/p", "type": ["Profile"]}
        basic["evidence"] = [{"type": ["Evidence"], "name": "x"}]
        basic["credentialSubject"]["achievement"] = [achievement, copy_of_it]
    started = time.perf_counter()
    assert refusal(basic, engine).code == "canonicalization_too_complex"
    assert time.perf_counter() - started < 2


def test_a_tight_work_budget_refuses_what_a_looser_one_accepts(pyld_normalize):
    document = clique(4)
    tight = CanonicalizationLimits(max_work=5)
    assert refusal(document, Engine.FAST, canonicalization_limits=tight).code == (
        "canonicalization_too_complex"
    )
    assert canonicalize(document) == pyld_normalize(document)


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        CanonicalizationLimits(max_blank_nodes=0)
    with pytest.raises(ValueError, match="positive"):
        CanonicalizationLimits(max_work=0)


# -- the fast path leaves no trace --------------------------------------------------------------


def test_an_inline_import_cannot_poison_later_documents(basic, pyld_normalize):
    """pyld merges ``@import`` into the imported context in place; the fast path's cache only
    ever sees pinned contexts, so a document importing with extra terms changes nothing."""
    expected = pyld_normalize(copy.deepcopy(basic))
    poisoned = copy.deepcopy(basic)
    poisoned["@context"] = [
        {"@import": VC2_CONTEXT, "name": "https://evil.example/name"},
        OB3_CONTEXT,
    ]
    with contextlib.suppress(CredentialError):  # refused or not, it must leave no trace
        canonicalize(poisoned)
    assert canonicalize(basic) == expected
    assert canonicalize(basic, engine=Engine.REFERENCE) == expected


def test_pyld_shared_context_cache_is_not_used(basic):
    before = dict(pyld_jsonld._resolved_context_cache)
    for engine in ENGINES:
        canonicalize(basic, engine=engine)
    assert dict(pyld_jsonld._resolved_context_cache) == before
