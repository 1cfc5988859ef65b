from __future__ import annotations

import copy

import pytest

from app.credentials.limits import DocumentLimits
from app.credentials.located_json import LocatedStr, locate, path_of

LIMITS = DocumentLimits()


def test_strings_remember_their_paths():
    located = locate({"type": ["A", "B"], "issuer": {"id": "urn:x"}}, LIMITS)
    assert path_of(located.root["type"][1]) == "$.type[1]"
    assert path_of(located.root["issuer"]["id"]) == "$.issuer.id"
    assert [path_of(key) for key in located.root] == ["$.type", "$.issuer"]


def test_paths_survive_a_deep_copy():
    located = locate({"name": "n"}, LIMITS)
    assert path_of(copy.deepcopy(located.root)["name"]) == "$.name"


def test_located_strings_compare_as_strings():
    assert LocatedStr("name", "$.name") == "name"
    assert str(LocatedStr("name", "$.name")).__class__ is str


def test_collects_context_references_where_first_named():
    located = locate(
        {
            "@context": ["https://a.example/", {"@import": "https://b.example/"}],
            "node": {"@context": "https://a.example/"},
        },
        LIMITS,
    )
    assert dict(located.context_references) == {
        "https://a.example/": "$['@context'][0]",
        "https://b.example/": "$['@context'][1]['@import']",
    }


def test_collects_keys_shaped_like_unknown_keywords():
    located = locate({"@id": "urn:x", "@foo": 1, "n": {"@Bar": 2}}, LIMITS)
    assert located.keyword_lookalikes == ("$['@foo']", "$.n['@Bar']")


def test_counts_the_top_object_as_depth_one():
    locate({"a": {"b": {}}}, DocumentLimits(max_depth=3))


def test_refuses_non_positive_limits():
    with pytest.raises(ValueError, match="positive"):
        DocumentLimits(max_nodes=0)


def test_a_type_inside_an_inline_context_is_a_term_definition_not_a_type():
    from app.credentials.limits import DocumentLimits
    from app.credentials.located_json import locate

    document = {"@context": [{"type": {"@id": "@type", "@protected": True}}], "type": ["X"]}
    assert locate(document, DocumentLimits()).root["type"] == ["X"]
