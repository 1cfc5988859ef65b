"""Markdown from catalogs and awards renders as sanitised HTML (app.pages.markdown)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from app.pages.markdown import render_markdown

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_TAGS |= {"h3", "h4"}


class Tags(HTMLParser):
    """Every element and attribute of a fragment, as a browser's tokenizer would read it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    @property
    def names(self) -> list[str]:
        return [tag for tag, _ in self.elements]

    @property
    def attributes(self) -> set[str]:
        return {name for _, attrs in self.elements for name in attrs}


HOSTILE = [
    "<script>alert(1)</script>",
    "before <script src=https://evil.example/x.js></script> after",
    "<img src=x onerror=alert(1)>",
    '<a href="https://example.org" onclick="alert(1)">link</a>',
    "<div style=\"background:url('javascript:alert(1)')\">styled</div>",
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)></svg>",
    "<b onmouseover=alert(1)>bold</b>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_raw_html_never_becomes_markup(text: str) -> None:
    html = render_markdown(text)
    assert Tags(html).names == ["p"]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_event_handler_or_style_attribute_survives(text: str) -> None:
    assert Tags(render_markdown(text)).attributes == set()


def test_script_text_is_shown_escaped_not_run() -> None:
    html = render_markdown("<script>alert(1)</script>")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
    ],
)
def test_script_links_are_not_links(link: str) -> None:
    html = render_markdown(link)
    assert "a" not in Tags(html).names
    assert 'href="javascript' not in html.lower()


def test_markdown_images_are_dropped() -> None:
    assert "img" not in Tags(render_markdown("![x](https://example.org/x.png)")).names


def test_emphasis_and_strong_are_kept() -> None:
    html = render_markdown("*gently* and **firmly**")
    assert "<em>gently</em>" in html
    assert "<strong>firmly</strong>" in html


def test_https_links_are_kept_with_nofollow() -> None:
    elements = Tags(render_markdown("[the standard](https://example.org/a-ced)")).elements
    links = [attrs for tag, attrs in elements if tag == "a"]
    assert links == [{"href": "https://example.org/a-ced", "rel": "nofollow noopener noreferrer"}]


def test_lists_code_and_quotes_are_kept() -> None:
    names = Tags(render_markdown("- one\n- two\n\n`x = 1`\n\n> quoted")).names
    assert {"ul", "li", "code", "blockquote"} <= set(names)


@pytest.mark.parametrize(
    ("markdown", "tag"),
    [
        ("# Title", "h3"),
        ("## Title", "h3"),
        ("### Title", "h3"),
        ("#### Title", "h4"),
        ("##### Title", "h4"),
        ("###### Title", "h4"),
    ],
)
def test_headings_are_demoted_below_the_pages_own(markdown: str, tag: str) -> None:
    assert Tags(render_markdown(markdown)).names == [tag]


def test_only_the_short_list_of_tags_can_ever_appear() -> None:
    text = "\n\n".join([*HOSTILE, "# h", "- a", "1. b", "```\npre\n```", "> q", "line  \nbreak"])
    assert set(Tags(render_markdown(text)).names) <= ALLOWED_TAGS


def test_the_result_is_markup_so_templates_do_not_escape_it_twice() -> None:
    assert isinstance(render_markdown("*x*"), Markup)
