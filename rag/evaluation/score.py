"""Deterministic scoring: figures normalised across units and languages, dates, entity strings."""
from __future__ import annotations

import re
from decimal import Decimal

from ..answering.prose import PLAIN_MARKER, answer_language
from ..figures.parse import parse_figures
from ..figures.verify import units_compatible
from . import spans
from .dataset import Gold, Item

_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"], 1)}


def mentions(text: str):
    return parse_figures(PLAIN_MARKER.sub(lambda m: " " * len(m.group()), text))


def has_figure(text: str, gold: Gold) -> bool:
    want = Decimal(gold.value)
    return any(m.value == want and units_compatible(m.unit, gold.unit) for m in mentions(text))


def scale_errors(text: str, gold: list[Gold], known: set[Decimal] | frozenset[Decimal] = frozenset()) -> int:
    """Figures off from a gold value by a power of ten: the unit-conversion slip (5000亿 -> 5000 billion).

    A figure that some article states (`known`) is a wrong pick, not a conversion slip: 30명 where the
    question wanted 300余名 is counted by accuracy, not here."""
    n = 0
    for m in mentions(text):
        if m.value in known:
            continue
        for g in gold:
            want = Decimal(g.value)
            if m.value and want and m.value != want and units_compatible(m.unit, g.unit) and not m.is_bare:
                ratio = (m.value / want).normalize()
                if ratio.as_tuple().digits == (1,):
                    n += 1
    return n


def dates_in(text: str) -> set[str]:
    out = set()
    for y, mo, d in re.findall(r"(\d{4})\s?[年년.-]\s?(\d{1,2})\s?[月월.-]\s?(\d{1,2})", text):
        out.add(f"{int(y):04d}-{int(mo):02d}-{int(d):02d}")
    for mo, d, y in re.findall(r"([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})", text):
        if mo.lower() in _MONTHS:
            out.add(f"{int(y):04d}-{_MONTHS[mo.lower()]:02d}-{int(d):02d}")
    for d, mo, y in re.findall(r"(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})", text):
        if mo.lower() in _MONTHS:
            out.add(f"{int(y):04d}-{_MONTHS[mo.lower()]:02d}-{int(d):02d}")
    return out


def own_words(text: str) -> str:
    """The answer without the conflict notes the pipeline appends after a blank line."""
    return text.split("\n\n", 1)[0]


def correct(item: Item, text: str, abstained: bool) -> bool:
    """Every gold figure in the answer. Outside conflict questions only the answer's own words
    count: a conflict note listing 341 and 407 does not make "2546名" right."""
    if not item.answerable:
        return abstained
    if item.scoring == "span":  # the external scorer's rule: a gold string in the answer, whatever the flag
        return bool(spans.match(item.accept, text))
    if abstained:
        return False
    if item.type != "conflict":
        text = own_words(text)
    if item.gold:
        return all(has_figure(text, g) for g in item.gold)
    if item.date:
        return item.date in dates_in(text)
    low = text.lower()
    return any(a.lower() in low for a in item.accept)


def expected_language_ok(item: Item, text: str) -> tuple[str, bool]:
    """The answer's language and whether it is the one the item expects, by the set's own rule."""
    got = spans.language(text) if item.scoring == "span" else answer_language(text)
    return got, got == item.expected_lang


