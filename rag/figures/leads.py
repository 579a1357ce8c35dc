"""What the prompt's hint names and what a focused retry shows, from the ranked figures (focus.py).

A hint names one figure when it fits the question clearly better than any other value, or for a
question in parts (two kinds of unit, or two years) one sentence's figure for each part. A retry
shows only the sentences of the figures that fit nearly as well as the best.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ..types import Figure
from .focus import Candidate, asked_units, asked_years, stated_years, unit_class

# Least fit score (focus.py) for a figure to override the model's choice: a measure or
# unit named by the question plus some of its words.
REFOCUS_MIN = 5.0


def rounds(f: Figure, exact: Figure) -> bool:
    """`f` is a rounding of `exact` in the same sentence: 接近5000亿元 beside 4901亿元."""
    if f.qualifier not in ("nearly", "about") or (f.doc, f.sentence_start) != (exact.doc, exact.sentence_start):
        return False
    v, e = Decimal(f.value), Decimal(exact.value)
    return f.unit == exact.unit and e > 0 and abs(v - e) <= e / 10


def lead_figure(ranked: list[Candidate]) -> Candidate | None:
    """The best-fitting figure when it fits well and clearly better than any other value."""
    if not ranked or ranked[0].score < REFOCUS_MIN:
        return None
    best = ranked[0]
    # The same figure often stands in both a Chinese and a Korean article: 2600万 and 2600만명;
    # and a rounding beside it (接近5000亿元(达到4901亿元)) is no rival either.
    runner_up = max((c.score for c in ranked if c.figure.value != best.figure.value
                     and not rounds(c.figure, best.figure)), default=float("-inf"))
    return best if runner_up <= best.score - 1.0 else None


def lead_set(ranked: list[Candidate], question: str) -> list[Candidate]:
    """What the hint names: for a question in parts, the best-fitting sentence's figure for each
    part, when that set fits clearly better than any other sentence's; else the single lead
    figure, if any. The parts are kinds of unit ("how many projects, for what amount") or years
    ("2017년과 2019년 … 각각 얼마")."""
    def kind(unit_cls: str) -> str:
        return "people" if unit_cls == "person-times" else unit_cls  # 多少人次 asks one thing

    units = {kind(u) for u in asked_units(question)}
    years = asked_years(question)
    part_of: Callable[[Candidate], str | None]
    if len(units) >= 2:
        parts, part_of = units, lambda c: kind(unit_class(c.figure.unit))
    elif len(years) >= 2:
        def part_of(c: Candidate) -> str | None:
            named = years & stated_years(c.figure)
            fits = not units or kind(unit_class(c.figure.unit)) in units
            return next(iter(named)) if len(named) == 1 and fits else None
        parts = years
    else:
        parts = set()
    if parts:
        sets = []
        by_sentence: dict[tuple[str, int], dict[str, Candidate]] = {}
        for c in ranked:  # best first, so the first for each part in a sentence is its best
            found = by_sentence.setdefault((c.figure.doc, c.figure.sentence_start), {})
            if (part := part_of(c)) is not None:
                found.setdefault(part, c)
        for found in by_sentence.values():
            if parts <= found.keys():
                members = sorted((found[p] for p in parts), key=lambda c: c.figure.start)
                sets.append((sum(c.score for c in members), members))
        sets.sort(key=lambda x: -x[0])
        if sets and sets[0][0] >= len(parts) * (REFOCUS_MIN - 1.0):
            values = {c.figure.value for c in sets[0][1]}
            # The same story told in the other language gives the same values: not a rival.
            rival = max((t for t, m in sets[1:] if {c.figure.value for c in m} != values), default=float("-inf"))
            if rival <= sets[0][0] - 1.0:
                return sets[0][1]
    lead = lead_figure(ranked)
    return [lead] if lead else []


def focus_set(ranked: list[Candidate], most: int = 3) -> list[Candidate]:
    """The figures less than a point below the best: a refocused context shows only these, so a
    clear lead (a point or more ahead of any other value) is shown alone."""
    if not ranked:
        return []
    return [c for c in ranked if c.score > ranked[0].score - 1.0][:most]
