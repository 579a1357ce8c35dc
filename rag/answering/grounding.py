"""Grounding: does the cited source use the question's own words?

A question about something the corpus does not hold (a station, a person, a year the sources never
name) still retrieves the nearest passage, and the small model answers from it. The question's
distinctive words, those the corpus uses but rarely, are then mostly missing from the cited
article; an answerable question's are mostly there. Chinese and Korean questions on sources in
their own language only: across scripts words cannot be compared.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..text.tokenize import SCRIPT_OF, script_tokens
from ..types import Article

WORDS_CACHED = 5000  # articles whose words are kept
Shares = Callable[[list[str]], dict[str, float]]  # token -> share of passages holding it


_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]{3,}")


def stems(question: str, language: str) -> str:
    """The question with Korean words' last syllable cut from words of three or more: particles and
    endings (관광객은, 사이에) glue onto the word, and the source uses the same word with others."""
    if language != "ko":
        return question
    return _HANGUL_RUN.sub(lambda m: m.group()[:-1], question)


@dataclass
class Grounded:
    terms: list[str]  # the question's distinctive words
    missing: list[str]  # those the cited articles never use

    @property
    def missing_share(self) -> float:
        return len(self.missing) / len(self.terms) if self.terms else 0.0


class GroundingCheck:
    def __init__(self, articles: dict[str, Article], shares: Shares, share_max: float, min_terms: int = 2):
        if not 0 < share_max <= 1:
            raise ValueError(f"share_max must be in (0, 1], not {share_max}")
        self.articles = articles
        self.shares = shares
        self.share_max = share_max
        self.min_terms = min_terms
        self._words: dict[str, set[str]] = {}

    def run(self, question: str, language: str, docs: list[str]) -> Grounded | None:
        """None where the check does not apply: another script, a cited article in another language
        than the question, or too few distinctive words to judge by."""
        script = SCRIPT_OF.get(language)
        arts = [self.articles[d] for d in dict.fromkeys(docs) if d in self.articles]
        if script is None or not arts or any(a.language != language for a in arts):
            return None
        asked = list(dict.fromkeys(t for t in script_tokens(stems(question, language), script) if len(t) == 2))
        # Words the corpus never uses are the question's own phrasing (什么时候, 무엇인가), not a
        # sign of a missing subject; words most passages use say nothing either.
        shares = self.shares(asked)
        terms = [t for t in asked if 0 < shares.get(t, 0.0) <= self.share_max]
        if len(terms) < self.min_terms:
            return None
        used: set[str] = set()
        for a in arts:
            if a.doc not in self._words:
                if len(self._words) >= WORDS_CACHED:
                    self._words.clear()  # a bound, not an LRU: a full cache only costs re-tokenizing
                self._words[a.doc] = set(script_tokens(a.text, script))
            used |= self._words[a.doc]
        return Grounded(terms, [t for t in terms if t not in used])
