"""The generated badge image is well-formed, accessible SVG whatever the title contains."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog import badge_svg
from app.catalog.badge_image import wrap_title

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def visible_title_lines(root: ET.Element) -> list[str]:
    return [tspan.text or "" for tspan in root.iter(f"{SVG}tspan")]


def test_it_is_a_400_pixel_square_svg() -> None:
    root = parse(badge_svg("M101", "Linear Equations: Concepts and Skills"))
    assert root.tag == f"{SVG}svg"
    assert (root.get("viewBox"), root.get("width"), root.get("height")) == (
        "0 0 400 400",
        "400",
        "400",
    )


def test_it_is_one_image_named_by_code_and_title() -> None:
    root = parse(badge_svg("M101", "Linear Equations: Concepts and Skills"))
    title = root.find(f"{SVG}title")
    assert root.get("role") == "img"
    assert root.get("aria-label") == "M101: Linear Equations: Concepts and Skills"
    assert title is not None
    assert title.text == "M101: Linear Equations: Concepts and Skills"


def test_it_shows_the_code_and_the_wrapped_title() -> None:
    root = parse(badge_svg("M101", "Linear Equations: Concepts and Skills"))
    texts = [text.text for text in root.iter(f"{SVG}text") if text.text]
    assert texts == ["M101"]
    assert visible_title_lines(root) == ["Linear Equations:", "Concepts and", "Skills"]


@pytest.mark.parametrize(
    "title",
    [
        "<script>alert(1)</script>",
        'Tom & Jerry\'s "quoted" <b>bold</b>',
        "]]><!-- -->&amp;",
        "Control\x00chars\x08removed\x1f",
    ],
)
def test_hostile_titles_are_escaped(title: str) -> None:
    svg = badge_svg("M1", title)
    root = parse(svg)
    assert "<script" not in svg
    assert [element.tag for element in root.iter()] == [
        f"{SVG}svg",
        f"{SVG}title",
        f"{SVG}circle",
        f"{SVG}circle",
        f"{SVG}circle",
        f"{SVG}text",
        f"{SVG}rect",
        f"{SVG}text",
        *[f"{SVG}tspan"] * len(visible_title_lines(root)),
    ]
    cleaned = "".join(ch for ch in title if ch >= " ")
    assert root.get("aria-label") == f"M1: {cleaned}"


def test_a_hostile_code_is_escaped_too() -> None:
    root = parse(badge_svg('"><script>', "Title"))
    assert root.get("aria-label") == '"><script>: Title'


def test_a_long_title_is_wrapped_to_four_short_lines() -> None:
    title = "Polynomial and Rational Expressions, Functions, and Equations and Much More Besides"
    lines = visible_title_lines(parse(badge_svg("M203", title)))
    assert len(lines) == 4
    assert all(len(line) <= 18 for line in lines)
    assert lines[-1].endswith("\u2026")


def test_a_word_longer_than_a_line_is_cut() -> None:
    assert wrap_title("Pneumonoultramicroscopicsilicovolcanoconiosis") == [
        "Pneumonoultramicro",
        "scopicsilicovolcan",
        "oconiosis",
    ]


@settings(max_examples=200, database=None)
@given(code=st.text(max_size=70), title=st.text(max_size=400))
def test_any_text_gives_well_formed_xml(code: str, title: str) -> None:
    root = parse(badge_svg(code, title))
    assert root.get("role") == "img"
