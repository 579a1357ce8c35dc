"""Figures as written in Chinese and Korean news: parsing scale words and units, and English renderings.

亿/억 = 10^8, 万/만 = 10^4, 千/천 = 10^3; compounds such as 49억 6000만원 add up. In this corpus
원 (Yanbian Korean) and 元 are both Chinese yuan.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SCALES = {"亿": 10**8, "億": 10**8, "억": 10**8, "万": 10**4, "萬": 10**4, "만": 10**4, "千": 10**3, "천": 10**3,
          "조": 10**12, "兆": 10**12}
UNITS = {
    "元": "yuan", "원": "yuan", "人": "people", "名": "people", "명": "people", "吨": "tonnes", "톤": "tonnes",
    "个": "", "개": "", "项": "items", "家": "companies", "次": "times", "차례": "times", "%": "%",
    "平方米": "m²", "公里": "km", "天": "days",
}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_SCALE = "[亿億억万萬만千천조兆]"
_UNIT = "(?:平方米|公里|차례|[元원人名명吨톤个개项家次%天])"
# 49억 6000만원 | 4901亿元 | 407명 | 51.65万吨
FIGURE = re.compile(rf"(?P<num>{_NUM})\s?(?P<scale>{_SCALE})(?:\s?(?P<num2>{_NUM})\s?(?P<scale2>{_SCALE}))?\s?(?P<unit>{_UNIT})?"
                    rf"|(?P<bare>{_NUM})\s?(?P<bunit>{_UNIT})")


@dataclass
class Figure:
    text: str
    value: Decimal
    unit: str  # English unit name, "" when none
    start: int
    end: int


def parse_figures(text: str) -> list[Figure]:
    out = []
    for m in FIGURE.finditer(text):
        if m.group("bare"):
            value = Decimal(m.group("bare").replace(",", ""))
            unit = m.group("bunit")
        else:
            value = Decimal(m.group("num").replace(",", "")) * SCALES[m.group("scale")]
            if m.group("num2"):
                value += Decimal(m.group("num2").replace(",", "")) * SCALES[m.group("scale2")]
            unit = m.group("unit")
        out.append(Figure(m.group().strip(), value, UNITS.get(unit or "", ""), m.start(), m.end()))
    return out


def english_amount(value: Decimal, unit: str) -> str:
    for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if abs(value) >= size:
            n = (value / size).normalize()
            s = f"{n:f}".rstrip("0").rstrip(".") if "." in f"{n:f}" else f"{n:f}"
            return f"{s} {word}" + (f" {unit}" if unit else "")
    s = f"{value.normalize():f}"
    if "." not in s and len(s) > 3:
        s = f"{int(value):,}"
    if unit == "%":
        return s + "%"
    return s + (f" {unit}" if unit else "")


def annotate_english(text: str) -> str:
    """'4901亿元' in an English answer becomes '490.1 billion yuan (4901亿元)'; already-glossed ones stay."""
    out, pos = [], 0
    for f in parse_figures(text):
        if not re.search(r"[\u4e00-\u9fff\uac00-\ud7a3]", f.text):
            continue
        if text[max(0, f.start - 1):f.start] in "(（" and f.start > 0:
            continue
        out.append(text[pos:f.start])
        out.append(f"{english_amount(f.value, f.unit)} ({f.text})")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def numbers(text: str) -> set[str]:
    """Bare digit strings, for matching an answer's figures with passage sentences."""
    return {n.replace(",", "") for n in re.findall(_NUM, text)}
