"""Check every figure in an answer against the figures of the passages it cites, and repair.

Small models garble numbers: 5000亿 becomes "5000 billion", 4901亿 becomes "5000亿". Each figure
in the answer is parsed in whatever language it is written, normalised, and matched to a source
figure of the same value and a compatible unit: first in the passages its own sentence cites,
then in any cited passage, then in any passage the model was shown (which then gets cited).
A figure off by a power of ten, or rounded, is rewritten from the source; anything else is
marked as unverified. Deterministic: no model judges.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..types import Figure, FigureCheck, Passage
from .parse import UNIT_CLASS, Mention, digits, numbers, parse_figures, spelled_numbers, units_of
from .render import _plain, english_amount, format_value, with_qualifier

_MARKER = re.compile(r"\[\d+\]")
SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")  # an answer sentence's end: not 289.36's point
ROUNDING = Decimal("0.03")  # a figure within 3% of the source's is the source's, rounded
CITED_TIERS = 2  # of _check's tiers, those the answer cites: its sentence's passages, then the others


@dataclass
class Added:
    """A citation the verifier needs: a figure found only in a passage the answer did not cite."""

    marker: int
    passage_id: str
    span: tuple[int, int] | None  # the sentence holding the figure


@dataclass
class Verification:
    text: str
    checks: list[FigureCheck] = field(default_factory=list)
    supporting: set[str] = field(default_factory=set)  # ids of the source figures used
    added: list[Added] = field(default_factory=list)  # markers the text now uses beyond the caller's

    @property
    def all_supported(self) -> bool:
        return all(c.supported for c in self.checks)


def units_compatible(a: str, b: str) -> bool:
    if not a or not b:
        return True
    ca, cb = UNIT_CLASS.get(a, a), UNIT_CLASS.get(b, b)
    return ca == cb or {ca, cb} == {"people", "person-times"}


def _fits(m: Mention, f: Figure) -> bool:
    """Whether an answer's figure may be in the source figure's unit (its 원 may be won or yuan)."""
    return any(units_compatible(u, f.unit) for u in units_of(m)) or _other_won(m, f)


def _other_won(m: Mention, f: Figure) -> bool:
    """The source's bare 원 read as the other currency: "289.36 billion won" for a Yanbian paper's
    289.36억원 (yuan there), or 위안 for a Seoul paper's. The value decides; the source's currency is
    written back (render)."""
    return {m.unit, f.unit} == {"yuan", "won"} and "원" in f.text


def _power_of_ten(a: Decimal, b: Decimal) -> bool:
    if a == 0 or b == 0 or a == b:
        return False
    r = (a / b).normalize()
    return r.as_tuple().digits == (1,)


def _digits(v: Decimal) -> int:
    """Significant digits: 4901亿 has 4, 5000亿 has 1."""
    return len(v.normalize().as_tuple().digits)


def _mantissa(text: str) -> str:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return m.group().replace(",", "") if m else ""


def _is_year(m: Mention) -> bool:
    return m.is_bare and m.value == m.value.to_integral_value() and 1900 <= m.value <= 2100


class FigureVerifier:
    def __init__(self, figures: list[Figure], passages: dict[str, Passage], article_texts: dict[str, str],
                 unverified_label: dict[str, str], qualified: Mapping[str, Mapping[str, str]] | None = None):
        """`qualified`: per language, how a figure is written with the source's qualifier ("nearly
        {figure}"); without it a dropped qualifier stays dropped."""
        self.passages = passages
        self.texts = article_texts
        self.label = unverified_label
        self.qualified = qualified or {}
        self.by_passage: dict[str, list[Figure]] = {pid: [] for pid in passages}
        spans: dict[str, list[Passage]] = {}
        for p in passages.values():
            spans.setdefault(p.doc, []).append(p)
        for f in figures:
            for p in spans.get(f.doc, []):
                if p.start <= f.start < p.end:
                    self.by_passage[p.id].append(f)

    def _passage_text(self, pid: str) -> str:
        p = self.passages[pid]
        return self.texts[p.doc][p.start:p.end]

    def _passage_numbers(self, pid: str, spelled: bool = True) -> set[str]:
        text = self._passage_text(pid)
        return numbers(text) if spelled else digits(text)

    def run(self, text: str, language: str, markers: Mapping[int, str], context: Sequence[str]) -> Verification:
        """`markers`: citation number -> passage id; `context`: passage ids shown to the model. A
        figure found only in an uncited passage gets the next free marker, listed in `added`; one in
        a marked sentence found only in a passage another sentence cites gets that passage's marker
        after it. The caller's markers are never changed or removed."""
        markers = dict(markers)
        masked = _MARKER.sub(lambda m: " " * len(m.group()), text)
        edits: list[tuple[int, int, str]] = []
        remarked: set[tuple[str, str]] = set()  # (sentence, passage) pairs given a marker below
        result = Verification(text)
        for m in parse_figures(masked):
            if _is_year(m):
                continue
            sentence = _sentence_of(text, m.start)
            own = [markers[int(n)] for n in re.findall(r"\[(\d+)\]", sentence) if int(n) in markers]
            tiers = [own, [p for p in markers.values() if p not in own],
                     [p for p in context if p not in markers.values()]]
            check, replacement, pid, source = self._check(m, tiers, language)
            if check.supported and source is not None and source.qualifier and not m.qualifier:
                # 近5000亿 written as "500 billion": the value is the source's, the claim is not.
                replacement = with_qualifier(replacement or m.text, source.qualifier,
                                             self.qualified.get(language, {}))
            result.checks.append(check)
            if source is not None:
                result.supporting.add(source.id)
            if check.supported and pid and pid not in markers.values():
                mark = max(markers, default=0) + 1
                markers[mark] = pid
                result.added.append(Added(mark, pid, (source.sentence_start, source.sentence_end) if source else None))
                replacement = (replacement or m.text) + f" [{mark}]"
            elif check.supported and pid and own and pid not in own and (sentence, pid) not in remarked:
                # Found in a passage another sentence cites: its marker joins this sentence, which
                # would otherwise credit the figure to a passage that does not hold it.
                remarked.add((sentence, pid))
                replacement = (replacement or m.text) + f" [{next(k for k, v in markers.items() if v == pid)}]"
            if not check.supported:
                replacement = m.text + self.label.get(language, self.label["en"])
            if replacement is not None and replacement != m.text:
                edits.append((m.start, m.end, replacement))
        out = text
        for s, e, r in sorted(edits, reverse=True):
            out = out[:s] + r + out[e:]
        result.text = out
        return result

    def _check(self, m: Mention, tiers: list[list[str]], lang: str):
        value = _plain(m.value)
        if m.is_bare:
            for i, tier in enumerate(tiers):
                for pid in tier:
                    # Spelled-out numbers count in the cited passages only (see below).
                    if _mantissa(m.text) in self._passage_numbers(pid, spelled=i < CITED_TIERS):
                        return FigureCheck(m.text, value, "", True, pid, _mantissa(m.text)), None, pid, None
            return FigureCheck(m.text, value, "", False, note="no cited passage has this number"), None, None, None
        for tier in tiers:
            for pid in tier:
                for f in self.by_passage.get(pid, []):
                    if Decimal(f.value) == m.value and _fits(m, f):
                        if _other_won(m, f):
                            fixed = self.render(f, lang)
                            return (FigureCheck(fixed, f.value, f.unit, True, pid, f.text, repaired_from=m.text,
                                                note="currency written as the source has it"), fixed, pid, f)
                        return FigureCheck(m.text, value, f.unit or m.unit, True, pid, f.text), None, pid, f
        # Repairs: a scale slip (5000亿 -> "5000 billion") or a rounding (4901亿 -> 5000亿).
        for tier in tiers:
            best: tuple[Decimal | int, Figure, str, str] | None = None
            for pid in tier:
                for f in self.by_passage.get(pid, []):
                    if not _fits(m, f):
                        continue
                    fv = Decimal(f.value)
                    # Same digits, wrong power of ten: 49억 6000만 read as "49.6 billion". Only for amounts
                    # written with scale words or large ones; "5" vs "50" projects is not a slip to fix.
                    if _power_of_ten(m.value, fv) and (m.scaled or max(m.value, fv) >= 10**4):
                        best = (0, f, pid, "scale")
                        break
                    rel = abs(m.value - fv) / fv if fv else None
                    # A rounding drops digits (4901亿 -> 5000亿); 39.4亿 is not 39亿 rounded.
                    if (rel is not None and rel <= ROUNDING and _digits(m.value) < _digits(fv)
                            and (best is None or rel < best[0])):
                        best = (rel, f, pid, "rounded")
                if best and best[3] == "scale":
                    break
            if best:
                _, f, pid, why = best
                fixed = self.render(f, lang)
                note = "scale word corrected" if why == "scale" else "rounded figure replaced by the source's"
                return (FigureCheck(fixed, f.value, f.unit, True, pid, f.text, repaired_from=m.text, note=note),
                        fixed, pid, f)
        # A small count the source writes as a word: "3个" for 三大, "5 people" for 다섯 명. Only in
        # the cited passages: 三 or 两 somewhere in an uncited one is no evidence for a guessed count.
        if not m.scaled:  # spelled_numbers holds small whole numbers only
            for tier in tiers[:CITED_TIERS]:
                for pid in tier:
                    if value in spelled_numbers(self._passage_text(pid)):
                        word = FigureCheck(m.text, value, m.unit, True, pid, value, note="written as a word")
                        return word, None, pid, None
        return FigureCheck(m.text, value, m.unit, False, note="no cited passage has this figure"), None, None, None

    @staticmethod
    def render(f: Figure, lang: str) -> str:
        if lang == "en":
            amount = english_amount(Decimal(f.value), f.unit)
            return f"{amount} ({f.text})" if f.language != "en" else amount
        return f.text if f.language == lang else format_value(Decimal(f.value), f.unit, lang)


def _sentence_of(text: str, pos: int) -> str:
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() <= pos:
            start = m.end()
        else:
            # A marker right after the sentence end still belongs to the sentence.
            end = m.end()
            tail = re.match(r"\s*(?:\[\d+\]\s*)+", text[end:])
            return text[start:end + (tail.end() if tail else 0)]
    return text[start:]
