"""Catalog rules that a JSON Schema cannot express: uniqueness, counts, references, cycles.

Per-badge rules run on each badge that passed the schema, so one malformed badge does not
hide the problems of the others. Rules across badges use every badge whose id can be read,
so a prerequisite naming a malformed (but existing) badge is not reported as unknown.

The count rules (FORMAT.md, "Counts"):
1. a badge lists exactly `counts.cpes` CPEs (each CPE is present by code even before its
   text is published);
2. it lists at most `counts.indicators` indicators;
3. once every CPE text is provided, it lists exactly `counts.indicators` indicators (each at
   least by code): a badge whose CPEs are all published must not silently miss indicators.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from app.catalog.model import Badge
from app.catalog.problems import Finding, Path, format_path


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _duplicates(codes: Sequence[str], listed_at: Path, what: str) -> Iterator[Finding]:
    """Each code met again, reported at `<listed_at>[i].code`."""
    first_index: dict[str, int] = {}
    for index, code in enumerate(codes):
        if code in first_index:
            first = format_path((*listed_at, first_index[code], "code"))
            yield Finding(
                (*listed_at, index, "code"), f"duplicate {what} '{code}' (first at {first})"
            )
        else:
            first_index[code] = index


def _unique_codes(badge: Badge, at: Path) -> Iterator[Finding]:
    yield from _duplicates([cpe.code for cpe in badge.cpes], (*at, "cpes"), "CPE code")
    for c, cpe in enumerate(badge.cpes):
        yield from _duplicates(
            [indicator.code for indicator in cpe.indicators],
            (*at, "cpes", c, "indicators"),
            "indicator code",
        )
    yield from _duplicates(
        [target.code for target in badge.alignments], (*at, "alignments"), "alignment code"
    )


def _counts(badge: Badge, at: Path) -> Iterator[Finding]:
    declared = badge.counts
    listed_cpes = len(badge.cpes)
    if listed_cpes != declared.cpes:
        yield Finding(
            (*at, "counts", "cpes"),
            f"declares {_plural(declared.cpes, 'CPE')} but lists {listed_cpes}; list every CPE "
            "by its code, with text: null when its text is not yet provided",
        )
    listed = badge.listed_indicator_count
    if listed > declared.indicators:
        yield Finding(
            (*at, "counts", "indicators"),
            f"declares {_plural(declared.indicators, 'indicator')} but lists {listed}",
        )
    elif listed < declared.indicators and badge.every_cpe_text_provided:
        yield Finding(
            (*at, "counts", "indicators"),
            f"declares {_plural(declared.indicators, 'indicator')} but lists {listed}; once every "
            "CPE text is provided, every indicator must be listed (with text: null if needed)",
        )


def _indicator_alignments(badge: Badge, at: Path) -> Iterator[Finding]:
    known = [target.code for target in badge.alignments]
    known_text = ", ".join(known) if known else "none"
    for c, cpe in enumerate(badge.cpes):
        for i, indicator in enumerate(cpe.indicators):
            for a, code in enumerate(indicator.alignments):
                if code not in known:
                    yield Finding(
                        (*at, "cpes", c, "indicators", i, "alignments", a),
                        f"alignment '{code}' is not one of this badge's alignments ({known_text})",
                    )


def badge_findings(badge: Badge, at: Path) -> list[Finding]:
    """Problems inside one schema-valid badge found at path `at`."""
    return [
        *_unique_codes(badge, at),
        *_counts(badge, at),
        *_indicator_alignments(badge, at),
    ]


def _duplicate_badge_ids(ids: Sequence[tuple[int, str]]) -> Iterator[Finding]:
    first_index: dict[str, int] = {}
    for index, badge_id in ids:
        if badge_id in first_index:
            yield Finding(
                ("badges", index, "id"),
                f"duplicate badge id '{badge_id}' (first used by badges[{first_index[badge_id]}])",
            )
        else:
            first_index[badge_id] = index


def _unknown_prerequisites(
    badges: Sequence[tuple[int, Badge]], known_ids: set[str]
) -> Iterator[Finding]:
    for index, badge in badges:
        for p, prerequisite in enumerate(badge.prerequisites):
            if prerequisite not in known_ids:
                yield Finding(
                    ("badges", index, "prerequisites", p),
                    f"prerequisite '{prerequisite}' is not a badge of this catalog",
                )


def _find_cycles(requires: Mapping[str, Sequence[str]], order: Sequence[str]) -> list[list[str]]:
    """One cycle per back edge of a depth-first search, as `[a, b, ..., a]`.

    Iterative, so a long chain of prerequisites cannot exhaust Python's recursion limit.
    """
    on_trail, done = 1, 2
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for root in order:
        if root in state:
            continue
        trail = [root]
        state[root] = on_trail
        pending: list[Iterator[str]] = [iter(requires[root])]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                state[trail.pop()] = done
                pending.pop()
            elif following not in requires:
                continue
            elif state.get(following) == on_trail:
                cycles.append([*trail[trail.index(following) :], following])
            elif following not in state:
                state[following] = on_trail
                trail.append(following)
                pending.append(iter(requires[following]))
    return cycles


def _cycles(badges: Sequence[tuple[int, Badge]]) -> Iterator[Finding]:
    """Each prerequisite cycle once, reported at its badge that comes first in the catalog."""
    position = {badge.id: index for index, badge in reversed(badges)}
    requires = {badge.id: badge.prerequisites for _, badge in reversed(badges)}
    reported: set[frozenset[str]] = set()
    for cycle in _find_cycles(requires, [badge.id for _, badge in badges]):
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        start = min(cycle[:-1], key=position.__getitem__)
        turn = cycle.index(start)
        ordered = cycle[turn:-1] + cycle[:turn] + [start]
        message = (
            f"badge '{start}' lists itself as a prerequisite"
            if len(ordered) == 2
            else "prerequisites form a cycle: " + " -> ".join(ordered)
        )
        yield Finding(("badges", position[start], "prerequisites"), message)


def catalog_findings(
    badges: Sequence[tuple[int, Badge]], readable_ids: Sequence[tuple[int, str]]
) -> list[Finding]:
    """Problems across badges.

    `badges` are the schema-valid badges with their index; `readable_ids` the id of every
    badge that has a string id, valid or not, with its index.
    """
    known_ids = {badge_id for _, badge_id in readable_ids}
    return [
        *_duplicate_badge_ids(readable_ids),
        *_unknown_prerequisites(badges, known_ids),
        *_cycles(badges),
    ]
