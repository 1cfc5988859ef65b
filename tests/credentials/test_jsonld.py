from __future__ import annotations

import copy
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld

from app.credentials.document_loader import default_document_loader
from app.credentials.errors import CredentialError
from app.credentials.jsonld import DocumentLimits, expand_strict

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"

OFFICIAL_EXAMPLES = [
    "examples/ob3-basic-openbadgecredential.json",
    "examples/ob3-full-openbadgecredential.json",
    "examples/ob3-implguide-unsigned-credential.json",
    "examples/ob3-endorsementcredential.json",
    "examples/ob3-signed-openbadgecredential-eddsa-rdfc-2022.json",
    "examples/clr2-signed-clrcredential-eddsa-rdfc-2022.json",
]

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def basic(read_json) -> dict[str, Any]:
    return read_json("examples/ob3-basic-openbadgecredential.json")


@pytest.fixture
def signed(read_json) -> dict[str, Any]:
    return read_json("examples/ob3-signed-openbadgecredential-eddsa-rdfc-2022.json")


def refusal(document: dict[str, Any], **kwargs: Any) -> CredentialError:
    with pytest.raises(CredentialError) as refused:
        expand_strict(document, default_document_loader(), **kwargs)
    return refused.value


def codes_and_paths(error: CredentialError) -> list[tuple[str, str | None]]:
    return [(problem.code, problem.path) for problem in error.problems]


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES)
def test_accepts_official_example(read_json, example):
    expanded = expand_strict(read_json(example), default_document_loader())
    assert VC_TYPE in expanded[0]["@type"]


