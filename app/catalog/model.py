"""A badge catalog as immutable values.

Objects here are made by the loader from a file that passed every check (or rebuilt from
the stored definition of such a badge), so code that receives them can rely on the rules of
FORMAT.md (unique ids and codes, counts that add up, known prerequisites) without checking
again. They are frozen so that the
default catalog can be shared by every request without copying.

A text that its publisher has not provided yet is `None`, never an empty or invented string.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ACHIEVEMENT_TYPE = "Badge"


@dataclass(frozen=True)
class AlignmentTarget:
    """A standard the badge is aligned to: a node of an educational framework."""

    framework: str
    code: str
    name: str
    url: str
    type: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Indicator:
    """A kind of task that shows mastery of a CPE; `alignments` are codes of the badge's
    alignment targets."""

    code: str
    text: str | None
    alignments: tuple[str, ...] = ()

    @property
    def text_provided(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class Cpe:
    """A content and practice expectation (CPE): what a learner must demonstrate."""

    code: str
    text: str | None
    indicators: tuple[Indicator, ...] = ()

    @property
    def text_provided(self) -> bool:
        return self.text is not None

    @property
    def alignment_codes(self) -> tuple[str, ...]:
        """Codes its indicators are aligned to, each once, in first-mention order."""
        seen: dict[str, None] = {}
        for indicator in self.indicators:
            seen.update(dict.fromkeys(indicator.alignments))
        return tuple(seen)


@dataclass(frozen=True)
class DeclaredCounts:
    """How many CPEs and indicators the badge has, published or not."""

    cpes: int
    indicators: int


@dataclass(frozen=True)
class Badge:
    """One badge of a catalog; `id` is its human code (e.g. M101)."""

    id: str
    title: str
    pathway: str
    counts: DeclaredCounts
    cpes: tuple[Cpe, ...]
    alignments: tuple[AlignmentTarget, ...] = ()
    prerequisites: tuple[str, ...] = ()
    description: str | None = None
    image: str | None = None
    achievement_type: str = DEFAULT_ACHIEVEMENT_TYPE

    @property
    def listed_indicator_count(self) -> int:
        return sum(len(cpe.indicators) for cpe in self.cpes)

    @property
    def every_cpe_text_provided(self) -> bool:
        return all(cpe.text_provided for cpe in self.cpes)

    def alignment(self, code: str) -> AlignmentTarget:
        for target in self.alignments:
            if target.code == code:
                return target
        raise KeyError(code)


@dataclass(frozen=True)
class Catalog:
    """A named, versioned set of badges written in one language."""

    name: str
    version: str
    language: str
    badges: tuple[Badge, ...]
    field_of_study: str | None = None
    source: str | None = None

    def badge(self, badge_id: str) -> Badge:
        for badge in self.badges:
            if badge.id == badge_id:
                return badge
        raise KeyError(badge_id)

    @property
    def badge_ids(self) -> tuple[str, ...]:
        return tuple(badge.id for badge in self.badges)
