"""Grounding: does the cited source use the question's own words?

A question about something the corpus does not hold (a station, a person, a year the sources never
name) still retrieves the nearest passage, and the small model answers from it. The question's
distinctive words, those the corpus uses but rarely, are then mostly missing from the cited
article; an answerable question's are mostly there. Chinese and Korean questions on sources in
their own language only: across scripts words cannot be compared.

Bigrams that say how the question asks (什么时候被, 했는가: rag/data/question_phrasing.tsv) are not
its words. A run of the question the corpus never writes at all (三元桥 when no passage names that
station) counts as missing: a name the sources do not hold is the plainest sign of an unanswerable
question, but a single unseen bigram is as often two words side by side (退役|后), so only runs of
two or more unseen bigrams count.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..text.tokenize import SCRIPT_OF, script_tokens
from ..types import Article

PHRASING_FILE = Path(__file__).resolve().parents[1] / "data" / "question_phrasing.tsv"
WORDS_CACHED = 5000  # articles whose words are kept
Shares = Callable[[list[str]], dict[str, float]]  # token -> share of passages holding it


_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]{3,}")


def stems(question: str, language: str) -> str:
    """The question with Korean words' last syllable cut from words of three or more: particles and
    endings (관광객은, 사이에) glue onto the word, and the source uses the same word with others."""
    if language != "ko":
        return question
    return _HANGUL_RUN.sub(lambda m: m.group()[:-1], question)


@functools.lru_cache(maxsize=1)
def phrasing() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """language -> (characters, words) of question phrasing (question_phrasing.tsv)."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for line in PHRASING_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, kind, items = line.split("\t")
        chars, words = out.setdefault(lang, (set(), set()))
        if kind == "chars":
            chars.update(items.strip())
        elif kind == "words":
            words.update(items.split())
        else:
            raise ValueError(f"{PHRASING_FILE.name}: unknown kind {kind!r}")
    return {lang: (frozenset(c), frozenset(w)) for lang, (c, w) in out.items()}


def is_phrasing(bigram: str, language: str) -> bool:
    chars, words = phrasing().get(language, (frozenset(), frozenset()))
    return bigram in words or any(c in chars for c in bigram)


def unseen_runs(bigrams: list[str], seen: Callable[[str], bool]) -> list[str]:
    """The bigrams of runs of two or more consecutive bigrams (each continuing the last) that
    `seen` rejects: a span of three or more characters the corpus never writes."""
    out: list[str] = []
    run: list[str] = []
    for b in [*bigrams, ""]:
        if b and not seen(b) and (not run or run[-1][1] == b[0]):
            run.append(b)
            continue
        if len(run) >= 2:
            out.extend(run)
        run = [b] if b and not seen(b) else []
    return list(dict.fromkeys(out))


@dataclass
class Grounded:
    terms: list[str]  # the question's distinctive words
    missing: list[str]  # those the cited articles never use
    unseen: list[str] = field(default_factory=list)  # bigrams of spans no passage writes (missing too)

    @property
    def missing_share(self) -> float:
        total = len(self.terms) + len(self.unseen)
        return (len(self.missing) + len(self.unseen)) / total if total else 0.0


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
        order = [t for t in script_tokens(stems(question, language), script)
                 if len(t) == 2 and not is_phrasing(t, language)]
        asked = list(dict.fromkeys(order))
        shares = self.shares(asked)
        # Words most passages use say nothing; a word no passage uses is judged by its run.
        terms = [t for t in asked if 0 < shares.get(t, 0.0) <= self.share_max]
        unseen = unseen_runs(order, lambda t: shares.get(t, 0.0) > 0)
        if len(terms) + len(unseen) < self.min_terms:
            return None
        used: set[str] = set()
        for a in arts:
            if a.doc not in self._words:
                if len(self._words) >= WORDS_CACHED:
                    self._words.clear()  # a bound, not an LRU: a full cache only costs re-tokenizing
                self._words[a.doc] = set(script_tokens(a.text, script))
            used |= self._words[a.doc]
        return Grounded(terms, [t for t in terms if t not in used], unseen)
