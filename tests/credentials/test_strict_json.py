"""Strict JSON: only JSON's own values, and one meaning per document."""

from __future__ import annotations

import json

import pytest

from app.credentials.strict_json import StrictJsonViolation, loads_strict


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(StrictJsonViolation) as refused:
        loads_strict(text)
    return refused.value.problems


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_number_json_does_not_have_is_refused_where_it_is(constant: str):
    assert problems_of(f'{{"results": [{{"score": {constant}}}]}}') == [
        ("$.results[0].score", f"{constant} is not a JSON number")
    ]


def test_a_lone_surrogate_escape_is_refused_where_it_is():
    [(path, message)] = problems_of('{"name": {"en": "Ana \\ud800"}}')
    assert path == "$.name.en"
    assert "lone surrogate" in message


def test_a_lone_surrogate_in_a_member_name_is_refused():
    [(path, message)] = problems_of('{"\\udfff": 1}')
    assert (path, "member name" in message) == ("$", True)


def test_a_surrogate_pair_is_one_character_and_accepted():
    assert loads_strict('{"name": "\\ud83c\\udf93"}') == {"name": "\U0001f393"}


def test_a_repeated_member_name_is_refused_by_its_path():
    assert problems_of('{"credential": {"id": "a", "type": "b", "id": "c"}}') == [
        ("$.credential.id", "the member name appears more than once")
    ]


def test_every_problem_is_listed_in_document_order():
    text = '{"a": NaN, "b": ["\\ud800", Infinity], "a": 1, "c": {"d": 1, "d": 2}}'
    assert [path for path, _ in problems_of(text)] == ["$.a", "$.b[0]", "$.b[1]", "$.c.d"]


def test_strict_json_reads_as_json_does():
    text = '{"a": [1, 2.5, "x", null, true, {"b": "\\u00e9"}]}'
    assert loads_strict(text) == json.loads(text)
    assert loads_strict(text.encode()) == json.loads(text)


def test_a_syntax_error_is_json_s_own():
    with pytest.raises(json.JSONDecodeError):
        loads_strict('{"a": }')
