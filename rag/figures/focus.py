"""Which source figure a question asks for: a deterministic ranking of the figures in the context.

A 1.5B model reading five passages often quotes the wrong number from the right passage: the
expected 595万 for the achieved 2600万, the yearly 600만톤 for the cumulative 2200万吨. The question
itself says which: the unit it asks in (몇명, 多少吨, how many projects), flags (预计/예상/expected,
每年/해마다/every year, 累计/since), places and years, and the words around the figure. The ranking
orders the context so the best-fitting sentence comes first, and lets the answerer notice when the
model's figure fits the question worse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.tokenize import tokens
from ..types import Figure
from .context import FLAG_WORDS, clause_bounds, entities_in, joined, with_provinces
from .context import places as place_forms
from .direction import Direction, direction_fit, figure_direction, home_province, question_direction
from .parse import UNIT_CLASS, parse_figures

# What unit a question asks for, by its wording. Keys are unit classes (parse.UNIT_CLASS).
_ASKS = {
    "people": r"多少(?:人|名|位)|几(?:名|位|人)|몇\s?명|how many (?:people|persons|cadres|officials|tourists|visitors|"
              r"talents?|workers|staff)|number of (?:people|cadres|tourists|visitors)",
    "person-times": r"人次|연인수",
    "mass": r"吨|톤|tonnes?|tons?\b",
    "money": r"多少钱|金额|[总投签]资额|签约额|贸易额|产值|投资了?多少|多少(?:亿|万)?元|"
             r"얼마를 투자|(?:투자|계약|무역|생산|금)액|총투자|"
             r"how much (?:money|was invested|did .* invest)|(?:total |contract |signed )?(?:value|amount)|"
             r"worth|yuan|invest|"
             r"trade (?:with|volume)|\bGDP\b|output",
    "percent": r"百分之|%|퍼센트|percent|增长了?多少|增幅|[增长失业]率|[가-힣]률|[가-힣]율|growth rate|\brate\b|"
               r"by how much did .* (?:grow|rise|increase)",
    "count": r"多少(?:个|家|项|对|套)|几(?:个|家|项|对|套)|몇\s?(?:개|가지|쌍|세트|곳|개소)|how many (?:[\w-]+ ){0,3}?"
             r"(?:projects|firms|companies|enterprises|items|pairs|sets|matters|practices|agreements|parks|cities)",
    "days": r"几天|多少天|며칠|몇\s?일|how many days",
}
_ASKS_RE = {k: re.compile(v, re.I) for k, v in _ASKS.items()}
# Within counts, the thing counted: 55个项目 answers "how many projects", 133项 (service items) does not.
_COUNTED = {
    "projects": r"项目|프로젝트|projects?\b",
    "companies": r"多少家|几家|企业|기업|firms|companies|enterprises",
    "pairs": r"多少对|几对|몇\s?쌍|pairs",
    "sets": r"多少套|几套|세트|sets",
    "items": r"多少项|几项|事项|사항|가지|items|matters",
}
_COUNTED_RE = {k: re.compile(v, re.I) for k, v in _COUNTED.items()}
_HALF = re.compile(r"上半年|상반기|first half", re.I)
# A total asked with no year, or one asked as of a date, is the standing one (截至目前…4901亿元),
# not one event's (2021年9月12日…签约1114.79亿元).
_TOTAL = re.compile(r"总|累计|目前|총|누계|루계|현재|지금까지|\btotal\b|cumulative|so far|to date|altogether", re.I)
_AS_OF = re.compile(r"截至|截止|까지|\bby (?:the end of )?(?:\w+ )?\d{4}|\bas of\b", re.I)
_DATED = re.compile(r"\d{4}(?:-\d\d)?$|H1 |Q1")
# 两省 asks about the provinces; 穗鹤两市's figure is two cities' (and the other way round).
_LEVEL = {"province": re.compile(r"两省|두\s?성(?![가-힣])|both provinces|two provinces", re.I),
          "city": re.compile(r"两市|두\s?도시|both cities|two cities", re.I)}
_AFTER = re.compile(r"此后|之后|以后|이후|그\s?후|after that|afterwards", re.I)  # 此后…新生成: not the standing total
# "times" counts (25차례) answer "how many times/visits" questions, not "how many projects".
_TIMES = re.compile(r"多少次|几次|몇\s?(?:차례|번|회)|how many (?:times|visits|rounds)", re.I)


def asked_units(question: str) -> set[str]:
    out = {k for k, rx in _ASKS_RE.items() if rx.search(question)}
    if _TIMES.search(question):
        out.add("times")
    if "percent" in out:
        out.discard("money")  # "by how much did investment grow": a rate, not an amount
    # A unit the question states a threshold in is a condition, not what it asks: "how many
    # projects with investment over 100 million yuan" asks a count.
    stated = {m.unit_class for m in parse_figures(question) if m.unit_class and m.qualifier == "over"} & out
    if out - stated:
        out -= stated
    return out


def asked_counted(question: str) -> set[str]:
    return {k for k, rx in _COUNTED_RE.items() if rx.search(question)}


def asked_flags(question: str) -> set[str]:
    low = question.lower()
    return {flag for flag, words in FLAG_WORDS.items() if any(w in low for w in words)}


def asked_years(question: str) -> set[str]:
    return set(re.findall(r"(?<!\d)(20\d\d)(?!\d)", question))


def stated_years(f: Figure) -> set[str]:
    """The years a figure's own period states ("by end-2020", "2017"); none for an as-of date alone."""
    return set(re.findall(r"20\d\d", f.period))


