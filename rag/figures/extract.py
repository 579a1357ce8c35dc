"""Figure extraction at index time: every figure with a unit or scale word, in every passage."""
from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..types import Article, Figure, Passage
from .context import clause_bounds, entities_in, flags_of, joined, main_entities, period_of
from .measure import measure_phrase
from .parse import parse_figures, unit_in
from .render import _plain

FIGURES_CODE_VERSION = 9  # bump when extraction code changes; stored indexes then re-extract on load


@lru_cache(maxsize=1)
def figures_version() -> str:
    """The code version plus a digest of the data files extraction reads (places, link words,
    units): editing one of them re-extracts stored figures as a code change does."""
    data = Path(__file__).resolve().parents[1] / "data"
    h = hashlib.sha256()
    for f in sorted(data.iterdir()):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return f"{FIGURES_CODE_VERSION}-{h.hexdigest()[:12]}"


def value_str(v: Decimal) -> str:
    return _plain(v)


_QUOTED = re.compile(r"\[[^\]]{1,30}\]|[‘'][^’']{1,20}[’']|《[^》]{1,40}》|<[^>]{1,40}>|“[^”]{1,12}”")


def _quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Names of programmes and documents ('1주 6쌍', 《…2023-2027》) hold numbers that are not figures."""
    return [m.span() for m in _QUOTED.finditer(sentence)]


def _implied_unit(before: str) -> str:
    # 旅游客源互送人数突破2600万: the count of people is named before the number.
    return "people" if re.search(r"人数|人次|인수|연인수|number of (?:people|visitors|tourists)", before) else ""


def extract_figures(articles: dict[str, Article], passages: list[Passage]) -> list[Figure]:
    """One Figure per source position; a figure in the overlap of two passages belongs to the first."""
    out: list[Figure] = []
    seen: set[tuple[str, int]] = set()
    scope_of_doc = {doc: main_entities(a.text) for doc, a in articles.items()}
    for p in passages:
        article = articles[p.doc]
        for s, e in p.sentences:
            sentence = article.text[s:e]
            quoted = _quoted_spans(sentence)
            for m in parse_figures(sentence):
                if m.is_bare or (p.doc, s + m.start) in seen or any(a <= m.start < b for a, b in quoted):
                    continue
                seen.add((p.doc, s + m.start))
                cs, ce = clause_bounds(sentence, m.start)
                clause = sentence[cs:ce]
                unit = unit_in(m.unit or _implied_unit(joined(sentence[cs:m.start])), m.text, article.currency)
                measure = measure_phrase(clause, m.start - cs, m.end - cs, unit)
                if unit == "people" and re.search(r"人次|연인수|person-times", joined(clause)):
                    unit = "person-times"  # 연인수로 거의 만명: visits counted per person, not people
                scope = entities_in(clause)
                explicit = bool(scope)
                if not scope:
                    scope = entities_in(sentence) or scope_of_doc[p.doc]
                period = period_of(sentence, m.start, article.date)
                out.append(Figure(
                    id=f"{p.doc}@{s + m.start}", text=m.text, value=value_str(m.value), unit=unit,
                    qualifier=m.qualifier, period=period.label, as_of=period.as_of, measure=measure,
                    scope=scope, scope_explicit=explicit, flags=list(flags_of(clause, sentence)),
                    doc=p.doc, passage_id=p.id, start=s + m.start, end=s + m.end, sentence_start=s,
                    sentence_end=e, date=article.date, language=article.language))
    return out
