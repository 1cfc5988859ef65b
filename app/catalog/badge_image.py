"""A generated SVG badge image for badges whose catalog entry names no image of its own.

The picture shows the badge code and its title, white on dark navy inside a gold ring
(contrast above 12:1). It is exposed to assistive technology as one image whose accessible
name is the full code and title (`role="img"`, `aria-label`, `<title>`), since the visible
title may be wrapped and shortened. Code and title come from uploaded catalogs, so they are
escaped and stripped of characters XML forbids: the result is always well-formed XML and
never contains markup taken from the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

SIZE = 400
NAVY = "#14324F"
GOLD = "#F2B705"
WHITE = "#FFFFFF"
FONT = "'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TITLE_FONT_SIZE = 24
TITLE_LINE_HEIGHT = 30
TITLE_LINE_CHARS = 18
TITLE_MAX_LINES = 4
CODE_MAX_FONT_SIZE = 72
CODE_MIN_FONT_SIZE = 28
CODE_MAX_CHARS = 17
ELLIPSIS = "\u2026"
CENTER = SIZE // 2
RING_RADIUS = 196
DISC_RADIUS = 184
INNER_RING_RADIUS = 172
INNER_RING_OPACITY = 0.35
RULE_X = 150
RULE_WIDTH = 100
RULE_HEIGHT = 4

_NOT_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "'": "&apos;"}


def _clean(text: str) -> str:
    return " ".join(_NOT_XML_CHARS.sub("", text).split())


def _xml(text: str) -> str:
    return escape(text, _ATTRIBUTE_ENTITIES)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def wrap_title(
    title: str, width: int = TITLE_LINE_CHARS, max_lines: int = TITLE_MAX_LINES
) -> list[str]:
    """Greedy word wrap; words longer than a line are cut, and overflow ends in an ellipsis."""
    words: list[str] = []
    for word in title.split():
        words.extend(word[i : i + width] for i in range(0, len(word), width))
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + ELLIPSIS
    return lines


def _code_font_size(code: str) -> int:
    fitted = int(300 / (0.62 * max(len(code), 1)))
    return max(CODE_MIN_FONT_SIZE, min(CODE_MAX_FONT_SIZE, fitted))


@dataclass(frozen=True, slots=True)
class BadgeLayout:
    """What the badge shows and where, in the 400-unit square both renderings share."""

    code: str
    label: str
    lines: tuple[str, ...]
    code_size: int
    code_baseline: int
    rule_y: int
    title_baseline: int


def badge_layout(code: str, title: str) -> BadgeLayout:
    """The cleaned, shortened and wrapped texts of the badge and their vertical positions."""
    code_text = _shorten(_clean(code), CODE_MAX_CHARS)
    clean_title = _clean(title)
    label = ": ".join(part for part in (_clean(code), clean_title) if part)
    lines = wrap_title(clean_title)
    code_size = _code_font_size(code_text)

    block_height = (
        0.75 * code_size + 40 + 0.75 * TITLE_FONT_SIZE + TITLE_LINE_HEIGHT * (len(lines) - 1)
    )
    code_baseline = round(SIZE / 2 - block_height / 2 + 0.75 * code_size)
    rule_y = code_baseline + 18
    title_baseline = rule_y + 22 + round(0.75 * TITLE_FONT_SIZE)
    return BadgeLayout(
        code_text, label, tuple(lines), code_size, code_baseline, rule_y, title_baseline
    )


def badge_svg(code: str, title: str) -> str:
    """A 400x400 SVG document (UTF-8 text) showing `code` above the wrapped `title`."""
    layout = badge_layout(code, title)
    tspans = "".join(
        f'<tspan x="{CENTER}" dy="{0 if index == 0 else TITLE_LINE_HEIGHT}">{_xml(line)}</tspan>'
        for index, line in enumerate(layout.lines)
    )
    title_text = (
        f'  <text x="{CENTER}" y="{layout.title_baseline}" text-anchor="middle" '
        f'font-family="{FONT}" font-size="{TITLE_FONT_SIZE}" fill="{WHITE}">{tspans}</text>\n'
        if layout.lines
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{_xml(layout.label)}">\n'
        f"  <title>{_xml(layout.label)}</title>\n"
        f'  <circle cx="{CENTER}" cy="{CENTER}" r="{RING_RADIUS}" fill="{GOLD}"/>\n'
        f'  <circle cx="{CENTER}" cy="{CENTER}" r="{DISC_RADIUS}" fill="{NAVY}"/>\n'
        f'  <circle cx="{CENTER}" cy="{CENTER}" r="{INNER_RING_RADIUS}" fill="none" '
        f'stroke="{WHITE}" stroke-opacity="{INNER_RING_OPACITY}" stroke-width="2"/>\n'
        f'  <text x="{CENTER}" y="{layout.code_baseline}" text-anchor="middle" '
        f'font-family="{FONT}" font-size="{layout.code_size}" font-weight="700" '
        f'fill="{WHITE}">{_xml(layout.code)}</text>\n'
        f'  <rect x="{RULE_X}" y="{layout.rule_y}" width="{RULE_WIDTH}" height="{RULE_HEIGHT}" '
        f'rx="2" fill="{GOLD}"/>\n'
        f"{title_text}"
        "</svg>\n"
    )
