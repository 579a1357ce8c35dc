"""Span scoring for reading-comprehension sets (ext-dev format): gold strings, not gold figures.

The definitions are those of the external sets' own scorer (`../shared/ext-dev/score.py`, a copy of
the held-out scorer), so `rag eval --set` reports the numbers that scorer would print;
tests/test_eval_ext.py checks that against its self-test at run time.
- correct: after NFKC, dropping [n] markers and removing spaces and commas, some gold is a substring
  of the answer (a gold that starts or ends with a digit may not continue a longer number); or, for a
  gold that is essentially a number, every quantity of the gold appears in the answer with the same
  value, scale words included (万/亿/만/억/thousand/million/…, compounds such as 15만 5천, shared-scale
  ranges such as 3到5万, small number words).
- language: letters outside brackets and digits, Hangul and Han weighted ×2 against Latin.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

_P = Decimal(10)
SCALES = {"万亿": _P ** 12, "兆": _P ** 12, "조": _P ** 12, "trillion": _P ** 12,
          "亿": _P ** 8, "億": _P ** 8, "억": _P ** 8, "billion": _P ** 9, "bn": _P ** 9,
          "million": _P ** 6, "mn": _P ** 6, "万": _P ** 4, "萬": _P ** 4, "만": _P ** 4,
          "thousand": _P ** 3, "千": _P ** 3, "천": _P ** 3, "백": _P ** 2, "百": _P ** 2}
_SCALE = "|".join(sorted(map(re.escape, SCALES), key=len, reverse=True))
_EN_WORDS = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ZH_MEASURE = "个次种名人座所位项条家倍届年岁件场分只架艘部本"
_NUM = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*((?:" + _SCALE + r")(?:\s*(?:" + _SCALE + r"))*))?",
                  re.IGNORECASE)
_ZH_NUM = re.compile(r"([一二两三四五六七八九]?十[一二三四五六七八九]?|[零〇一二两三四五六七八九])"
                     r"(?=[" + _ZH_MEASURE + "])")
_EN_NUM = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:到|至|-|–|—|~|～|에서|and|to)\s*$", re.IGNORECASE)
_MARKERS = re.compile(r"\[\d+(?:\s*[,，]\s*\d+)*\]")
# A digit run followed by Latin letters is a name (Astra 2A) unless the letters are a unit or ordinal.
_UNIT_AFTER = re.compile(r"(?i)(st|nd|rd|th|km|kg|m|cm|mm|mi|ft|in|bn|mn|pm|am|bp)\b")


@dataclass
class Quantity:
    values: set[Decimal]  # the alternatives a range's bare end may mean
    start: int
    end: int
    scale: Decimal


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _squash(text: str) -> str:
    return re.sub(r"[\s,，]", "", nfkc(text)).lower()


def _scale(words: str | None) -> Decimal:
    m = Decimal(1)
    for w in re.findall(_SCALE, words or "", re.IGNORECASE):
        m *= SCALES.get(w.lower(), SCALES.get(w, Decimal(1)))
    return m


def _zh_value(token: str) -> int:
    if "十" in token:
        tens, _, units = token.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(units, 0) if units else 0)
    return _ZH_DIGITS[token]


def quantities(text: str) -> list[Quantity]:
    t = nfkc(text)
    tokens: list[tuple[Decimal, Decimal, int, int]] = []
    for m in _NUM.finditer(t):
        try:
            tokens.append((Decimal(m.group(1).replace(",", "")), _scale(m.group(2)), m.start(), m.end()))
        except InvalidOperation:
            continue
    tokens += [(Decimal(_zh_value(m.group(1))), Decimal(1), m.start(), m.end()) for m in _ZH_NUM.finditer(t)]
    tokens += [(Decimal(_EN_WORDS[m.group(1).lower()]), Decimal(1), m.start(), m.end()) for m in _EN_NUM.finditer(t)]
    tokens.sort(key=lambda x: x[2])
    out: list[Quantity] = []
    i = 0
    while i < len(tokens):
        value, scale, start, end = tokens[i]
        total, last, j = value * scale, scale, i + 1
        # Descending adjacent scales make one number: 15만 5천, 1억 9500만.
        while j < len(tokens) and tokens[j][1] < last and last > 1 and not t[end:tokens[j][2]].strip():
            total += tokens[j][0] * tokens[j][1]
            last, end = tokens[j][1], tokens[j][3]
            j += 1
        out.append(Quantity({total}, start, end, scale))
        i = j
    for a, b in pairwise(out):  # 3到5万: the bare 3 may mean 30000
        if a.scale == 1 and b.scale > 1 and _RANGE.match(t[a.end:b.start]):
            a.values |= {x * b.scale for x in list(a.values)}
    return out


def numeric_gold(gold: str) -> bool:
    """A gold that is essentially a number with a unit or qualifier, not a name holding digits."""
    t = nfkc(gold)
    qs = quantities(t)
    if not qs:
        return False
    for q in qs:
        before, after = t[max(0, q.start - 2):q.start], t[q.end:q.end + 1]
        if re.search(r"[A-Za-z\u4e00-\u9fff\uac00-\ud7a3]-$", before) or (
                re.match(r"[A-Za-z]", after) and not _UNIT_AFTER.match(t[q.end:q.end + 3])):
            return False
        if re.search(r"[제第]$", before):  # 제2대, 第二: an ordinal inside a name
            return False
    rest = t
    for q in sorted(qs, key=lambda q: -q.start):
        rest = rest[:q.start] + " " + rest[q.end:]
    rest = re.sub(_SCALE, " ", rest, flags=re.IGNORECASE)
    cjk = len(re.findall(r"[\u4e00-\u9fff\uac00-\ud7a3]", rest))
    return cjk + 2 * len(re.findall(r"[A-Za-z]+", rest)) <= 5


def _digit_at(s: str, i: int) -> bool:
    return 0 <= i < len(s) and s[i].isdigit()


def substring_match(gold: str, answer: str) -> bool:
    g, a = _squash(gold), _squash(_MARKERS.sub(" ", nfkc(answer)))
    if not g:
        return False
    at = a.find(g)
    while at >= 0:
        end = at + len(g)
        # "5" is not found in "1985", nor in "2.5"
        left = g[0].isdigit() and (_digit_at(a, at - 1) or (at > 1 and a[at - 1] == "." and _digit_at(a, at - 2)))
        right = g[-1].isdigit() and (_digit_at(a, end) or (end < len(a) and a[end] == "." and _digit_at(a, end + 1)))
        if not left and not right:
            return True
        at = a.find(g, at + 1)
    return False


def number_match(gold: str, answer: str) -> bool:
    if not numeric_gold(gold):
        return False
    have: set[Decimal] = set()
    for q in quantities(_MARKERS.sub(" ", nfkc(answer))):
        have |= q.values
    return all(q.values & have for q in quantities(gold))


def match(golds: list[str], answer: str) -> str:
    """How the answer matched a gold: 'substr', 'num', or '' for no match."""
    if any(substring_match(g, answer) for g in golds):
        return "substr"
    if any(number_match(g, answer) for g in golds):
        return "num"
    return ""


def language(text: str) -> str:
    t = re.sub(r"\[[^\]]*\]|\([^)]*\)|（[^）]*）|【[^】]*】|\d", "", nfkc(text))
    hangul = len(re.findall(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]", t))
    han = len(re.findall(r"[\u4e00-\u9fff\u3400-\u4dbf]", t))
    latin = len(re.findall(r"[A-Za-z]", t))
    if hangul + han + latin == 0:
        return "none"
    return max((2 * hangul, "ko"), (2 * han, "zh"), (latin, "en"))[1]
