"""Figures as written in Chinese, Korean and English news: value, scale words, unit, qualifier.

亿/억 = 10^8, 万/만 = 10^4, 千/천 = 10^3, 조/兆/万亿 = 10^12; compounds such as 49억 6000만원 add
up. Values are Decimals so 1504.73亿 stays exact. In this corpus 원 (Yanbian Korean) and 元 are
both Chinese yuan. Years, months and days (2020年, 5월, 21일) and ordinals (第, 제) are not figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

CJK_SCALES = {"亿": 10**8, "億": 10**8, "억": 10**8, "万": 10**4, "萬": 10**4, "만": 10**4,
              "千": 10**3, "천": 10**3, "조": 10**12, "兆": 10**12}
EN_SCALES = {"trillion": 10**12, "billion": 10**9, "bn": 10**9, "million": 10**6, "mn": 10**6,
             "thousand": 10**3}
# A numeral written as a word, only where a scale or unit follows: 千亿元, 上万名, 거의 만명, 超亿元.
# Not after 数/几/多 (数万名 is tens of thousands, not one).
WORD_NUMS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "백": 100,
             "천": 1000, "만": 10**4, "억": 10**8, "십": 10}

# unit surface form -> canonical English unit; the class decides what may match what.
UNITS: dict[str, str] = {
    # money
    "元人民币": "yuan", "人民币": "yuan", "元": "yuan", "원": "yuan", "yuan": "yuan", "RMB": "yuan", "CNY": "yuan",
    "美元": "US dollars", "달러": "US dollars", "dollars": "US dollars", "USD": "US dollars",
    # A bare 원 is read as yuan here; extraction makes it won where its article is South Korean.
    "韩元": "won", "韓元": "won", "won": "won", "KRW": "won",
    # people
    # 인 is the Sino-Korean counter of people: 3인의 대표단, 7인조 (a seven-member group).
    "人次": "person-times", "人": "people", "名": "people", "명": "people", "인조": "people", "인": "people",
    "people": "people", "members": "people",
    "persons": "people", "person": "people", "cadres": "people", "officials": "people", "tourists": "people",
    "visitors": "people", "talents": "people", "workers": "people", "residents": "people",
    # mass
    "吨": "tonnes", "톤": "tonnes", "tonnes": "tonnes", "tons": "tonnes", "tonne": "tonnes", "ton": "tonnes",
    "公斤": "kg", "킬로그램": "kg", "kg": "kg",
    # counts
    "个项目": "projects", "项目": "projects", "개 프로젝트": "projects", "개의 프로젝트": "projects",
    "projects": "projects", "project": "projects",
    "项": "items", "가지": "items", "개 항목": "items", "items": "items", "item": "items", "measures": "items",
    "家": "companies", "companies": "companies", "firms": "companies", "enterprises": "companies",
    "businesses": "companies",
    "户": "households", "가구": "households", "households": "households",
    "对": "pairs", "쌍": "pairs", "pairs": "pairs", "pair": "pairs",
    "套": "sets", "세트": "sets", "sets": "sets",
    "个": "count", "개": "count", "座": "count", "所": "count", "只": "count", "마리": "count",
    "次": "times", "차례": "times", "번": "times", "회": "times", "times": "times", "visits": "times",
    "rounds": "times", "occasions": "times",
    # area, length, time
    "平方米": "m²", "㎡": "m²", "평방미터": "m²", "제곱미터": "m²", "square metres": "m²",
    "square meters": "m²", "m²": "m²", "sq m": "m²", "亩": "mu", "무": "mu", "mu": "mu",
    "米": "m", "미터": "m", "metres": "m", "meters": "m",
    "公里": "km", "千米": "km", "킬로미터": "km", "km": "km", "kilometres": "km", "kilometers": "km",
    "天": "days", "일간": "days", "일 동안": "days", "일동안": "days", "days": "days",
    # ratios
    "个百分点": "points", "퍼센트포인트": "points", "percentage points": "points",
    "%": "%", "％": "%", "퍼센트": "%", "프로": "%", "percent": "%", "per cent": "%",
}
COUNTERS_FILE = Path(__file__).resolve().parents[1] / "data" / "counters.tsv"
NUMBER_WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "number_words.tsv"


@lru_cache(maxsize=1)
def _counted() -> tuple[dict[str, str], re.Pattern, re.Pattern]:
    """The nouns a generic counter counts (counters.tsv), and the patterns that find one written
    just before the number, or after the counter inside its noun phrase: up to two Korean words
    that are not genitives (3개 도시의 프로젝트 counts cities), or up to four Chinese characters
    without 的."""
    nouns: dict[str, str] = {}
    for line in COUNTERS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            unit, words = line.split("\t")
            nouns.update({w: unit for w in words.split()})
    alt = "|".join(sorted(map(re.escape, nouns), key=len, reverse=True))
    before = re.compile(rf"(?:{alt})\s?$")
    after = re.compile(rf"(?:의)?\s?(?:[가-힣]+(?<!의)\s){{0,2}}?(?P<ko>{alt})(?:들)?(?![가-힣]{{2}})"
                       rf"|(?:[\u4e00-\u9fff](?<!的)){{0,4}}?(?P<zh>{alt})")
    return nouns, before, after


UNIT_CLASS = {"yuan": "money", "US dollars": "usd", "won": "krw", "people": "people", "person-times": "person-times",
              "tonnes": "mass", "kg": "mass_kg", "projects": "count", "items": "count", "companies": "count",
              "households": "count", "pairs": "count", "sets": "count", "count": "count", "times": "count",
              "m²": "area", "mu": "area_mu", "km": "length", "m": "length_m", "days": "days", "%": "percent",
              "points": "points"}

QUALIFIERS = {
    "nearly": ["接近", "将近", "近", "거의", "근", "nearly", "almost", "close to", "just under"],
    "over": ["超过", "逾", "突破", "超", "上", "over", "more than", "above", "exceeding", "at least"],
    "about": ["大约", "约", "약", "about", "around", "approximately", "roughly", "some"],
}
_INFIX_OVER = "余多여几"  # 300余名, 30여차례: "more than"
_SUFFIX_QUAL = {"以上": "over", "이상": "over", "남짓": "over", "넘게": "over", "左右": "about", "가량": "about",
                "정도": "about", "안팎": "about"}

_NUM = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # 2600,000: a garbled grouping is still one number
_CJK_SCALE = "[亿億억万萬만千천조兆]"
_EN_SCALE = r"(?:trillion|billion|million|thousand|bn|mn)\b"
_ASCII_UNITS = sorted((u for u in UNITS if u.isascii() and u[0].isalpha()), key=len, reverse=True)
_CJK_UNITS = sorted((u for u in UNITS if not (u.isascii() and u[0].isalpha())), key=len, reverse=True)
# Where a unit's letters begin a longer word: 3인치 is three inches, 2인자 a number two, not people.
_UNIT_NOT_BEFORE = {"인": "치자"}
_UNIT_RE = ("(?:" + "|".join(re.escape(u) + (f"(?![{_UNIT_NOT_BEFORE[u]}])" if u in _UNIT_NOT_BEFORE else "")
                             for u in _CJK_UNITS)
            + "|(?:(?:[A-Za-z-]+\\s){0,2}?)(?:"
            + "|".join(re.escape(u) for u in _ASCII_UNITS) + r")\b)")
_QUAL_BEFORE = "|".join(sorted((re.escape(w) for ws in QUALIFIERS.values() for w in ws), key=len, reverse=True))

FIGURE = re.compile(
    rf"(?P<ordinal>第|제\s?)?"
    rf"(?P<prefix>(?:RMB|CNY|US\$|\$|¥|￥)\s?)?"
    rf"(?:(?P<num>{_NUM})|(?<![数几多몇수十百千십백천])(?P<word>[十百千万萬亿億백천만억십])(?=\s?(?:{_CJK_SCALE}|[名人명元원吨톤个개项家次])))"
    rf"(?P<scales>(?:\s?{_CJK_SCALE})*)"
    rf"(?:\s?(?P<num2>{_NUM})\s?(?P<scales2>(?:{_CJK_SCALE})+))?"
    rf"(?:\s?(?P<escale>{_EN_SCALE}))?"
    rf"(?P<infix>[{_INFIX_OVER}])?"
    rf"(?:\s?(?:의\s)?(?P<unit>{_UNIT_RE}))?"
    rf"(?P<suffix>\s?(?:以上|이상|남짓|넘게|左右|가량|정도|안팎))?"
)
# What makes a number a date or time, not a figure.
_DATE_AFTER = re.compile(r"\s?(?:年|년|月|월|日|일(?!간|\s?동안)|号|시|時|时|点|분|分|秒|초|岁|세|周年|주년|届|"
                         r"회\s?[가-힣]*박람회|차\s?당)")
_DATE_SPAN = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}:\d{2}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAN_NOT_AFTER = {"近": "最附将接", "超": "高赶", "约": "签制公条合节预", "上": "以向"}
_QUAL_RE = re.compile(rf"(?:{_QUAL_BEFORE})\s?(?:是|达|达到|了)?\s?$", re.IGNORECASE)


@dataclass
class Mention:
    text: str  # the figure as written, qualifier excluded
    value: Decimal  # normalised: 4901亿 -> 490100000000
    unit: str  # canonical English unit, "" when none
    start: int
    end: int
    qualifier: str = ""  # nearly | over | about | ""
    scaled: bool = False  # written with a scale word (亿, 만, billion)

    @property
    def unit_class(self) -> str:
        return UNIT_CLASS.get(self.unit, "")

    @property
    def is_bare(self) -> bool:
        return not self.unit and not self.scaled


def unit_in(unit: str, text: str, currency: str) -> str:
    """A mention's unit in an article whose 원 is `currency` (ingest/currency.py decides it per
    article): a South Korean article's 원 is won."""
    return "won" if unit == "yuan" and currency == "won" and "원" in text else unit


