"""Which sentence a "who / which city / which company" question asks about.

Names are neither figures nor dates, so neither focus.py nor dates.py ranks them. Over five
passages a 1.5B model asked "Which city achieved mutual recognition … with Yichun?" often answers
NOT_FOUND, or takes a name from the wrong passage; and it does not carry a name across scripts
(허근 is Xu Qin). The sentence that shares clearly most of the question's words is shown first
and named in the hint, with the glossary's spelling of the names it holds in the answer language.
"""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ..text.tokenize import tokens
from .context import entities_in
from .dates import CJK_DAY, MONTH_NUMBER

_ASKS_ENTITY = re.compile(r"谁|哪家|哪个|哪座|哪一?(?:城市|公司|企业|单位|部门)|什么(?:公司|企业|城市)|누구|어느|"
                          r"어떤\s?(?:회사|기업|도시|단위)|무슨\s?(?:회사|기업)|\bwho\b|\bwhom\b|"
                          r"\bwhich (?:city|cities|company|companies|firm|enterprise|province|organi[sz]ation|"
                          r"university|bank|group)\b|\bwhat (?:company|firm|city)\b", re.I)
_NUMBER = re.compile(r"^\d+$")
# What kind of name is asked, and how a sentence shows it holds one (an answer-type filter).
_WHO = re.compile(r"谁|누구|\bwho\b|\bwhom\b", re.I)
_COMPANY = re.compile(r"公司|企业|회사|기업|company|companies|firm|enterprise", re.I)
_CITY = re.compile(r"城市|도시|\bcit(?:y|ies)\b", re.I)
_TITLES = "书记|市长|省长|主任|董事长|总经理|서기|시장|성장|주임|회장|사장"
# A person's name: two or three characters right beside a title (省委书记张庆伟, 주임 허근은, 곽령계 서기는).
_PERSON = re.compile(rf"(?:{_TITLES})\s?(?:[\u4e00-\u9fff]{{2,3}}|[가-힣]{{2,3}}(?=[은는이가을를의,\s]))|"
                     rf"(?:[\u4e00-\u9fff]{{2,3}}|(?<![가-힣])[가-힣]{{2,3}})\s?(?:{_TITLES})")
_DAY_EN = re.compile(r"(\d{1,2})\s+([A-Z][a-z]+)|([A-Z][a-z]+)\s+(\d{1,2})\b")
DAY_FIT = 3.0  # the question's own day (on 20 May 2024) in a sentence (5월 20일 오전) weighs like three words


def asks_entity(question: str) -> bool:
    return bool(_ASKS_ENTITY.search(question))


def days(text: str) -> set[tuple[int, int]]:
    """(month, day) pairs written in `text`: 5月9日, 5월 20일, 20 May, May 20."""
    out = {(int(m), int(d)) for m, d in CJK_DAY.findall(text)}
    for d1, m1, m2, d2 in _DAY_EN.findall(text):
        month, day = (m1, d1) if d1 else (m2, d2)
        if month.lower() in MONTH_NUMBER:
            out.add((MONTH_NUMBER[month.lower()], int(day)))
    return out


def holds_answer_type(question: str, sentence: str, asked_places: set[str]) -> bool:
    """Whether the sentence holds a name of the kind asked: a person beside a title for "who",
    a company for "which company", a place other than `asked_places` for "which city"."""
    if _WHO.search(question):
        return bool(_PERSON.search(sentence))
    if _COMPANY.search(question):
        return bool(_COMPANY.search(sentence))
    if _CITY.search(question):
        return bool(set(entities_in(sentence)) - asked_places)
    return True


@dataclass
class SentenceCandidate:
    doc: str
    sentence: tuple[int, int]
    score: float


def rank_sentences(query_words: set[str], doc: str, text: str, sentences: list[tuple[int, int]],
                   asked_days: AbstractSet[tuple[int, int]] = frozenset(),
                   keep=lambda sentence: True) -> list[SentenceCandidate]:
    """Sentences that `keep` admits, by the question's words they share (those of the next
    sentence count half, for "X는 이렇게 말했다. …" and 同月 …) and the question's own day; best
    first. `query_words` less the question's places."""
    q = {t for t in query_words if not _NUMBER.match(t)}
    sets = [set(tokens(text[s:e])) for s, e in sentences]
    out = []
    for i, (s, e) in enumerate(sentences):
        if not keep(text[s:e]):
            continue
        here = q & sets[i]
        after = (q & sets[i + 1]) - here if i + 1 < len(sets) else set()
        score = len(here) + 0.5 * len(after) + (DAY_FIT if asked_days & days(text[s:e]) else 0.0)
        out.append(SentenceCandidate(doc, (s, e), score))
    return sorted(out, key=lambda c: -c.score)


def lead_sentence(ranked: list[SentenceCandidate], margin: float = 1.0,
                  least: float = 4.0) -> SentenceCandidate | None:
    """The best sentence when it fits well and clearly better than any other."""
    if not ranked or ranked[0].score < least:
        return None
    best = ranked[0]
    rival = max((c.score for c in ranked[1:] if (c.doc, c.sentence) != (best.doc, best.sentence)),
                default=float("-inf"))
    return best if rival <= best.score - margin else None
