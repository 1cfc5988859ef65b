"""The human-readable texts of an Achievement: its default description and criteria narrative.

Both are built only from what the catalog states (title, counts, CPE and indicator texts,
alignment codes); a text the catalog marks as not yet provided is said to be so, plainly,
rather than filled in. Catalog texts are escaped before they enter the Markdown narrative,
because wallets and displayers render it and a catalog comes from an upload.
"""

from __future__ import annotations

import re

from app.catalog.model import Badge, Catalog, Cpe, Indicator

NOT_YET_PROVIDED = "text not yet provided"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~|&])")
_WHITESPACE = re.compile(r"\s+")
_KIND_BY_ACHIEVEMENT_TYPE = {"Badge": "badge", "MicroCredential": "micro-credential"}


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def escape_markdown(text: str) -> str:
    """`text` as one line of Markdown that renders literally (no markup, links or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _WHITESPACE.sub(" ", text).strip())


def _kind(badge: Badge) -> str:
    return _KIND_BY_ACHIEVEMENT_TYPE.get(badge.achievement_type, "achievement")


def default_description(badge: Badge, catalog: Catalog) -> str:
    """E.g. "M101 Linear Equations: Concepts and Skills — a badge of the XQ Math Badging
    System with 4 content and practice expectations and 10 indicators."."""
    kind = _kind(badge)
    article = "an" if kind[0] in "aeiou" else "a"
    cpes = _count(
        badge.counts.cpes, "content and practice expectation", "content and practice expectations"
    )
    indicators = _count(badge.counts.indicators, "indicator", "indicators")
    return (
        f"{badge.id} {badge.title} — {article} {kind} of the {catalog.name} "
        f"with {cpes} and {indicators}."
    )


def _indicator_line(indicator: Indicator) -> str:
    text = (
        escape_markdown(indicator.text) if indicator.text is not None else "Text not yet provided."
    )
    line = f"- {escape_markdown(indicator.code)}. {text}"
    if indicator.alignments:
        codes = ", ".join(escape_markdown(code) for code in indicator.alignments)
        line += f" (aligned to {codes})"
    return line


def _cpe_block(cpe: Cpe) -> str:
    text = escape_markdown(cpe.text) if cpe.text is not None else "Text not yet provided."
    lines = [f"**{escape_markdown(cpe.code)}.** {text}"]
    if cpe.indicators:
        lines.append("")
        lines.extend(_indicator_line(indicator) for indicator in cpe.indicators)
    return "\n".join(lines)


def _unlisted_indicators_note(badge: Badge) -> str | None:
    listed, declared = badge.listed_indicator_count, badge.counts.indicators
    if listed >= declared:
        return None
    if listed == 0:
        return (
            f"The texts of its {_count(declared, 'indicator', 'indicators')} are not yet provided."
        )
    return (
        f"{listed} of its {_count(declared, 'indicator', 'indicators')} are listed above; "
        "the texts of the others are not yet provided."
    )


def criteria_narrative(badge: Badge) -> str:
    """Markdown: what earning the badge requires, then each CPE with its listed indicators."""
    cpes = _count(
        badge.counts.cpes,
        "content and practice expectation (CPE)",
        "content and practice expectations (CPEs)",
    )
    indicators = _count(badge.counts.indicators, "indicator", "indicators")
    blocks = [
        f"A learner earns this {_kind(badge)} by demonstrating mastery of each of its {cpes}. "
        'Each CPE is assessed as "Mastery demonstrated" or "Not yet". '
        f"The badge has {indicators} in all: kinds of tasks that show mastery of a CPE."
    ]
    if badge.prerequisites:
        names = ", ".join(escape_markdown(code) for code in badge.prerequisites)
        blocks.append(f"Prerequisites: {names}.")
    blocks.append("## Content and practice expectations")
    blocks.extend(_cpe_block(cpe) for cpe in badge.cpes)
    note = _unlisted_indicators_note(badge)
    if note:
        blocks.append(note)
    return "\n\n".join(blocks) + "\n"