def units_of(m: Mention) -> tuple[str, ...]:
    """The units a mention may stand for: a bare 원 is yuan or won, as its source has it."""
    return ("yuan", "won") if m.unit == "yuan" and "원" in m.text else (m.unit,)


def _unit(raw: str | None) -> str:
    if not raw:
        return ""
    raw = raw.strip()
    if raw in UNITS:
        return UNITS[raw]
    last = raw.split()[-1] if raw.isascii() else raw
    for form in (raw.lower(), last, last.lower()):
        if form in UNITS:
            return UNITS[form]
    return ""


def _scale(chars: str) -> int:
    f = 1
    for ch in chars:
        if ch.strip():
            f *= CJK_SCALES[ch]
    return f


def _qualifier(text: str, start: int, m: re.Match) -> str:
    if m.group("suffix"):
        return _SUFFIX_QUAL[m.group("suffix").strip()]
    if m.group("infix"):
        return "over"
    window = text[max(0, start - 16):start]
    q = _QUAL_RE.search(window)
    if not q:
        return ""
    word = re.sub(r"\s?(?:是|达到|达|了)?\s?$", "", q.group()).strip().lower()
    before = window[:q.start()][-1:]
    if _HANGUL.match(word) and _HANGUL.match(before):
        return ""  # 최근, 계약: the syllable ends a longer word
    if word in _HAN_NOT_AFTER and before and before in _HAN_NOT_AFTER[word]:
        return ""  # 最近, 签约
    if word == "上" and not m.group("word"):
        return ""  # only 上万, 上千
    for kind, words in QUALIFIERS.items():
        if word in [w.lower() for w in words]:
            return kind
    return ""