def year_match(f: Figure, years: set[str]) -> bool | None:
    """True when the figure's period or as-of date names one of `years`, False when its period
    states only others ("by end-2020" for a question about 2022), None when it states none."""
    if any(y in (f.period + f.as_of) for y in years):
        return True
    return False if stated_years(f) else None


def question_words(question: str, query_tokens: list[str]) -> set[str]:
    """The query's tokens less the forms of the places it names, which every candidate near
    those places shares."""
    places = set(entities_in(question))
    names = set()
    for name, forms in place_forms():
        if name in places:
            for form in forms:
                names |= set(tokens(form))
    return set(query_tokens) - names


def unit_class(unit: str) -> str:
    return "times" if unit == "times" else UNIT_CLASS.get(unit, "")


def fits_asked_unit(question: str, units: list[str]) -> bool:
    """False when the question asks in a unit (몇명, 多少吨, how much money) and every figure of
    the answer has a known unit of another kind: 43.42万平方米 for 产值, 84개 for 무역액."""
    asked = asked_units(question)
    if "people" in asked or "person-times" in asked:
        asked |= {"people", "person-times"}
    classes = [unit_class(u) for u in units]
    if not asked or not classes or any(not c for c in classes):
        return True
    return any(c in asked for c in classes)


_WORDISH = re.compile(r"\w")
RESTATE_GAP = 10  # word characters between two figures of a kind that still describe one measure
WORDS_CAP = 3.0  # most the question's words near a figure add to its score
COMMON_SHARE = 1 / 16  # a word near more than this share of all figures weighs half


@dataclass
class Candidate:
    figure: Figure
    score: float


