"""What a briefing topic is about, and whether a passage is about it.

A topic naming places (from the gazetteer and the corpus's own place names) is scoped by them, in
any of the three languages. A topic naming none (a railway line, a station, a person) is scoped by
its phrases holding a distinctive word (one the corpus uses, in at most `share_max` of the
passages; any script: NTSC in a Korean article). A passage is about such a topic when its article's
title and the passage itself hold at least `coverage_min` of them, by weight; both numbers are
fitted (`eval/fit.py --brief-scope`). A topic whose words are all in a script the corpus does not
use says nothing either way (an English topic over Chinese news): its scope is left open, and
retrieval order decides. One whose words are in the corpus's scripts yet used by no passage is a
topic the corpus does not cover.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..figures.context import entities_in, with_provinces
from ..text.tokenize import tokens
from ..types import Article, Figure, Passage

_PHRASE = re.compile(r"[\u4e00-\u9fff]+|[\uac00-\ud7a3]+|[A-Za-z0-9][A-Za-z0-9.\-]*")
_NAME_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")  # 劲松站 (北京市): a disambiguation
_NAME_STRIP = " \t…．.。:：-–—|"  # a title cut short (나경원…) or set off by punctuation is the same name
_CLAUSE = re.compile(r"[，,；;：:]")
_SUBJECT_CHARS = 8  # a clause's subject name ends within its first characters (德大铁路全长…)
NAME_MAX_CHARS = 12
DEMONSTRATIVES_FILE = Path(__file__).resolve().parents[1] / "data" / "zh_demonstratives.txt"
Shares = Callable[[list[str]], dict[str, float]]  # token -> share of passages holding it


@dataclass
class Scope:
    places: set[str] = field(default_factory=set)  # canonical place names the topic names
    terms: list[str] = field(default_factory=list)  # its phrases holding a distinctive word, when it names no place
    weights: dict[str, float] = field(default_factory=dict)  # 1 - log of its rarest word's share
    longer: dict[str, list[str]] = field(default_factory=dict)  # corpus names holding a phrase
    others: list[str] = field(default_factory=list)  # corpus names unrelated to the topic's phrases
    heads: dict[str, str] = field(default_factory=dict)  # phrase -> the name ending it shares with most titles (铁路)
    absent: list[str] = field(default_factory=list)  # no passage uses a word: those in the corpus's scripts

    @property
    def unknown(self) -> bool:
        """No passage uses any of the topic's words, and some are of the corpus's scripts."""
        return bool(self.absent)


def _unmasked(text: str, phrase: str, longer: list[str]) -> int:
    """Where `phrase` first occurs in lower-cased `text` outside the longer names holding it (their
    places blanked, so positions hold); -1 if nowhere."""
    for name in longer:
        text = text.replace(name.lower(), " " * len(name))
    return text.find(phrase.lower())


def _clause_start(clause: str) -> str:
    return clause.strip(" \t\n\"“”「」（(").lower()


@lru_cache(maxsize=1)
def demonstratives() -> frozenset[str]:
    lines = DEMONSTRATIVES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


class TopicScope:
    def __init__(self, articles: dict[str, Article], shares: Shares, share_max: float, coverage_min: float):
        if not 0 < share_max <= 1:
            raise ValueError(f"share_max must be in (0, 1], not {share_max}")
        if not 0 <= coverage_min <= 1:
            raise ValueError(f"coverage_min must be in [0, 1], not {coverage_min}")
        self.articles = articles
        self.shares = shares
        self.share_max = share_max
        self.coverage_min = coverage_min
        self._titles: list[str] | None = None
        self._scripts = {a.language for a in articles.values()}

    def run(self, topic: str) -> Scope:
        places = set(entities_in(topic))
        if places:
            return Scope(places)
        words = list(dict.fromkeys(tokens(topic, bridge=False)))
        shares = self.shares(words)
        if not any(shares.get(t, 0.0) for t in words):
            return Scope(absent=[t for t in words if self._corpus_script(t)])
        # The topic's phrases as typed (北土城站, 테드 번디), each weighed by its rarest word: bigrams
        # alone would find 北土城站 in 西土城站's 北土城西路.
        weights: dict[str, float] = {}
        for phrase in dict.fromkeys(m.group() for m in _PHRASE.finditer(topic)):
            rare = [shares[t] for t in tokens(phrase, bridge=False) if 0 < shares.get(t, 0.0) <= self.share_max]
            if rare:
                weights[phrase] = 1.0 - math.log(min(rare))  # >= 1: a word in every passage still counts
        longer = {ph: [t for t in self._names() if ph in t and t != ph and t not in topic] for ph in weights}
        others = [n for n in self._names() if not any(ph in n or n in ph for ph in weights)]
        heads = {ph: h for ph in weights if (h := self._head(ph))}
        # No terms when the topic holds only common words (合作, 发展): the scope stays open.
        return Scope(terms=list(weights), weights=weights, longer=longer, others=others, heads=heads)

    def coverage(self, scope: Scope, doc: str, text: str) -> float:
        """The weighted share of the topic's phrases in `text` or its article's title. A phrase
        inside a longer name that titles another article (龙烟铁路 in 德龙烟铁路) does not count."""
        if not scope.terms:
            return 1.0
        hay = (self.articles[doc].title + "\n" + text).lower()
        held = sum(scope.weights[ph] for ph in scope.terms if _unmasked(hay, ph, scope.longer.get(ph, [])) >= 0)
        return held / sum(scope.weights.values())

    def about(self, scope: Scope, p: Passage) -> bool:
        """A passage holding enough of the topic's phrases, and, in an article its title does not
        name, a clause that opens with the topic: a station's article that names the topic only as
        the line it connects to (…与北土城站换乘) is about that station, not the topic."""
        if self.coverage(scope, p.doc, p.text) < self.coverage_min:
            return False
        if not scope.terms or self.coverage(scope, p.doc, "") >= self.coverage_min:
            return True
        text = self.articles[p.doc].text
        return any(self._subject(scope, _clause_start(c)) is True
                   for s, e in (p.sentences or [(p.start, p.end)]) for c in _CLAUSE.split(text[s:e]))

    def about_figure(self, scope: Scope, f: Figure) -> bool:
        """A figure must be about the topic: its article's title names it, or the subject of its
        clause does. The subject is the name a clause opens with, looked for from the figure's clause
        back to the sentence's first; a clause opening with no name (西起…, 正线全长…) carries the
        subject of the one before, and a sentence with none at all is about its own article. So a
        sentence on one railway line that mentions another (德大铁路全长290公里，…与大莱龙铁路相接)
        lends none of its figures to the other's briefing."""
        if scope.places:
            return scope.places <= with_provinces(f.scope)
        if not scope.terms:
            return False
        if self.coverage(scope, f.doc, "") >= self.coverage_min:
            return True
        text = self.articles[f.doc].text[f.sentence_start:f.sentence_end]
        if self.coverage(scope, f.doc, text) < self.coverage_min:
            return False
        end = _CLAUSE.search(text, f.end - f.sentence_start)
        clauses = _CLAUSE.split(text[:end.start() if end else len(text)])
        for clause in reversed(clauses):
            subject = self._subject(scope, _clause_start(clause))
            if subject is not None:
                return subject
        return False

    def _subject(self, scope: Scope, clause: str) -> bool | None:
        """Whether `clause` opens with the topic (True) or another name (False); None: with no name."""
        for ph in scope.terms:
            if _unmasked(clause, ph, scope.longer.get(ph, [])) == 0:
                return True
        if any(clause.startswith(n.lower()) for n in scope.others):
            return False
        # A name of the topic's kind that is not the topic: 德大铁路 beside 大莱龙铁路.
        for head in scope.heads.values():
            at = clause.find(head, 1, _SUBJECT_CHARS + len(head))
            if at > 0 and all("\u4e00" <= c <= "\u9fff" for c in clause[:at]) and clause[:at] not in demonstratives():
                return False
        return None

    def _head(self, phrase: str) -> str:
        """The ending `phrase` shares with the most other article titles (ties: the longer): the kind
        of name it is (站, 铁路). "" when it shares none or is not Han."""
        if not phrase or not "\u4e00" <= phrase[-1] <= "\u9fff":
            return ""
        names = [n for n in self._names() if n != phrase]
        best, count = "", 0
        for k in range(1, len(phrase)):
            n = sum(t.endswith(phrase[-k:]) for t in names)
            if n and n >= count:
                best, count = phrase[-k:], n
        return best

    def _names(self) -> list[str]:
        """Article titles short enough to be names (a wiki title, not a headline), as topics."""
        if self._titles is None:
            self._titles = [t for t in {_NAME_SUFFIX.sub("", a.title).strip(_NAME_STRIP)
                                        for a in self.articles.values()} if 0 < len(t) <= NAME_MAX_CHARS]
        return self._titles

    def _corpus_script(self, token: str) -> bool:
        """Han or Hangul tokens where the corpus has articles in that language; Latin words only
        over an English corpus (Latin words in Chinese news are too rare to prove absence)."""
        ch = token[0]
        if "\u4e00" <= ch <= "\u9fff":
            return "zh" in self._scripts
        if "\uac00" <= ch <= "\ud7a3":
            return "ko" in self._scripts
        return "en" in self._scripts and not token.isdigit()
