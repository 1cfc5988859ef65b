"""Markdown from catalogs and awards (descriptions, criteria, narratives) rendered safely.

Two layers: markdown-it's ``js-default`` preset never passes raw HTML through and refuses
``javascript:``-style links, and nh3 (the ammonia sanitiser) then keeps only a short list of
text-formatting tags, so a badge name or narrative can never inject markup or script.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
)
_ATTRIBUTES = {"a": {"href"}}

_parser = MarkdownIt("js-default")


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> Markup:
    """``text`` as sanitised HTML; headings are demoted to h3/h4 so page structure stays ours."""
    html = _parser.render(text)
    for level in (1, 2, 3, 4, 5, 6):
        demoted = 3 if level <= 3 else 4
        html = html.replace(f"<h{level}>", f"<h{demoted}>").replace(
            f"</h{level}>", f"</h{demoted}>"
        )
    cleaned = nh3.clean(
        html,
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes={"https", "http", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised just above
