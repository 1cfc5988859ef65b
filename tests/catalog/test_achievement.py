"""Badges become valid Open Badges 3.0 Achievements that say only what the catalog says."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from app.catalog import Catalog, build_achievement, cpe_result_ids, parse_catalog

ArgsFor = Callable[[str], dict[str, Any]]
M101_ID = "https://badges.example/achievements/m101"


@pytest.fixture
def m101(xq_catalog: Catalog, achievement_args: ArgsFor) -> dict[str, Any]:
    return build_achievement(xq_catalog.badge("M101"), xq_catalog, **achievement_args("M101"))


@pytest.mark.parametrize(
    "badge_id",
    [
        f"M{n}"
        for n in (
            100,
            101,
            102,
            103,
            104,
            111,
            112,
            113,
            151,
            152,
            153,
            154,
            155,
            201,
            202,
            203,
            204,
            205,
            211,
            212,
            213,
            214,
            215,
        )
    ],
)
def test_every_xq_badge_is_a_valid_ob3_achievement(
    xq_catalog: Catalog,
    achievement_args: ArgsFor,
    achievement_validator: Draft201909Validator,
    badge_id: str,
) -> None:
    achievement = build_achievement(
        xq_catalog.badge(badge_id), xq_catalog, **achievement_args(badge_id)
    )
    errors = [error.message for error in achievement_validator.iter_errors(achievement)]
    assert errors == []


def test_a_micro_credential_with_every_option_is_valid(
    catalog_data: dict[str, Any],
    achievement_args: ArgsFor,
    achievement_validator: Draft201909Validator,
) -> None:
    badge_data = catalog_data["badges"][0]
    badge_data.update(
        achievementType="MicroCredential",
        description="For teachers who lead badge calibration sessions.",
        image="https://img.example/t1.png",
        prerequisites=["T2"],
    )
    badge_data["alignments"][0]["type"] = "CFItem"
    badge_data["alignments"][0]["description"] = "A test standard."
    catalog_data["badges"][1]["prerequisites"] = []
    catalog = parse_catalog(catalog_data, source="test")
    achievement = build_achievement(catalog.badge("T1"), catalog, **achievement_args("T1"))
    assert list(achievement_validator.iter_errors(achievement)) == []
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["alignment"][0]["targetType"] == "CFItem"


def test_the_achievement_has_no_context(m101: dict[str, Any]) -> None:
    assert "@context" not in m101


def test_identity_fields_come_from_the_badge(m101: dict[str, Any]) -> None:
    assert {key: m101[key] for key in ("id", "type", "achievementType", "humanCode", "name")} == {
        "id": M101_ID,
        "type": ["Achievement"],
        "achievementType": "Badge",
        "humanCode": "M101",
        "name": "Linear Equations: Concepts and Skills",
    }


def test_the_default_description_uses_only_title_and_counts(m101: dict[str, Any]) -> None:
    assert m101["description"] == (
        "M101 Linear Equations: Concepts and Skills — a badge of the XQ Math Badging System "
        "with 4 content and practice expectations and 10 indicators."
    )


def test_a_catalog_description_is_used_as_given(
    catalog_data: dict[str, Any], achievement_args: ArgsFor
) -> None:
    catalog_data["badges"][0]["description"] = "Written by the district."
    catalog = parse_catalog(catalog_data, source="test")
    achievement = build_achievement(catalog.badge("T1"), catalog, **achievement_args("T1"))
    assert achievement["description"] == "Written by the district."


def test_catalog_fields_become_language_field_and_tags(m101: dict[str, Any]) -> None:
    assert (m101["inLanguage"], m101["fieldOfStudy"], m101["tag"]) == (
        "en",
        "Mathematics",
        ["Algebra and Modeling", "M101"],
    )


def test_image_creator_and_version_are_the_callers(
    m101: dict[str, Any], creator: dict[str, Any]
) -> None:
    assert m101["image"] == {
        "id": "https://badges.example/achievements/m101/image.svg",
        "type": "Image",
        "caption": "M101 Linear Equations: Concepts and Skills",
    }
    assert m101["creator"] == creator
    assert m101["version"] == "1"


def test_the_creator_is_copied_not_shared(xq_catalog: Catalog, achievement_args: ArgsFor) -> None:
    args = achievement_args("M101")
    achievement = build_achievement(xq_catalog.badge("M101"), xq_catalog, **args)
    args["creator"]["name"] = "Changed later"
    assert achievement["creator"]["name"] == "Example State Department of Education"


def test_each_badge_alignment_becomes_an_ob3_alignment(m101: dict[str, Any]) -> None:
    assert m101["alignment"][0] == {
        "type": ["Alignment"],
        "targetName": "Creating Equations",
        "targetUrl": "https://www.thecorestandards.org/Math/Content/HSA/CED/",
        "targetCode": "A-CED",
        "targetFramework": "Illinois Learning Standards for Mathematics",
        "targetDescription": (
            "Common Core high-school algebra domain, as adopted in the Illinois Learning "
            "Standards for Mathematics. Alignment made by an Illinois district "
            "(Implementation Guide, Table 2.3)."
        ),
    }
    assert [alignment["targetCode"] for alignment in m101["alignment"]] == [
        "A-CED",
        "A-SSE",
        "A-APR",
    ]


def test_a_badge_without_alignments_has_no_alignment_key(
    xq_catalog: Catalog, achievement_args: ArgsFor
) -> None:
    achievement = build_achievement(
        xq_catalog.badge("M100"), xq_catalog, **achievement_args("M100")
    )
    assert "alignment" not in achievement


def test_there_is_one_result_description_per_cpe(m101: dict[str, Any]) -> None:
    assert [description["name"] for description in m101["resultDescription"]] == [
        "101a: Reason about and solve one-variable equations and inequalities",
        "101b: Solve real-life and mathematical word problems using linear expressions, "
        "equations, and inequalities",
        "101c: text not yet provided",
        "101d: text not yet provided",
    ]


def test_a_cpe_result_is_mastery_demonstrated_or_not_yet(m101: dict[str, Any]) -> None:
    description = m101["resultDescription"][0]
    assert description["id"] == f"{M101_ID}/cpes/101a"
    assert description["type"] == ["ResultDescription"]
    assert description["resultType"] == "RubricCriterionLevel"
    levels = [(level["id"], level["name"]) for level in description["rubricCriterionLevel"]]
    assert levels == [
        (f"{M101_ID}/cpes/101a/levels/not-yet", "Not yet"),
        (f"{M101_ID}/cpes/101a/levels/demonstrated", "Mastery demonstrated"),
    ]
    assert description["requiredLevel"] == f"{M101_ID}/cpes/101a/levels/demonstrated"


def test_a_cpe_result_is_aligned_to_its_indicators_standards(m101: dict[str, Any]) -> None:
    codes = [
        [alignment["targetCode"] for alignment in description.get("alignment", [])]
        for description in m101["resultDescription"]
    ]
    assert codes == [["A-CED", "A-SSE"], ["A-APR"], [], []]


def test_result_ids_can_use_another_base(xq_catalog: Catalog, achievement_args: ArgsFor) -> None:
    achievement = build_achievement(
        xq_catalog.badge("M101"),
        xq_catalog,
        **achievement_args("M101"),
        result_description_base="https://badges.example/frameworks/m101/",
    )
    assert (
        achievement["resultDescription"][1]["id"] == "https://badges.example/frameworks/m101/101b"
    )


def test_result_ids_are_available_to_the_issuer() -> None:
    ids = cpe_result_ids(M101_ID, "101a")
    assert (ids.result_description, ids.demonstrated, ids.not_yet) == (
        f"{M101_ID}/cpes/101a",
        f"{M101_ID}/cpes/101a/levels/demonstrated",
        f"{M101_ID}/cpes/101a/levels/not-yet",
    )


def test_the_narrative_lists_cpes_indicators_and_missing_texts(m101: dict[str, Any]) -> None:
    narrative = m101["criteria"]["narrative"]
    assert narrative.startswith(
        "A learner earns this badge by demonstrating mastery of each of its 4 content and "
        "practice expectations (CPEs)."
    )
    assert "**101a.** Reason about and solve one-variable equations and inequalities" in narrative
    assert "- i. use variables to represent numbers" in narrative
    assert "(aligned to A-CED)" in narrative
    assert "**101c.** Text not yet provided." in narrative
    assert (
        "3 of its 10 indicators are listed above; the texts of the others are not yet provided."
        in narrative
    )


def test_the_narrative_says_when_no_indicator_is_listed(
    xq_catalog: Catalog, achievement_args: ArgsFor
) -> None:
    achievement = build_achievement(
        xq_catalog.badge("M155"), xq_catalog, **achievement_args("M155")
    )
    assert (
        "The texts of its 6 indicators are not yet provided."
        in achievement["criteria"]["narrative"]
    )


def test_the_narrative_names_prerequisites(
    catalog_data: dict[str, Any], achievement_args: ArgsFor
) -> None:
    catalog = parse_catalog(catalog_data, source="test")
    achievement = build_achievement(catalog.badge("T2"), catalog, **achievement_args("T2"))
    assert "Prerequisites: T1." in achievement["criteria"]["narrative"]


def test_catalog_text_cannot_inject_markup_into_the_narrative(
    catalog_data: dict[str, Any], achievement_args: ArgsFor
) -> None:
    catalog_data["badges"][0]["cpes"][0]["text"] = (
        "<img src=x onerror=alert(1)> [click](https://evil.example)\n\n# Heading"
    )
    catalog = parse_catalog(catalog_data, source="test")
    narrative = build_achievement(catalog.badge("T1"), catalog, **achievement_args("T1"))[
        "criteria"
    ]["narrative"]
    assert re.search(r"(?<!\\)[<>\[\]]", narrative) is None
    assert (
        "\\<img src=x onerror=alert(1)\\> \\[click\\](https://evil.example) # Heading" in narrative
    )


@pytest.mark.parametrize("version", [0, -1, True])
def test_the_version_must_be_a_positive_number(
    xq_catalog: Catalog, achievement_args: ArgsFor, version: int
) -> None:
    args = achievement_args("M101") | {"version": version}
    with pytest.raises(ValueError, match="version"):
        build_achievement(xq_catalog.badge("M101"), xq_catalog, **args)


@pytest.mark.parametrize(
    "achievement_id",
    ["achievements/m101", "https://badges.example/a?x=1", "https://badges.example/a#frag"],
)
def test_result_ids_need_an_extendable_absolute_achievement_id(
    xq_catalog: Catalog, achievement_args: ArgsFor, achievement_id: str
) -> None:
    args = achievement_args("M101") | {"achievement_id": achievement_id}
    with pytest.raises(ValueError, match="absolute IRI"):
        build_achievement(xq_catalog.badge("M101"), xq_catalog, **args)
