"""Reading YAML and JSON text: syntax errors, lines, aliases, duplicate keys, encodings."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
import yaml

from app.catalog import CatalogError, CatalogProblem, parse_catalog_text
from app.catalog.documents import CatalogFormat

VALID_YAML = """\
catalog: Test Catalog
version: "1"
language: en
badges:
  - id: T1
    title: First Badge
    pathway: Pathway One
    counts: {cpes: 2, indicators: 1}
    cpes:
      - code: 1a
        text: Do the first thing
        indicators:
          - {code: i, text: show it}
      - {code: 1b, text: null}
"""


def problems_of(text: str | bytes, file_format: CatalogFormat = "yaml") -> list[CatalogProblem]:
    with pytest.raises(CatalogError) as caught:
        parse_catalog_text(text, file_format=file_format, source="upload")
    return list(caught.value.problems)


def test_the_valid_yaml_reads() -> None:
    catalog = parse_catalog_text(VALID_YAML, file_format="yaml", source="upload")
    assert [cpe.text for cpe in catalog.badges[0].cpes] == ["Do the first thing", None]


def test_yaml_problems_carry_the_line_of_the_value() -> None:
    text = VALID_YAML.replace("code: 1a", "code: '1 a'")
    (problem,) = problems_of(text)
    assert (problem.field, problem.line) == ("badges[0].cpes[0].code", 10)
    assert problem.location == "upload:10, badge T1, badges[0].cpes[0].code"


def test_a_missing_field_points_at_its_parent_line() -> None:
    text = VALID_YAML.replace("    title: First Badge\n", "")
    (problem,) = problems_of(text)
    assert (problem.field, problem.line) == ("badges[0].title", 5)


def test_a_rule_problem_carries_its_line_too() -> None:
    text = VALID_YAML.replace("counts: {cpes: 2,", "counts: {cpes: 3,")
    (problem,) = problems_of(text)
    assert (problem.field, problem.line) == ("badges[0].counts.cpes", 8)


def test_a_yaml_syntax_error_gives_line_and_column() -> None:
    text = VALID_YAML.replace("pathway: Pathway One", "pathway: [Pathway One")
    (problem,) = problems_of(text)
    assert problem.field == "$"
    assert problem.line is not None
    assert problem.message.startswith(f"YAML syntax error at line {problem.line}, column")


def test_a_json_syntax_error_gives_line_and_column() -> None:
    (problem,) = problems_of('{\n  "catalog": "x",\n  "version": }', "json")
    assert (problem.field, problem.line) == ("$", 3)
    assert problem.message.startswith("JSON syntax error at line 3, column 14")


def test_yaml_aliases_are_refused() -> None:
    text = VALID_YAML + "  - &badge {id: T2}\n  - *badge\n"
    (problem,) = problems_of(text)
    assert problem.field == "badges[2]"
    assert "aliases (*name) are not allowed" in problem.message


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 12)]
    (problem,) = problems_of("\n".join(lines))
    assert "aliases" in problem.message


def test_a_duplicate_yaml_key_is_reported_at_its_line() -> None:
    text = VALID_YAML.replace(
        "    title: First Badge\n", "    title: First Badge\n    title: Again\n"
    )
    (problem,) = problems_of(text)
    assert (problem.badge, problem.field, problem.line) == ("T1", "badges[0].title", 7)
    assert problem.message == "duplicate key 'title' (first given on line 6)"


def test_a_duplicate_json_key_is_reported() -> None:
    data: dict[str, Any] = yaml.safe_load(VALID_YAML)
    text = json.dumps(data).replace('"language": "en"', '"language": "en", "language": "fr"')
    (problem,) = problems_of(text, "json")
    assert "duplicate key 'language'" in problem.message


def test_a_second_yaml_document_is_a_syntax_error() -> None:
    (problem,) = problems_of(VALID_YAML + "---\ncatalog: other\n")
    assert "YAML syntax error" in problem.message


def test_text_that_is_not_utf8_is_refused() -> None:
    (problem,) = problems_of(VALID_YAML.encode("utf-16"))
    assert problem.message.startswith("the file is not UTF-8 text")


def test_an_empty_file_is_not_a_catalog() -> None:
    (problem,) = problems_of("")
    assert (problem.field, problem.message) == ("$", "must be a mapping of fields, not null")


def test_a_yaml_date_where_text_is_expected_asks_for_quotes() -> None:
    (problem,) = problems_of(VALID_YAML.replace('version: "1"', "version: 2026-03-01"))
    assert problem.field == "version"
    assert problem.message == "must be text or a whole number, not a date (put the value in quotes)"


def test_python_tags_are_not_constructed() -> None:
    (problem,) = problems_of("catalog: !!python/object/apply:os.system ['true']\n")
    assert "YAML syntax error" in problem.message


@pytest.mark.parametrize("file_format", ["yaml", "json"])
def test_absurd_nesting_is_refused(file_format: CatalogFormat) -> None:
    depth = sys.getrecursionlimit() + 100
    (problem,) = problems_of("[" * depth + "]" * depth, file_format)
    assert problem.field == "$"