class FigureFocus:
    """Scores source figures against a question. Built once per index; `rank` is cheap."""

    def __init__(self, figure_list: list[Figure], texts: dict[str, str]):
        self.texts = texts
        self.by_doc: dict[str, list[Figure]] = {}
        for f in sorted(figure_list, key=lambda f: f.start):
            self.by_doc.setdefault(f.doc, []).append(f)
        self._span_text: dict[str, str] = {}
        self._span_tokens: dict[str, set[str]] = {}
        self._clause_text: dict[str, str] = {}
        self._common: set[str] | None = None
        self._direction: dict[str, Direction] = {}
        self._home: dict[str, str] = {}

    def figures_in(self, doc: str, start: int, end: int) -> list[Figure]:
        return [f for f in self.by_doc.get(doc, []) if start <= f.start < end]

    def words_near(self, f: Figure) -> set[str]:
        """Tokens of span_text: what the question's words are matched against."""
        toks = self._span_tokens.get(f.id)
        if toks is None:
            toks = self._span_tokens[f.id] = set(tokens(self.span_text(f)))
        return toks

    def clause_text(self, f: Figure) -> str:
        text = self._clause_text.get(f.id)
        if text is None:
            sentence = self.texts[f.doc][f.sentence_start:f.sentence_end]
            cs, ce = clause_bounds(sentence, f.start - f.sentence_start)
            text = self._clause_text[f.id] = joined(sentence[cs:ce])
        return text

    def span_text(self, f: Figure) -> str:
        """The words that describe a figure: back to the previous figure of its kind in the sentence
        (or the sentence's start), on to its clause's end. In "생태건설면에서는 생태관리, 하천보호 등
        47개 프로젝트를 둘러싸고 총 178.2억원을 투자했다" both figures get 생태건설, which the
        comma clause alone would drop; the previous sentence's 197.8억원 gets none of it. A figure
        close after the one before it restates or changes it (接近5000亿元(达到4901亿元), 由2017年的
        1241.99亿元增长到2019年的1957.10亿元) and shares that one's words."""
        text = self._span_text.get(f.id)
        if text is None:
            sentence = self.texts[f.doc][f.sentence_start:f.sentence_end]
            _, ce = clause_bounds(sentence, f.start - f.sentence_start)
            text = self._span_text[f.id] = joined(self.texts[f.doc][self._span_start(f):f.sentence_start + ce])
        return text

    def _span_start(self, f: Figure) -> int:
        text = self.texts[f.doc]
        cls = unit_class(f.unit)
        start = f.sentence_start
        for other in self.by_doc.get(f.doc, []):  # in text order
            if other.start >= f.start:
                break
            if other.sentence_start == f.sentence_start and unit_class(other.unit) == cls:
                gap = text[other.end:f.start]
                if len(_WORDISH.findall(gap)) > RESTATE_GAP:
                    start = other.end
        cut = max(text.rfind(";", start, f.start), text.rfind("；", start, f.start))
        return cut + 1 if cut >= 0 else start

    def direction(self, f: Figure) -> Direction:
        """Giver and receiver of the figure, read from its span and the words after it up to the
        next figure of its kind in the sentence."""
        got = self._direction.get(f.id)
        if got is None:
            cls = unit_class(f.unit)
            end = next((o.start for o in self.by_doc.get(f.doc, []) if o.start > f.start
                        and o.sentence_start == f.sentence_start and unit_class(o.unit) == cls), f.sentence_end)
            if f.doc not in self._home:
                self._home[f.doc] = home_province(self.texts[f.doc])
            got = self._direction[f.id] = figure_direction(self.texts[f.doc], self._span_start(f), f.start, f.end,
                                                           end, self._home[f.doc])
        return got

    def common_words(self) -> set[str]:
        """Words near many of the corpus's figures (에서, 투자, 项目): weak evidence of fit."""
        if self._common is None:
            counts: dict[str, int] = {}
            figures_all = [f for fs in self.by_doc.values() for f in fs]
            for f in figures_all:
                for w in self.words_near(f):
                    counts[w] = counts.get(w, 0) + 1
            self._common = {w for w, n in counts.items() if n > max(3, len(figures_all) * COMMON_SHARE)}
        return self._common

    def score(self, f: Figure, q: _Asked) -> float:
        s = 0.0
        cls = unit_class(f.unit)
        if q.units:
            s += 2.0 if cls in q.units else -2.0
            if cls == "count" and q.counted:
                # 签约合作项目76个: a bare 个 counts the noun named before it.
                counted = {f.unit} if f.unit != "count" else asked_counted(self.clause_text(f))
                s += 1.0 if counted & q.counted else -1.0
        flags = q.flags
        for flag in ("expected", "per_year"):
            if flag in f.flags:
                s += 2.0 if flag in flags else -1.0
            elif flag in flags:
                s -= 0.5
        if "cumulative" in flags:
            s += 1.0 if "cumulative" in f.flags else -0.5
        shared = q.words & self.words_near(f)
        common = self.common_words()
        s += min(WORDS_CAP, 0.5 * len(shared - common) + 0.25 * len(shared & common))
        if q.places:
            scope = with_provinces(f.scope)
            # Partly covered is common (我省 stands for Heilongjiang); wholly other places is a mix-up.
            s += 1.0 if q.places <= scope else (0.0 if q.places & scope else -1.5)
        if q.years:
            fits = year_match(f, q.years)
            if fits:
                s += 1.0
            elif fits is False:
                s -= 1.5
        if q.direction:
            s += direction_fit(q.direction, self.direction(f))
        if f.qualifier in ("nearly", "about"):
            s -= 0.25  # the exact figure beats its rounding: 接近5000亿元(达到4901亿元)
        if q.level and any(rx.search(self.span_text(f)) for lv, rx in _LEVEL.items() if lv != q.level):
            s -= 1.0
        if q.standing:
            if f.period.startswith(("to ", "by ")):
                s += 1.0
            elif _DATED.match(f.period):
                s -= 0.5
        if q.half and f.period.startswith("H1"):
            s += 1.0
        return s

    def rank(self, question: str, query_tokens: list[str], spans: list[tuple[str, int, int]]) -> list[Candidate]:
        """Figures inside the given (doc, start, end) spans, best fit first."""
        q = _Asked.of(question, query_tokens)
        seen, out = set(), []
        for doc, start, end in spans:
            for f in self.figures_in(doc, start, end):
                if f.id not in seen:
                    seen.add(f.id)
                    out.append(Candidate(f, self.score(f, q)))
        return sorted(out, key=lambda c: -c.score)


@dataclass
class _Asked:
    """What the question asks for, read once per question."""

    units: set[str]
    counted: set[str]
    flags: set[str]
    places: set[str]
    years: set[str]
    half: bool
    words: set[str]  # query tokens less the place names, which every candidate near them shares
    direction: Direction  # giver and receiver, when the question names both
    standing: bool  # asks a total as of a date, or with no year
    level: str  # "province" for 两省, "city" for 两市, else ""

    @classmethod
    def of(cls, question: str, query_tokens: list[str]) -> _Asked:
        years = asked_years(question)
        return cls(asked_units(question), asked_counted(question), asked_flags(question), set(entities_in(question)),
                   years, bool(_HALF.search(question)),
                   # A bare number is no word to share: the figure's own digits matched "internet2"
                   # and "besides 1", giving an unrelated passage's figure a fit (ext-dev).
                   {w for w in question_words(question, query_tokens) if not w.isdigit()},
                   question_direction(question),
                   (bool(_AS_OF.search(question)) or bool(_TOTAL.search(question)) and not years)
                   and not _AFTER.search(question),
                   next((lv for lv, rx in _LEVEL.items() if rx.search(question)), ""))
