"""What a figure is about: its clause, scope (places) and period, read from the source text.

Deterministic: places from rag/data/gazetteer.tsv, what a figure measures from its own words
(measure.py); no model judges whether two figures measure the same thing.
"""
from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..text import gazetteer

DATA = Path(__file__).resolve().parents[1] / "data"

# Clause ends: punctuation, and Korean connective endings ("…했으며 광동에서도 30명…").
_CLAUSE = re.compile(r"[,，;；、:：]|(?<=[며고])\s(?=\S)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@lru_cache(maxsize=1)
def places() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(canonical English name, surface forms) for every place in the gazetteer; a two-place
    compound (中俄) is a form of both places; an affixed abbreviation (对俄, 俄方) of its country."""
    found: dict[str, set[str]] = {name: set(forms) for name, forms in gazetteer.place_forms().items()}
    for word, members in gazetteer.compounds().items():
        for m in members:
            found[m].add(word)
    # A single Hangul syllable (러) hides inside too many words to count as a name.
    return tuple((name, tuple(f for f in forms if not (len(f) == 1 and _HANGUL.match(f))))
                 for name, forms in found.items())


@lru_cache(maxsize=1)
def within() -> dict[str, str]:
    """Place -> the province it lies in ("" for provinces and countries)."""
    return gazetteer.parents()


@lru_cache(maxsize=1)
def provinces() -> frozenset[str]:
    return frozenset(p.name for p in gazetteer.load() if p.kind == "province")


def passage_places(text: str, start: int, end: int, article_places) -> set[str]:
    """The places a passage (text[start:end]) is about: those it names and its article's main ones,
    with the provinces they lie in."""
    return with_provinces(set(entities_in(text[start:end])) | set(article_places))


def with_provinces(names) -> set[str]:
    """The places plus the provinces they lie in: Harbin is also about Heilongjiang."""
    names = set(names)
    return names | {within()[n] for n in names if within().get(n)}


@dataclass(frozen=True)
class PlaceMatch:
    start: int
    end: int
    form: str
    names: tuple[str, ...]  # two for a compound (中俄)


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern, dict[str, tuple[str, ...]]]:
    """One alternation over every place form, longest first: a single pass per text instead of
    one search per form (the gazetteer and its compounds hold thousands)."""
    names: dict[str, list[str]] = {}
    for name, forms in places():
        for f in forms:
            names.setdefault(f, []).append(name)
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(form_pattern(f) for f in ordered)), {f: tuple(n) for f, n in names.items()}


def place_matches(text: str) -> list[PlaceMatch]:
    """Place forms in `text`, left to right, the longest at each position, none overlapping."""
    pattern, names = _matcher()
    return [PlaceMatch(m.start(), m.end(), m.group(0), names[m.group(0)]) for m in pattern.finditer(text)]


def entities_in(text: str) -> list[str]:
    """Canonical place names in order of first appearance."""
    out: dict[str, None] = {}
    for m in place_matches(text):
        for n in m.names:
            out.setdefault(n, None)
    return list(out)


def form_pattern(form: str) -> str:
    """A name's surface form as a pattern: whole words for Latin script, anywhere for Han and Hangul."""
    return r"\b" + re.escape(form) + r"\b" if form.isascii() else re.escape(form)


def main_entities(text: str, n: int = 2) -> list[str]:
    """The places an article is mostly about: its default scope for figures that name none."""
    counts: Counter[str] = Counter()
    for m in place_matches(text):
        if not m.form.isascii():
            counts.update(m.names)
    return [name for name, c in counts.most_common(n) if c >= 2]


def joined(text: str) -> str:
    """Undo layout breaks inside CJK words (2546名干\n\n部) before matching words."""
    return re.sub(r"(?<=[\u3400-\u9fff\uac00-\ud7a3])\s*\n\s*(?=[\u3400-\u9fff\uac00-\ud7a3])", "", text)


def clause_bounds(sentence: str, pos: int) -> tuple[int, int]:
    start, end = 0, len(sentence)
    for m in _CLAUSE.finditer(sentence):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


# --- periods -------------------------------------------------------------------------------------

FLAG_WORDS = {
    "per_year": ("每年", "年均", "해마다", "매년", "annually", "per year", "a year", "each year", "every year"),
    "cumulative": ("累计", "累积", "루계", "누계", "도합", "总共", "以来", "이래", "cumulative", "in total", "so far",
                   "since"),
    "expected": ("预计", "预期", "计划", "예상", "계획", "expected", "planned", "target"),
}

_PERIODS = [
    ("as_of_end", re.compile(r"(?:截至|截止到?|到)\s?(\d{4})\s?年\s?(?:底|末|年底|年末)|(\d{4})\s?년\s?말")),
    ("as_of", re.compile(r"(?:截至|截止到?)\s?(\d{4})\s?年|(\d{4})\s?년(?:도)?\s?까지|"
                         r"(?:by|as of) (?:the end of )?(\d{4})")),
    ("month_end", re.compile(r"截至\s?(\d{1,2})\s?月(?:末|底)|(\d{1,2})\s?월\s?말")),
    ("to_date", re.compile(r"截至目前|截止目前|目前|현재|지금까지|to date|so far")),
    ("half", re.compile(r"上半年|상반기|first half")),
    ("q3", re.compile(r"前三季度|전\s?3\s?분기|first three quarters")),
    ("this_year", re.compile(r"今年|올해|금년|this year")),
    ("last_year", re.compile(r"去年|지난해|작년|last year")),
    ("year", re.compile(r"(\d{4})\s?(?:年|년)(?!\s?(?:底|末|말))|\bin (\d{4})\b")),
]


@dataclass
class Period:
    label: str  # "by end-2022", "2019", "2024-01..08", "" when the text gives none
    as_of: str  # ISO date the figure describes; the article date when the text gives none
    explicit_year: str = ""  # for flows: 2017 vs 2019 are a series, not a conflict


def _year_of(d: str) -> int | None:
    return int(d[:4]) if d[:4].isdigit() else None


def _last_day(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def period_of(sentence: str, pos: int, article_date: str) -> Period:
    """The period or as-of date nearest before `pos` in the sentence, resolved against the article date."""
    year_now = _year_of(article_date)
    hits = []
    for kind, rx in _PERIODS:
        for m in rx.finditer(sentence):
            if m.start() < pos:
                hits.append((m.start(), kind, m))
    if not hits:
        return Period("", article_date)
    # The nearest expression wins; "this year"/"to date" refine a month or year found with them.
    # The expression ending nearest the figure wins; of two ending together (截至2020年 / 2020年) the longer.
    hits.sort(key=lambda h: (h[2].end(), h[2].end() - h[2].start()))
    kinds = {k: m for _, k, m in hits}
    start, kind, m = hits[-1]
    if kind == "this_year" and "month_end" in kinds:  # 截至8月末，今年…: January to August of this year
        kind, m = "month_end", kinds["month_end"]
    year = next((int(g) for g in (m.groups() or ()) if g and len(g) == 4), None)
    if kind in ("as_of_end",):
        return Period(f"by end-{year}", f"{year}-12-31")
    if kind == "as_of":
        return Period(f"by {year}", f"{year}-12-31")
    if kind == "month_end" and year_now:
        month = int(next(g for g in m.groups() if g))
        return Period(f"{year_now}-01..{month:02d}", _last_day(year_now, month))
    if kind == "to_date":
        return Period(f"to {article_date}" if article_date else "to date", article_date)
    if kind in ("half", "q3"):
        y = year_now
        if "year" in kinds:
            y = int(next(g for g in kinds["year"].groups() if g))
        if y is None:
            return Period("", article_date)
        return (Period(f"H1 {y}", f"{y}-06-30") if kind == "half" else Period(f"Q1–Q3 {y}", f"{y}-09-30"))
    if kind in ("this_year", "last_year") and year_now:
        y = year_now - (kind == "last_year")
        month_m = re.search(r"(\d{1,2})\s?(?:月|월)", sentence[m.end():pos])
        if month_m and 1 <= int(month_m.group(1)) <= 12:
            return Period(f"{y}-{int(month_m.group(1)):02d}", _last_day(y, int(month_m.group(1))), str(y))
        return Period(str(y), article_date if y == year_now else f"{y}-12-31", str(y))
    if kind == "year" and year:
        return Period(str(year), f"{year}-12-31", str(year))
    return Period("", article_date)


def flags_of(clause: str, sentence: str) -> tuple[str, ...]:
    low_c, low_s = clause.lower(), sentence.lower()
    out = []
    for flag, words in FLAG_WORDS.items():
        where = low_s if flag == "cumulative" else low_c
        if any(w in where for w in words):
            out.append(flag)
    return tuple(out)
