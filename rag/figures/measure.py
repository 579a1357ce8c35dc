"""What a figure measures, read from the words around it, and how alike two such readings are.

No lexicon of measures: a figure's measure is the phrase its clause names it with (旅游客源互送人数,
등록한 기업), as the source writes it, less the places, numbers and dates that scope and period
already hold. Two phrases are compared on script-neutral terms (Han runs in their Sino-Korean
reading, so 企业 meets 기업) weighted by how rare each term is among the corpus's figures, so the
verbs every figure shares (达到, 突破, 했다) weigh little and the nouns that name a measure weigh most.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..text import bridge as br
from ..text import glossary
from .context import place_matches
from .parse import parse_figures

# The part of a phrase that is no word: figures with their units and scale words, dates, brackets.
_NOT_WORDS = re.compile(
    r"\d[\d.,]*\s*(?:年底|年末|年初|月底|月末|[年月日号]|년말|년초|월말|년|월|일)?|[\[\](){}（）《》<>“”‘’\"'·•…]")
_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]+|[\uac00-\ud7a3]+|[A-Za-z]+")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
# Han characters kept of the noun before a figure (a measure is named close to its value) and of the
# counted noun after it.
BEFORE_CHARS = 6
AFTER_CHARS = 4


# An administrative suffix a gazetteer form may leave behind (北京|市, 흑룡강|성): part of the place.
_ADMIN = "省市县区州盟旗镇乡성시현구군"


def _words(text: str) -> list[str]:
    """The words of text, a place standing as "" (the search for a figure's noun stops at it)."""
    spans = [(m.start, m.end + (m.end < len(text) and text[m.end] in _ADMIN), "\0") for m in place_matches(text)]
    spans += [(m.start, m.end, " ") for m in parse_figures(text)]
    for s, e, mark in sorted(spans, reverse=True):
        text = text[:s] + f" {mark} " + text[e:]
    return ["" if w == "\0" else w for w in re.findall(_RUN.pattern + "|\0", _NOT_WORDS.sub(" ", text))]


LINKS_FILE = Path(__file__).resolve().parents[1] / "data" / "measure_links.tsv"


@lru_cache(maxsize=1)
def _links() -> dict[tuple[str, str], tuple[str, ...]]:
    """(language, side) -> link words, longest first."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    with open(LINKS_FILE, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                lang, side, words = line.rstrip("\n").split("\t")
                out[(lang, side)] = tuple(sorted(words.split(), key=len, reverse=True))
    return out


def _lang(word: str) -> str:
    return "zh" if _HAN.match(word) else ("en" if word.isascii() else "ko")


def _strip_end(word: str, links: tuple[str, ...]) -> str:
    if word.isascii():  # English link words are words of their own ("reached"), not endings
        return "" if word.lower() in links else word
    changed = True
    while word and changed:
        changed = False
        for w in links:
            if word.endswith(w):
                word, changed = word[:-len(w)], True
                break
    return word


def _before(words: list[str]) -> str:
    """The noun nearest before the figure, its link words (达到, 은, reached) stripped."""
    for w in reversed(words):
        if not w:
            return ""
        lang = _lang(w)
        head = _strip_end(w, _links().get((lang, "before"), ()))
        if len(head) == 1:
            return ""  # what a place's removal leaves (흑룡강성은 → 성): no noun of its own
        if head:
            return head[-BEFORE_CHARS:] if lang == "zh" else head
    return ""


def _after(words: list[str], counted: bool) -> str:
    """The noun right after the figure (407명의 간부를 → 간부, 76个项目 → 项目): in Chinese only after
    a counter, where the noun is what is counted."""
    linked = False
    for w in words:
        if not w:
            return ""
        lang = _lang(w)
        if lang == "zh" and not counted:
            return ""
        lead = _links().get((lang, "lead"), ())
        if w in lead:
            linked = True
            continue
        for x in lead:
            if w.startswith(x) and len(w) > len(x):
                w, linked = w[len(x):], True
                break
        if lang == "zh":
            return w[:AFTER_CHARS]
        head = _strip_end(w, _links().get((lang, "tail"), ()))
        # A Korean noun carries a particle or follows 의; a bare word there is the verb (증가했다).
        return head if (linked or head != w) and len(head) > 1 else ""
    return ""


_COUNTED = {"count", "items", "projects", "companies", "people", "households", "pairs", "sets", "times"}


def measure_phrase(clause: str, start: int, end: int, unit: str) -> str:
    """The words naming what the figure at clause[start:end] measures; "" when the clause has none."""
    before = _before(_words(clause[:start]))
    after = _after(_words(clause[end:]), unit in _COUNTED)
    return " ".join(x for x in (before, after) if x)


def measure_terms(phrase: str, use_glossary: bool = True) -> frozenset[str]:
    """Script-neutral terms: bigrams of Hangul (Han in its reading, initial sound folded), Latin words,
    and with `use_glossary` each glossary term the phrase holds (in any script) as one "=name" term in
    place of its letters: one word, one term."""
    out: set[str] = set()
    if use_glossary:
        pattern, name_of = glossary.term_pattern()
        out.update("=" + name_of[m.group(0).lower()] for m in pattern.finditer(phrase))
        phrase = pattern.sub(" ", phrase)
    for run in _RUN.findall(phrase):
        if len(run) < 2:
            continue  # a particle or character left between removed numbers and places (의, 的)
        if run.isascii():
            if len(run) > 2:
                out.add(run.lower())
            continue
        hangul = br.reading(run) if _HAN.match(run) else run
        if not hangul:
            continue
        hangul = br.fold_initial(hangul[0]) + hangul[1:]
        out.update(hangul[i:i + 2] for i in range(len(hangul) - 1))
    return frozenset(out)


def named_in(measure: str, text: str) -> bool:
    """Whether `text` names the measure: holds every one of its terms (in any script's reading)."""
    terms = measure_terms(measure)
    return bool(terms) and terms <= measure_terms(text)


class MeasureWeights:
    """Inverse document frequency of measure terms over a corpus's figures (their measure_terms)."""

    def __init__(self, term_sets: Iterable[frozenset[str]]):
        df: Counter[str] = Counter()
        n = 0
        for terms in term_sets:
            n += 1
            df.update(terms)
        self._n = max(n, 1)
        self._df = df

    def weight(self, term: str) -> float:
        # Smoothed: a term every figure shares still weighs a little, so two figures alone compare.
        return math.log(1 + self._n / max(self._df.get(term, 0), 1))

    def similarity(self, a: frozenset[str], b: frozenset[str]) -> float:
        """Weighted Dice: 1 for the same terms, 0 for none shared."""
        total = sum(self.weight(t) for t in a) + sum(self.weight(t) for t in b)
        return 2 * sum(self.weight(t) for t in a & b) / total if total else 0.0
