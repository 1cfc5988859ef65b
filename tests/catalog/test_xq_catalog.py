"""The shipped XQ catalog says exactly what the source says (design/xq-catalog.md), no more."""

from __future__ import annotations

import json

import pytest

from app.catalog import Catalog, parse_catalog_text
from app.catalog.serialize import catalog_to_data

# Appendix A of the XQ Math Badging System Implementation Guide, as xq-catalog.md gives it.
APPENDIX_A = [
    ("M100", "Quantitative Reasoning", 8, 19),
    ("M101", "Linear Equations: Concepts and Skills", 4, 10),
    ("M102", "Modeling with Linear Functions and Equations", 10, 23),
    ("M103", "Modeling with Functions of Quadratic Type", 9, 17),
    ("M104", "Modeling with Functions of Exponential Type", 9, 17),
    ("M111", "Modeling with Data: One-Variable Measurement Data", 7, 18),
    ("M112", "Modeling with Data: Two-Variable Measurement Data", 8, 20),
    ("M113", "Modeling with Probability", 6, 11),
    ("M151", "Modeling with Geometry", 8, 13),
    ("M152", "Reasoning and Proof Through Congruence", 11, 25),
    ("M153", "Reasoning and Proof Through Similarity", 8, 18),
    ("M154", "Coordinate Geometry", 5, 12),
    ("M155", "Right Triangle Trigonometry", 3, 6),
    ("M201", "Function Concepts", 6, 13),
    ("M202", "Rational Exponents and Complex Numbers", 3, 5),
    ("M203", "Polynomial and Rational Expressions, Functions, and Equations", 6, 13),
    ("M204", "Exponential and Logarithmic Functions and Equations", 4, 12),
    ("M205", "Trigonometric Functions", 5, 13),
    ("M211", "Data Management and Visualization", 8, 17),
    ("M212", "Predictive Modeling", 8, 22),
    ("M213", "Bayesian Reasoning and Probability Theory", 5, 14),
    ("M214", "Statistical Error and Predictive Model Validation", 5, 16),
    ("M215", "Inference and Making Conclusions", 5, 17),
]

PATHWAY_BY_FAMILY = {
    "M10": "Algebra and Modeling",
    "M11": "Data and Probability",
    "M15": "Geometry",
    "M20": "Advanced Functions",
    "M21": "Data Science",
}

ILLINOIS = "Illinois Learning Standards for Mathematics"
KNOWN_CPE_CODES = {"101a", "101b"}


def test_the_catalog_describes_itself(xq_catalog: Catalog) -> None:
    assert (xq_catalog.name, xq_catalog.language, xq_catalog.field_of_study) == (
        "XQ Math Badging System",
        "en",
        "Mathematics",
    )


def test_the_source_is_cited_with_its_license_and_sections(xq_catalog: Catalog) -> None:
    source = xq_catalog.source or ""
    for fragment in (
        "Implementation Guide for State Leaders",
        "March 2026",
        "CC BY 4.0",
        "Appendix A",
        "Table 2.3",
        "number family",
    ):
        assert fragment in source


def test_it_has_the_23_badges_of_appendix_a_in_order(xq_catalog: Catalog) -> None:
    shipped = [
        (badge.id, badge.title, badge.counts.cpes, badge.counts.indicators)
        for badge in xq_catalog.badges
    ]
    assert shipped == APPENDIX_A


@pytest.mark.parametrize(("badge_id", "cpe_count"), [(row[0], row[2]) for row in APPENDIX_A])
def test_every_cpe_is_listed_by_its_conventional_code(
    xq_catalog: Catalog, badge_id: str, cpe_count: int
) -> None:
    number = badge_id[1:]
    expected = [f"{number}{letter}" for letter in "abcdefghijk"[:cpe_count]]
    assert [cpe.code for cpe in xq_catalog.badge(badge_id).cpes] == expected


def test_cpes_not_in_the_source_have_no_text_and_no_indicators(xq_catalog: Catalog) -> None:
    unknown = [
        cpe for badge in xq_catalog.badges for cpe in badge.cpes if cpe.code not in KNOWN_CPE_CODES
    ]
    assert len(unknown) == sum(row[2] for row in APPENDIX_A) - 2
    assert all(cpe.text is None and cpe.indicators == () for cpe in unknown)


def test_m101_has_the_cpe_texts_of_table_2_3(xq_catalog: Catalog) -> None:
    cpes = {cpe.code: cpe.text for cpe in xq_catalog.badge("M101").cpes}
    assert cpes == {
        "101a": "Reason about and solve one-variable equations and inequalities",
        "101b": (
            "Solve real-life and mathematical word problems using linear expressions, "
            "equations, and inequalities"
        ),
        "101c": None,
        "101d": None,
    }


def test_m101_has_the_indicators_and_alignments_of_table_2_3(xq_catalog: Catalog) -> None:
    indicators = [
        (cpe.code, indicator.code, indicator.text, indicator.alignments)
        for cpe in xq_catalog.badge("M101").cpes
        for indicator in cpe.indicators
    ]
    assert indicators == [
        (
            "101a",
            "i",
            "use variables to represent numbers and write expressions when solving a "
            "real-world or mathematical problem",
            ("A-CED",),
        ),
        (
            "101a",
            "ii",
            "demonstrate understanding that a variable can represent an unknown number or, "
            "depending on the purpose at hand, any number in a specified set.",
            ("A-SSE",),
        ),
        (
            "101b",
            "i",
            "solve multi-step real-life and mathematical problems posed with positive and "
            "negative rational numbers in any form while using tools strategically.",
            ("A-APR",),
        ),
    ]


def test_m101_alignments_are_the_illinois_algebra_domains(xq_catalog: Catalog) -> None:
    alignments = [
        (target.framework, target.code, target.url)
        for target in xq_catalog.badge("M101").alignments
    ]
    assert alignments == [
        (ILLINOIS, "A-CED", "https://www.thecorestandards.org/Math/Content/HSA/CED/"),
        (ILLINOIS, "A-SSE", "https://www.thecorestandards.org/Math/Content/HSA/SSE/"),
        (ILLINOIS, "A-APR", "https://www.thecorestandards.org/Math/Content/HSA/APR/"),
    ]


def test_only_m101_has_alignments(xq_catalog: Catalog) -> None:
    assert [badge.id for badge in xq_catalog.badges if badge.alignments] == ["M101"]


def test_pathways_follow_the_number_families(xq_catalog: Catalog) -> None:
    assert all(badge.pathway == PATHWAY_BY_FAMILY[badge.id[:3]] for badge in xq_catalog.badges)


def test_nothing_absent_from_the_source_is_added(xq_catalog: Catalog) -> None:
    badges = xq_catalog.badges
    assert all(badge.prerequisites == () for badge in badges)
    assert all(badge.description is None for badge in badges)
    assert all(badge.image is None for badge in badges)
    assert all(badge.achievement_type == "Badge" for badge in badges)


def test_the_catalog_reads_the_same_from_json(xq_catalog: Catalog) -> None:
    text = json.dumps(catalog_to_data(xq_catalog))
    assert parse_catalog_text(text, file_format="json", source="xq.json") == xq_catalog
