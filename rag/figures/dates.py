"""Which date a "when" question asks for: the counterpart of figure focus for dates.

A 1.5B model asked "On what date did Shenzhen and Harbin sign the agreement?" over five passages
full of dates picks the wrong one, or none. Dates are not figures (parse.py skips them), so they
are found here, and the one whose sentence (and the sentence after it, which often says what
happened that day: "2020년 8월 13일은 … 날이다. … 협정에 서명했다") shares most of the question's
words is named in the prompt, as the lead figure is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.tokenize import tokens

_ASKS_DATE = re.compile(r"哪天|哪一天|什么时候|何时|几月几日|哪年|哪一年|언제|며칠에|몇월 며칠|몇\s?년에|"
                        r"\bwhen\b|what date|which date|which day|what day|what year|which year", re.I)
YEAR = r"(1\d{3}|20\d{2})"
# 1756年5月18日, 1756년 5월 18일, 1756年: a year only when it carries its year word; not a decade (1980년대, 1980年代).
CJK_DATE = re.compile(rf"(?<!\d){YEAR}\s?[年년](?![대代])(?:\s?(\d{{1,2}})\s?[月월](?:\s?(\d{{1,2}})\s?[日일号])?)?")
# 3월 15일, 3月15日: a day without its year.
CJK_DAY = re.compile(r"(?<![\d.])(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日일号]")
LEAD_YEAR_MIN = 1900  # lead dates are named from news years only: that is what they were measured on
DATE_FIT = 10.0  # a lead date's sentence is shown first, as the best-fitting figure's is (answer.py)
# The question's own numbers (the 2023 of 2023-2027) are left out: they favour any sentence of that year.
_DATE_WORDS = re.compile(r"^\d+$")


def asks_date(question: str) -> bool:
    return bool(_ASKS_DATE.search(question))


@dataclass
class DateCandidate:
    text: str  # as written: 2019年5月9日
    key: str  # ISO-ish, to tell one date from another: 2019-05-09
    doc: str
    sentence: tuple[int, int]
    score: float


def rank_dates(query_words: set[str], doc: str, text: str, sentences: list[tuple[int, int]]) -> list[DateCandidate]:
    """Dates in `sentences` (offsets into `text`, in order), best fit first. `query_words`: the
    question's tokens less its place names, which every date near those places shares."""
    q = {t for t in query_words if not _DATE_WORDS.match(t)}
    out = []
    for i, (s, e) in enumerate(sentences):
        here = q & set(tokens(text[s:e]))
        after = q & set(tokens(text[sentences[i + 1][0]:sentences[i + 1][1]])) if i + 1 < len(sentences) else set()
        for m in CJK_DATE.finditer(text, s, e):
            year, month, day = m.group(1), m.group(2), m.group(3)
            if int(year) < LEAD_YEAR_MIN:
                continue
            key = "-".join(x.zfill(2) for x in (year, month, day) if x)
            # A full date answers "on what date" better than a bare year.
            score = len(here) + 0.5 * len(after - here) + 0.5 * (key.count("-"))
            out.append(DateCandidate(m.group(0), key, doc, (s, e), score))
    return sorted(out, key=lambda c: -c.score)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTH_NUMBER = {m.lower(): i for i, m in enumerate(MONTHS, 1)}


def render_date(key: str, lang: str) -> str:
    """2019-05-09 as the answer language writes it: 9 May 2019, 2019年5月9日, 2019년 5월 9일."""
    parts = [int(x) for x in key.split("-")]
    if lang == "en":
        y, m, d = (parts + [0, 0])[:3]
        return " ".join(str(x) for x in ((d or ""), MONTHS[m - 1] if m else "", y) if x)
    marks = ("年", "月", "日") if lang == "zh" else ("년", "월", "일")
    sep = "" if lang == "zh" else " "
    return sep.join(f"{x}{mark}" for x, mark in zip(parts, marks, strict=False))


def lead_date(ranked: list[DateCandidate], margin: float = 3.0, least: float = 4.0) -> DateCandidate | None:
    """The best date when it fits clearly better than any other date."""
    if not ranked or ranked[0].score < least:
        return None
    rival = max((c.score for c in ranked if c.key != ranked[0].key), default=float("-inf"))
    return ranked[0] if rival <= ranked[0].score - margin else None
