"""Check every dated claim of an answer against the passages it cites, and repair a garbled one.

Figures are checked by verify.py; dates are not figures (parse.py skips them), and the small model
garbles them the same way: the source's 1756年5月18日 comes back as 1756年1月, a war the source
dates 1756–1763 "lasted from 1756年1月 to 1766年1月", a source's 3월 15일 gains an invented year.
A date is supported when a cited passage holds it at the answer's precision or finer (an answer's
"1756" is supported by 1756年5月18日; 2010년 6월 6일 by a passage's 6월 6일 in a passage naming 2010).
A date taken from the wrong sentence is rewritten from the sentence that makes the claim, in the
source's own precision (3월 15일, with no year the source never gave); any other unsupported date is
reported, and the answer is no longer marked high confidence. Deterministic.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..text.tokenize import tokens
from ..types import DateCheck, Passage
from .dates import CJK_DATE, CJK_DAY, MONTH_NUMBER, MONTHS, YEAR, render_date
from .verify import SENTENCE_END

_MONTH_MARKS = {"zh": ("月", "日", ""), "ko": ("월", "일", " ")}
_ISO = re.compile(rf"(?<!\d){YEAR}-(\d{{2}})-(\d{{2}})(?!\d)")
_MONTH = "|".join(MONTHS)
# May 18, 1756 / 18 May 1756 / May 1756
_EN_MDY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+{YEAR}\b")
_EN_DMY = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s+{YEAR}\b")
_EN_MY = re.compile(rf"\b({_MONTH})\s+(?:of\s+)?{YEAR}\b")
# A bare English year only after a word that makes it one ("in 1281"), not any four-digit number.
_EN_YEAR = re.compile(rf"\b(?:in|since|by|from|until|till|to|before|after|during|around|circa|year)\s+{YEAR}\b",
                      re.I)
_ANY_YEAR = re.compile(rf"(?<!\d){YEAR}(?!\d)")
_MARKER = re.compile(r"\[\d+\]")
_BRACKETS = re.compile(r"[()（）]")

Key = tuple[int, int, int]  # (year, month, day); 0 where the text gives none


@dataclass
class DateMention:
    text: str
    start: int
    end: int
    key: Key
    style: str  # "zh", "ko" or "en": how a repaired date is written back


@dataclass
class DateVerification:
    text: str
    checks: list[DateCheck] = field(default_factory=list)

    @property
    def all_supported(self) -> bool:
        return all(c.supported for c in self.checks)


def _month(name: str) -> int:
    return MONTH_NUMBER[name.lower()]


def date_mentions(text: str) -> list[DateMention]:
    """Dates in Chinese, Korean and English forms, in order, with a year (a Chinese or Korean day
    may have none: 3월 15일); of overlapping forms the longest."""
    found: list[DateMention] = []
    for m in CJK_DATE.finditer(text):
        style = "ko" if "년" in m.group() else "zh"
        found.append(DateMention(m.group(), m.start(), m.end(),
                                 (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)), style))
    for m in CJK_DAY.finditer(text):  # a day the text dates by its context: year 0
        style = "ko" if "월" in m.group() else "zh"
        found.append(DateMention(m.group(), m.start(), m.end(), (0, int(m.group(1)), int(m.group(2))), style))
    for m in _ISO.finditer(text):
        found.append(DateMention(m.group(), m.start(), m.end(),
                                 (int(m.group(1)), int(m.group(2)), int(m.group(3))), "en"))
    for m in _EN_MDY.finditer(text):
        found.append(DateMention(m.group(), m.start(), m.end(), (int(m.group(3)), _month(m.group(1)),
                                                                  int(m.group(2))), "en"))
    for m in _EN_DMY.finditer(text):
        found.append(DateMention(m.group(), m.start(), m.end(), (int(m.group(3)), _month(m.group(2)),
                                                                  int(m.group(1))), "en"))
    for m in _EN_MY.finditer(text):
        found.append(DateMention(m.group(), m.start(), m.end(), (int(m.group(2)), _month(m.group(1)), 0), "en"))
    for m in _EN_YEAR.finditer(text):
        found.append(DateMention(m.group(1), m.start(1), m.end(1), (int(m.group(1)), 0, 0), "en"))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    out: list[DateMention] = []
    for d in found:
        if not out or d.start >= out[-1].end:
            out.append(d)
    return out


def _key_text(key: Key) -> str:
    """2031-07-14, 2031-07, 2031; a day with no year as --07-14."""
    if not key[0]:
        return f"--{key[1]:02d}-{key[2]:02d}"
    return "-".join(str(x).zfill(2) for x in key if x)


def _render(key: Key, style: str) -> str:
    """The date as `style`'s language writes it, at the key's precision (no year where it has none)."""
    if key[0]:
        return render_date(_key_text(key), style)
    if style == "en":
        return render_date(_key_text((2000, key[1], key[2])), "en").rsplit(" ", 1)[0]  # 15 March
    month, day, sep = _MONTH_MARKS[style]
    return f"{key[1]}{month}{sep}{key[2]}{day}"


def _covers(source: Key, answer: Key, years: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether the source's date states the answer's at the answer's precision or finer. A source
    date with no year (6월 6일) states it for a year its passage names (`years`)."""
    if source[0] == 0 and answer[0] in years:
        source = (answer[0], source[1], source[2])
    return all(a == 0 or a == s for a, s in zip(answer, source, strict=True))