def _in_code(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    return (before.isascii() and before.isalpha()) or before == "-" or text[end:end + 2][:1] == "-" and \
        text[end + 1:end + 2].isdigit()


def _counted_noun(text: str, num_start: int, counter_end: int) -> str:
    """The unit of the noun a bare 个/개 counts, written before the number or after the counter."""
    nouns, before, after = _counted()
    m = before.search(text, max(0, num_start - 6), num_start)
    if m is None:
        m = after.match(text, counter_end)
        return nouns[m.group("ko") or m.group("zh")] if m else ""
    return nouns[m.group().strip()]


def parse_figures(text: str) -> list[Mention]:
    """Every figure in `text`, in order. Bare numbers (no unit, no scale) are included; callers filter."""
    masked = _DATE_SPAN.sub(lambda m: "#" * len(m.group()), text)
    out: list[Mention] = []
    for m in FIGURE.finditer(masked):
        if not (m.group("num") or m.group("word")):
            continue
        if m.group("ordinal"):
            continue
        num_end = m.end("num") if m.group("num") else m.end("word")
        has_more = bool(m.group("scales").strip() or m.group("escale") or m.group("unit") or m.group("num2"))
        if not has_more and _DATE_AFTER.match(masked, num_end):
            continue
        if m.group("num") and _in_code(masked, m.start("num"), m.end("num")):
            continue  # part of a code such as CN23-0019
        base = Decimal(m.group("num").replace(",", "")) if m.group("num") else Decimal(WORD_NUMS[m.group("word")])
        scales = m.group("scales") or ""
        value = base * _scale(scales)
        if m.group("num2"):
            value += Decimal(m.group("num2").replace(",", "")) * _scale(m.group("scales2"))
        if m.group("escale"):
            value *= EN_SCALES[m.group("escale").lower()]
        unit = _unit(m.group("unit"))
        if unit == "won" and m.group("unit").strip().lower() != "won":
            unit = ""  # "in 2018 they won": the verb, not the currency, unless it follows the amount
        if unit == "count" and m.group("num") and m.group("unit").strip() in ("个", "개"):
            unit = _counted_noun(masked, m.start("num"), m.end("unit")) or unit
        if m.group("prefix"):
            unit = "US dollars" if "$" in m.group("prefix") else "yuan"
        start = m.start("prefix") if m.group("prefix") else (m.start("num") if m.group("num") else m.start("word"))
        end = m.end("unit") if m.group("unit") and unit else max(
            (m.end(g) for g in ("num", "word", "scales", "num2", "scales2", "escale", "infix") if m.group(g)),
            default=m.end())
        if m.group("unit") and not unit:
            end = m.end("unit") - len(m.group("unit"))
        out.append(Mention(text[start:end].strip(), value, unit, start, start + len(text[start:end].rstrip()),
                          _qualifier(masked, start, m),
                          bool(scales.strip() or m.group("escale") or m.group("num2"))))
    return out


@dataclass(frozen=True)
class _NumberWords:
    pattern: re.Pattern  # zh_head?, zh_ten, zh_tail? | zh_one | ko_tens, ko_digit? | ko_one | en
    values: dict[str, int]  # each word -> its value (digit, ten, tens and word rows)


@lru_cache(maxsize=1)
def _number_words() -> _NumberWords:
    """Small numbers written as words (number_words.tsv): 五位, 二十三个, 스물다섯 명, five."""
    rows: dict[tuple[str, str], list[str]] = {}
    values: dict[str, int] = {}
    for line in NUMBER_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, kind, forms, value = (line.split("\t") + [""])[:4]
        rows.setdefault((lang, kind), []).extend(forms.split())
        values.update({w: int(value) for w in forms.split() if value.strip()})

    def alt(lang: str, kind: str) -> str:
        return "|".join(sorted(map(re.escape, rows.get((lang, kind), [])), key=len, reverse=True))

    digit, ten = "".join(rows[("zh", "digit")]), alt("zh", "ten")
    zh = (rf"(?<![第几数多百千万亿{digit}{ten}])(?:(?P<zh_head>[{digit}])?(?P<zh_ten>{ten})(?P<zh_tail>[{digit}])?"
          rf"|(?P<zh_one>[{digit}]))(?=\s?(?:{alt('zh', 'counter')}))")
    # A Korean numeral is a word of its own: 한 in 한국 is not one.
    ko = (rf"(?<![가-힣])(?:(?P<ko_tens>{alt('ko', 'tens')})(?P<ko_digit>{alt('ko', 'digit')})?"
          rf"|(?P<ko_one>{alt('ko', 'digit')}))(?=\s?(?:{alt('ko', 'counter')}))")
    en = rf"\b(?P<en>{alt('en', 'word')})\b"
    return _NumberWords(re.compile(f"{zh}|{ko}|{en}", re.IGNORECASE), values)


def spelled_numbers(text: str) -> set[str]:
    """The values of the small numbers `text` writes as words, as digit strings."""
    words = _number_words()

    def value(word: str | None, default: int = 0) -> int:
        return words.values[word.lower()] if word else default

    out = set()
    for m in words.pattern.finditer(text):
        if m.group("zh_ten"):  # 二十三: the digit before multiplies, the one after adds
            n = value(m.group("zh_head"), 1) * value(m.group("zh_ten")) + value(m.group("zh_tail"))
        elif m.group("ko_tens"):  # 스물다섯: the digit word adds
            n = value(m.group("ko_tens")) + value(m.group("ko_digit"))
        else:
            n = value(m.group("zh_one") or m.group("ko_one") or m.group("en"))
        out.add(str(n))
    return out


def digits(text: str) -> set[str]:
    """The numbers `text` writes in digits, as digit strings."""
    return {n.replace(",", "") for n in re.findall(_NUM, text)}


def numbers(text: str) -> set[str]:
    """Digit strings, with the small numbers written as words (五位 is 5), for matching an answer's
    figures with passage sentences."""
    return digits(text) | spelled_numbers(text)