def test_returns_plain_strings(basic):
    def strings(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [*value, *(s for item in value.values() for s in strings(item))]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return [value] if isinstance(value, str) else []

    found = strings(expand_strict(basic, default_document_loader()))
    assert found
    assert {type(s) for s in found} == {str}


def test_expands_to_the_ob3_vocabulary(basic):
    expanded = expand_strict(basic, default_document_loader())
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    achievement = subject["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"][0]
    assert achievement["@id"] == "https://example.com/achievements/21st-century-skills/teamwork"


@pytest.mark.parametrize(
    "vector",
    [
        "test-vectors/eddsa-rdfc-2022/unsigned.json",
        "test-vectors/eddsa-rdfc-2022/signedDataInt.json",
        "test-vectors/eddsa-rdfc-2022/employ/employmentAuth.json",
    ],
)
def test_refuses_w3c_vectors_whose_second_context_is_not_pinned(read_json, vector):
    error = refusal(read_json(vector))
    assert codes_and_paths(error) == [("context_not_allowed", "$['@context'][1]")]


def test_refuses_undefined_term_at_top_level(basic):
    basic["favouriteColour"] = "blue"
    assert codes_and_paths(refusal(basic)) == [("undefined_term", "$.favouriteColour")]


def test_refuses_undefined_term_in_credential_subject(basic):
    basic["credentialSubject"]["favouriteColour"] = "blue"
    error = refusal(basic)
    assert codes_and_paths(error) == [("undefined_term", "$.credentialSubject.favouriteColour")]


def test_refuses_undefined_term_in_type_scoped_achievement(basic):
    basic["credentialSubject"]["achievement"]["difficulty"] = "hard"
    error = refusal(basic)
    assert codes_and_paths(error) == [
        ("undefined_term", "$.credentialSubject.achievement.difficulty")
    ]


def test_refuses_undefined_term_in_nested_criteria(basic):
    basic["credentialSubject"]["achievement"]["criteria"]["rubric"] = "r"
    error = refusal(basic)
    assert codes_and_paths(error) == [
        ("undefined_term", "$.credentialSubject.achievement.criteria.rubric")
    ]


def test_refuses_undefined_term_in_proof(signed):
    signed["proof"]["nonce2"] = "x"
    assert codes_and_paths(refusal(signed)) == [("undefined_term", "$.proof.nonce2")]


def test_refuses_a_term_vc_v2_alone_does_not_define(basic):
    basic["@context"] = [VC_V2]
    error = refusal(basic)
    assert ("undefined_term", "$.credentialSubject.achievement") in codes_and_paths(error)


def test_refuses_undefined_type(basic):
    basic["type"].append("SuperCredential")
    assert codes_and_paths(refusal(basic)) == [("undefined_term", "$.type[2]")]


def test_refuses_keys_shaped_like_unknown_keywords(basic):
    basic["credentialSubject"]["@rank"] = 1
    assert codes_and_paths(refusal(basic)) == [("undefined_term", "$.credentialSubject['@rank']")]


def test_refuses_terms_a_context_maps_to_null(basic):
    basic["@context"] = [VC_V2, OB_303, {"nickname": None}]
    basic["nickname"] = "x"
    assert refusal(basic).code == "undefined_term"


def test_reports_every_problem_of_one_pass(basic):
    basic["a"] = 1
    basic["credentialSubject"]["b"] = 2
    basic["credentialSubject"]["achievement"]["c"] = 3
    basic["issuer"]["id"] = "issuers/1"
    error = refusal(basic)
    assert sorted(codes_and_paths(error)) == [
        ("relative_iri", "$.issuer.id"),
        ("undefined_term", "$.a"),
        ("undefined_term", "$.credentialSubject.achievement.c"),
        ("undefined_term", "$.credentialSubject.b"),
    ]


@pytest.mark.parametrize("relative", ["credentials/3527", "3527", "#me", "//evil.example/x", ""])
def test_refuses_relative_credential_id(basic, relative):
    basic["id"] = relative
    assert codes_and_paths(refusal(basic)) == [("relative_iri", "$.id")]


def test_refuses_relative_subject_id(basic):
    basic["credentialSubject"]["id"] = "learners/1"
    assert codes_and_paths(refusal(basic)) == [("relative_iri", "$.credentialSubject.id")]


def test_refuses_relative_issuer_given_as_a_string(basic):
    basic["issuer"] = "issuers/876543"
    assert codes_and_paths(refusal(basic)) == [("relative_iri", "$.issuer")]


def test_refuses_relative_iri_even_with_a_base_in_the_context(basic):
    basic["@context"] = [VC_V2, OB_303, {"@base": "https://example.com/"}]
    basic["id"] = "credentials/3527"
    assert codes_and_paths(refusal(basic)) == [("relative_iri", "$.id")]


def test_accepts_blank_node_and_urn_ids(basic):
    basic["id"] = "urn:uuid:2d4b8d4e-5e6f-4a0b-9c1d-2e3f4a5b6c7d"
    basic["credentialSubject"]["id"] = "_:learner"
    assert expand_strict(basic, default_document_loader())


def test_refuses_unknown_context(basic):
    basic["@context"].append("https://evil.example/context.jsonld")
    assert codes_and_paths(refusal(basic)) == [("context_not_allowed", "$['@context'][2]")]


def test_refuses_unknown_context_embedded_in_a_node(basic):
    basic["credentialSubject"]["@context"] = "https://evil.example/context.jsonld"
    error = refusal(basic)
    assert codes_and_paths(error) == [("context_not_allowed", "$.credentialSubject['@context']")]


def test_refuses_relative_context_reference(basic):
    basic["@context"].append("context.jsonld")
    assert codes_and_paths(refusal(basic)) == [("context_not_allowed", "$['@context'][2]")]


def test_refuses_import_of_unknown_context(basic):
    basic["@context"].append({"@import": "https://evil.example/context.jsonld"})
    error = refusal(basic)
    assert codes_and_paths(error) == [("context_not_allowed", "$['@context'][2]['@import']")]


def test_an_import_does_not_leak_into_later_expansions(basic):
    importing = copy.deepcopy(basic)
    importing["@context"] = [
        VC_V2,
        OB_303,
        {"@import": OB_EXTENSIONS, "house": "https://example.com/house"},
    ]
    importing["house"] = "Gryffindor"
    expand_strict(importing, default_document_loader())
    basic["@context"].append(OB_EXTENSIONS)
    basic["house"] = "Gryffindor"
    assert codes_and_paths(refusal(basic)) == [("undefined_term", "$.house")]


@pytest.fixture
def poisoned_pyld_cache():
    def permissive_loader(url: str, options: Any = None) -> dict[str, Any]:
        document = {"@context": {"house": "https://example.com/house"}}
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    pyld_jsonld.expand(
        {"@context": OB_EXTENSIONS, "house": "x"}, {"documentLoader": permissive_loader}
    )
    yield
    pyld_jsonld._resolved_context_cache.clear()


@pytest.mark.usefixtures("poisoned_pyld_cache")
def test_ignores_contexts_cached_by_other_pyld_callers(basic):
    basic["@context"].append(OB_EXTENSIONS)
    basic["house"] = "Gryffindor"
    assert codes_and_paths(refusal(basic)) == [("undefined_term", "$.house")]


def test_refuses_redefining_a_protected_term(basic):
    basic["@context"].append({"name": "https://evil.example/name"})
    assert refusal(basic).code == "invalid_jsonld"


def test_accepts_terms_an_inline_context_defines(basic):
    basic["@context"].append({"house": "https://example.com/house"})
    basic["house"] = "Gryffindor"
    expanded = expand_strict(basic, default_document_loader())
    assert expanded[0]["https://example.com/house"] == [{"@value": "Gryffindor"}]


def test_refuses_index_that_rdf_cannot_carry(basic):
    basic["issuer"]["@index"] = "primary"
    assert codes_and_paths(refusal(basic)) == [("dropped_in_rdf", "$.issuer['@index']")]


def test_refuses_direction_that_rdf_cannot_carry(basic):
    basic["name"] = {"@value": "Teamwork Badge", "@language": "en", "@direction": "ltr"}
    assert codes_and_paths(refusal(basic)) == [("dropped_in_rdf", "$.name['@direction']")]


def test_refuses_blank_node_properties(basic):
    basic["_:secret"] = "x"
    assert codes_and_paths(refusal(basic)) == [("dropped_in_rdf", "$['_:secret']")]


def test_refuses_a_document_nothing_of_which_survives():
    document = {"@context": [VC_V2], "id": "urn:example:only-an-id"}
    assert codes_and_paths(refusal(document)) == [("empty_expansion", "$")]


def test_refuses_too_deep_nesting(basic):
    node = basic["credentialSubject"]["achievement"]
    for _ in range(40):
        node["related"] = {"type": ["Related"]}
        node = node["related"]
    error = refusal(basic)
    assert error.code == "document_too_deep"
    assert error.path is not None
    assert error.path.startswith("$.credentialSubject.achievement.related.related")


def test_depth_limit_is_adjustable(basic):
    assert refusal(basic, limits=DocumentLimits(max_depth=3)).code == "document_too_deep"


def test_refuses_too_large_document(basic):
    basic["description"] = "x" * 2000
    error = refusal(basic, limits=DocumentLimits(max_bytes=2048))
    assert (error.code, error.path) == ("document_too_large", "$.description")


def test_measures_size_as_serialized_json(basic):
    basic["credentialSubject"]["achievement"]["tag"] = [1] * 600
    assert refusal(basic, limits=DocumentLimits(max_bytes=2048)).code == "document_too_large"


def test_refuses_too_many_nodes(basic):
    basic["credentialSubject"]["achievement"]["tag"] = ["t"] * 100
    assert refusal(basic, limits=DocumentLimits(max_nodes=100)).code == "too_many_nodes"


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (float("nan"), "$.name"),
        (float("inf"), "$.name"),
        (b"bytes", "$.name"),
        ({1: "non-string key"}, "$.name"),
        ({"set"}, "$.name"),
    ],
)
def test_refuses_values_json_cannot_carry(basic, value, path):
    basic["name"] = value
    assert codes_and_paths(refusal(basic)) == [("not_json", path)]


def test_refuses_a_top_level_that_is_not_an_object():
    with pytest.raises(CredentialError) as refused:
        expand_strict([], default_document_loader())  # type: ignore[arg-type]
    assert refused.value.code == "not_json"


def test_leaves_the_callers_document_untouched(basic):
    before = copy.deepcopy(basic)
    expand_strict(basic, default_document_loader())
    assert basic == before


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("@explicit", True), ("@version", 1.1), ("@language", "en"), ("@direction", "ltr")],
)
def test_refuses_keywords_a_node_cannot_carry_into_rdf(basic, keyword, value):
    basic["credentialSubject"][keyword] = value
    error = refusal(basic)
    assert error.code == "dropped_in_rdf"
    assert error.path is not None
    assert error.path.startswith("$.credentialSubject")


def test_accepts_language_tagged_values(basic):
    basic["name"] = {"@value": "Insignia de trabajo en equipo", "@language": "es"}
    expanded = expand_strict(basic, default_document_loader())
    assert expanded[0]["https://schema.org/name"] == [
        {"@value": "Insignia de trabajo en equipo", "@language": "es"}
    ]