def _given(source: Key, asked: list[Key]) -> bool:
    """Whether a source date is one the question gives (its 6월 6일 for the question's 2010년 6월 6일)."""
    return bool(source[1]) and any(source[1:] == a[1:] and source[0] in (0, a[0]) for a in asked)


def _not_coarser(source: Key, answer: Key) -> bool:
    """A replacement says the month and day wherever the answer did (its year may be one the source lacks)."""
    return all(not a or s for a, s in zip(answer[1:], source[1:], strict=True))


def _sentences(text: str) -> list[tuple[int, int]]:
    """The answer's sentences as offsets, cut where verify.py cuts them."""
    cuts = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]


def _segments(text: str) -> list[tuple[int, int]]:
    """The answer's sentences, each cut at brackets: "In 1756, … (1756年1月，英国…宣战)." is a claim
    in English and the same claim in the source's words, each with its own dates."""
    out = []
    for a, b in _sentences(text):
        cuts = [a] + [a + m.start() for m in _BRACKETS.finditer(text[a:b])] + [b]
        out += [(x, y) for x, y in zip(cuts, cuts[1:], strict=False) if text[x:y].strip("()（） ")]
    return out


def _claim_words(sentence: str) -> set[str]:
    """The words a dated sentence claims, its dates, markers and bare numbers left out."""
    for d in date_mentions(sentence):
        sentence = sentence.replace(d.text, " ")
    return {t for t in tokens(_MARKER.sub(" ", sentence), bridge=False) if not t[0].isdigit()}


@dataclass
class _SourceSentence:
    words: set[str]
    dates: list[Key]


class DateVerifier:
    def __init__(self, passages: Mapping[str, Passage], texts: Mapping[str, str], claim_margin: int = 2,
                 claim_min: int = 3):
        """`passages` by id, `texts` the articles' by doc. A date the answer took from one source sentence
        for a claim another makes ("1756年1月，英国正式向法国宣战" when the source's 1756年1月 is a
        general's replacement and its 1756年5月18日 the declaration) is rewritten from the sentence
        sharing at least `claim_margin` more of the claim's words, and at least `claim_min` in all."""
        self.passages = passages
        self.texts = texts
        self.claim_margin = claim_margin
        self.claim_min = claim_min

    def _claimed(self, d: DateMention, words: set[str], sources: list[_SourceSentence],
                 years: set[int], asked: list[Key]) -> Key | None:
        """The date of the source sentence that makes the answer sentence's claim, when it is
        clearly not a sentence holding the answer's date; None to leave the date as it is. A date
        the question gives (`asked`) is not the one it asks for."""
        if not words:
            return None
        own = max((len(words & s.words) for s in sources if any(_covers(k, d.key, years) for k in s.dates)),
                  default=0)
        best = max(sources, key=lambda s: len(words & s.words), default=None)
        dates = {k for k in best.dates if not _given(k, asked)} if best is not None else set()
        if best is None or len(dates) != 1:
            return None
        (date,) = dates
        shared = len(words & best.words)
        if (shared < self.claim_min or shared < own + self.claim_margin or _covers(date, d.key, years)
                or not _not_coarser(date, d.key)):
            return None
        return date

    def run(self, text: str, cited: list[str], question: str = "") -> DateVerification:
        """Every dated mention of `text` checked against the passages `cited` (ids); a date the
        answer repeats from `question` is the question's, not a claim of the answer's."""
        asked = [d.key for d in date_mentions(question)]
        shown = [self.passages[p] for p in dict.fromkeys(cited) if p in self.passages]
        sources = [self.texts[p.doc][p.start:p.end] for p in shown]
        keys = [d.key for s in sources for d in date_mentions(s)]
        years = {int(y) for s in sources for y in _ANY_YEAR.findall(s)}  # 1756至1763年: a bare 1756 too
        # The passages' sentences as the index cut them.
        spans = [self.texts[p.doc][a:b] for p in shown for a, b in p.sentences]
        dated = [_SourceSentence(set(tokens(s, bridge=False)), [d.key for d in date_mentions(s)]) for s in spans]
        dated = [s for s in dated if s.dates]
        out = DateVerification(text)
        edits: list[tuple[int, int, str]] = []
        for a, b in _segments(text):
            words = _claim_words(text[a:b])
            mentions = [d for d in date_mentions(text[a:b]) if d.key not in asked]
            for d in mentions:
                # A clause with two dates (from 1756年1月 to 1766年1月) claims a span, not one date.
                claimed = self._claimed(d, words, dated, years, asked) if len(mentions) == 1 else None
                if claimed is not None:
                    written = _render(claimed, d.style)
                    edits.append((a + d.start, a + d.end, written))
                    out.checks.append(DateCheck(d.text, _key_text(d.key), True, written))
                    continue
                supported = any(_covers(k, d.key, years) for k in keys) or (not d.key[1] and d.key[0] in years)
                out.checks.append(DateCheck(d.text, _key_text(d.key), supported))
        for s, e, new in reversed(edits):
            text = text[:s] + new + text[e:]
        out.text = text
        return out
