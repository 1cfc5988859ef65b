"""Every kind of catalog problem is reported with its file, badge, field and message."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from app.catalog import CatalogError, CatalogProblem, parse_catalog

Data = dict[str, Any]


def problems_of(data: object) -> list[CatalogProblem]:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, source="test.yaml")
    return list(caught.value.problems)


def only_problem(data: object) -> CatalogProblem:
    (problem,) = problems_of(data)
    return problem


def t1(data: Data) -> Data:
    badge: Data = data["badges"][0]
    return badge


def t2(data: Data) -> Data:
    badge: Data = data["badges"][1]
    return badge


def set_key(target: Callable[[Data], Data], key: str, value: object) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        target(data)[key] = value

    return change


def delete_key(target: Callable[[Data], Data], key: str) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        del target(data)[key]

    return change


def first_cpe(data: Data) -> Data:
    cpe: Data = t1(data)["cpes"][0]
    return cpe


def first_indicator(data: Data) -> Data:
    indicator: Data = first_cpe(data)["indicators"][0]
    return indicator


def root(data: Data) -> Data:
    return data


def add_second_alignment_with_the_same_code(data: Data) -> None:
    t1(data)["alignments"].append(dict(t1(data)["alignments"][0], name="Another"))


def make_counts_text(data: Data) -> None:
    t1(data)["counts"]["cpes"] = "two"


SCHEMA_CASES = [
    pytest.param(
        delete_key(t1, "title"),
        "T1",
        "badges[0].title",
        "missing required field 'title'",
        id="missing-title",
    ),
    pytest.param(
        delete_key(t2, "id"), 1, "badges[1].id", "missing required field 'id'", id="missing-id"
    ),
    pytest.param(
        set_key(t2, "id", "T 2"), "T 2", "badges[1].id", "letters, digits and '-'", id="bad-id"
    ),
    pytest.param(
        set_key(first_cpe, "txt", "x"),
        "T1",
        "badges[0].cpes[0].txt",
        "did you mean 'text'?",
        id="unknown-field",
    ),
    pytest.param(
        delete_key(first_cpe, "text"),
        "T1",
        "badges[0].cpes[0].text",
        "missing required field 'text'",
        id="text-omitted",
    ),
    pytest.param(
        set_key(first_cpe, "text", "   "),
        "T1",
        "badges[0].cpes[0].text",
        "or be null when the text is not yet provided",
        id="blank-text",
    ),
    pytest.param(
        set_key(first_cpe, "code", 101),
        "T1",
        "badges[0].cpes[0].code",
        "put the value in quotes",
        id="numeric-code",
    ),
    pytest.param(
        set_key(first_cpe, "code", "../x"),
        "T1",
        "badges[0].cpes[0].code",
        "starting with a letter or digit",
        id="unsafe-code",
    ),
    pytest.param(
        set_key(root, "language", "English"),
        None,
        "language",
        "language tag such as 'en'",
        id="bad-language",
    ),
    pytest.param(
        delete_key(root, "version"),
        None,
        "version",
        "missing required field 'version'",
        id="missing-version",
    ),
    pytest.param(set_key(root, "badges", []), None, "badges", "at least 1 item", id="no-badges"),
    pytest.param(
        set_key(t1, "image", "http://img.example/a.png"),
        "T1",
        "badges[0].image",
        "https:// URL",
        id="image-not-https",
    ),
    pytest.param(
        set_key(t1, "achievementType", "Medal"),
        "T1",
        "badges[0].achievementType",
        "Open Badges 3.0 achievement type",
        id="bad-achievement-type",
    ),
    pytest.param(
        make_counts_text,
        "T1",
        "badges[0].counts.cpes",
        "must be a whole number, not text",
        id="count-not-a-number",
    ),
    pytest.param(
        set_key(t2, "prerequisites", ["T1", "T1"]),
        "T2",
        "badges[1].prerequisites",
        "same value more than once",
        id="repeated-prerequisite",
    ),
    pytest.param(
        set_key(first_indicator, "alignments", ["S-1", "S-1"]),
        "T1",
        "badges[0].cpes[0].indicators[0].alignments",
        "same value more than once",
        id="repeated-indicator-alignment",
    ),
]

RULE_CASES = [
    pytest.param(
        set_key(t2, "id", "T1"),
        "T1",
        "badges[1].id",
        "duplicate badge id 'T1' (first used by badges[0])",
        id="duplicate-badge-id",
    ),
    pytest.param(
        lambda d: t1(d)["cpes"][1].update(code="1a"),
        "T1",
        "badges[0].cpes[1].code",
        "duplicate CPE code '1a' (first at badges[0].cpes[0].code)",
        id="duplicate-cpe-code",
    ),
    pytest.param(
        lambda d: first_cpe(d)["indicators"][1].update(code="i"),
        "T1",
        "badges[0].cpes[0].indicators[1].code",
        "duplicate indicator code 'i' (first at badges[0].cpes[0].indicators[0].code)",
        id="duplicate-indicator-code",
    ),
    pytest.param(
        add_second_alignment_with_the_same_code,
        "T1",
        "badges[0].alignments[1].code",
        "duplicate alignment code 'S-1'",
        id="duplicate-alignment-code",
    ),
    pytest.param(
        lambda d: t1(d)["counts"].update(cpes=3),
        "T1",
        "badges[0].counts.cpes",
        "declares 3 CPEs but lists 2",
        id="cpe-count",
    ),
    pytest.param(
        lambda d: t1(d)["counts"].update(indicators=1),
        "T1",
        "badges[0].counts.indicators",
        "declares 1 indicator but lists 2",
        id="too-many-indicators",
    ),
    pytest.param(
        lambda d: t2(d)["counts"].update(indicators=2),
        "T2",
        "badges[1].counts.indicators",
        "once every CPE text is provided",
        id="complete-badge-missing-indicators",
    ),
    pytest.param(
        set_key(t2, "prerequisites", ["T9"]),
        "T2",
        "badges[1].prerequisites[0]",
        "prerequisite 'T9' is not a badge of this catalog",
        id="unknown-prerequisite",
    ),
    pytest.param(
        set_key(t1, "prerequisites", ["T2"]),
        "T1",
        "badges[0].prerequisites",
        "prerequisites form a cycle: T1 -> T2 -> T1",
        id="prerequisite-cycle",
    ),
    pytest.param(
        set_key(t1, "prerequisites", ["T1"]),
        "T1",
        "badges[0].prerequisites",
        "badge 'T1' lists itself as a prerequisite",
        id="self-prerequisite",
    ),
    pytest.param(
        set_key(first_indicator, "alignments", ["S-9"]),
        "T1",
        "badges[0].cpes[0].indicators[0].alignments[0]",
        "alignment 'S-9' is not one of this badge's alignments (S-1)",
        id="unknown-indicator-alignment",
    ),
]


@pytest.mark.parametrize(("change", "badge", "field", "message"), SCHEMA_CASES + RULE_CASES)
def test_each_problem_is_located(
    catalog_data: Data,
    change: Callable[[Data], None],
    badge: str | int | None,
    field: str,
    message: str,
) -> None:
    change(catalog_data)
    problem = only_problem(catalog_data)
    assert (problem.file, problem.badge, problem.field) == ("test.yaml", badge, field)
    assert message in problem.message


@pytest.mark.parametrize(
    "document", [None, [], "catalog", 3], ids=["null", "list", "text", "number"]
)
def test_a_document_that_is_not_a_mapping_is_a_problem_of_the_whole(document: object) -> None:
    problem = only_problem(document)
    assert (problem.badge, problem.field) == (None, "$")
    assert "must be a mapping of fields" in problem.message


def test_problems_of_several_kinds_are_reported_together(catalog_data: Data) -> None:
    catalog_data["language"] = "English"
    del t1(catalog_data)["title"]
    t2(catalog_data)["counts"]["cpes"] = 4
    t2(catalog_data)["prerequisites"] = ["T9"]
    located = [(problem.badge, problem.field) for problem in problems_of(catalog_data)]
    assert located == [
        ("T1", "badges[0].title"),
        ("T2", "badges[1].counts.cpes"),
        ("T2", "badges[1].prerequisites[0]"),
        (None, "language"),
    ]


def test_a_malformed_badge_does_not_hide_problems_of_the_others(catalog_data: Data) -> None:
    del t1(catalog_data)["title"]
    t2(catalog_data)["counts"]["cpes"] = 4
    fields = {problem.field for problem in problems_of(catalog_data)}
    assert fields == {"badges[0].title", "badges[1].counts.cpes"}


def test_a_malformed_badge_can_still_be_a_prerequisite(catalog_data: Data) -> None:
    del t1(catalog_data)["title"]
    fields = [problem.field for problem in problems_of(catalog_data)]
    assert fields == ["badges[0].title"]


def test_problems_are_ordered_by_position_in_the_catalog(catalog_data: Data) -> None:
    catalog_data["badges"] = [t1(catalog_data)] * 12
    for index, badge in enumerate(catalog_data["badges"]):
        catalog_data["badges"][index] = dict(badge, id=f"B{index}", pathway=" ")
    fields = [problem.field for problem in problems_of(catalog_data)]
    assert fields == [f"badges[{index}].pathway" for index in range(12)]


def test_a_long_prerequisite_chain_is_checked_without_recursion(catalog_data: Data) -> None:
    template = t2(catalog_data)
    length = sys.getrecursionlimit() + 10
    catalog_data["badges"] = [
        dict(template, id=f"C{index}", prerequisites=[f"C{index + 1}"]) for index in range(length)
    ]
    catalog_data["badges"][-1]["prerequisites"] = ["C0"]
    (problem,) = problems_of(catalog_data)
    assert problem.field == "badges[0].prerequisites"
    assert problem.message.startswith("prerequisites form a cycle: C0 -> C1 -> C2")


def test_the_error_message_lists_every_problem(catalog_data: Data) -> None:
    del t1(catalog_data)["title"]
    catalog_data["language"] = "English"
    with pytest.raises(CatalogError) as caught:
        parse_catalog(catalog_data, source="upload.json")
    text = str(caught.value)
    assert text.startswith("the catalog has 2 problems:")
    assert "upload.json, badge T1, badges[0].title: missing required field 'title'" in text
    assert "upload.json, language: must be a language tag" in text


def test_a_problem_serializes_for_an_api_answer(catalog_data: Data) -> None:
    del t1(catalog_data)["title"]
    assert only_problem(catalog_data).as_dict() == {
        "file": "test.yaml",
        "badge": "T1",
        "field": "badges[0].title",
        "line": None,
        "message": "missing required field 'title'",
    }


def test_an_unusual_key_is_quoted_in_the_field_path(catalog_data: Data) -> None:
    t1(catalog_data)["odd key"] = 1
    assert only_problem(catalog_data).field == 'badges[0]["odd key"]'


def test_a_catalog_error_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        CatalogError([])
