"""Writing figures back out: English amounts, and a value in any language's scale words."""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from .parse import parse_figures

UNIT_WORDS = {
    "zh": {"yuan": "元", "won": "韩元", "people": "人", "person-times": "人次", "tonnes": "吨", "projects": "个项目",
           "items": "项", "companies": "家", "households": "户", "pairs": "对", "sets": "套", "count": "个",
           "times": "次", "m²": "平方米", "m": "米", "km": "公里", "days": "天", "%": "%", "US dollars": "美元",
           "kg": "公斤", "mu": "亩", "points": "个百分点"},
    "ko": {"yuan": "원", "won": "원", "people": "명", "person-times": "명", "tonnes": "톤", "projects": "개 프로젝트",
           "items": "개", "companies": "개 기업", "households": "가구", "pairs": "쌍", "sets": "세트",
           "count": "개", "times": "차례", "m²": "평방미터", "m": "미터", "km": "킬로미터", "days": "일간", "%": "%",
           "US dollars": "달러", "kg": "킬로그램", "mu": "무", "points": "퍼센트포인트"},
}
# Korean unit words that read as a separate word after the number.
_KO_SPACED = {"companies"}


def _plain(d: Decimal) -> str:
    s = f"{d.normalize():f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def english_amount(value: Decimal, unit: str) -> str:
    unit = "" if unit == "count" else unit  # 84개: a bare count reads best as "84"
    for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if abs(value) >= size:
            return f"{_plain(value / size)} {word}" + (f" {unit}" if unit else "")
    s = _plain(value)
    if "." not in s and len(s.lstrip("-")) > 3:
        s = f"{int(value):,}"
    if unit == "%":
        return s + "%"
    return s + (f" {unit}" if unit else "")


def _cjk_amount(value: Decimal, lang: str) -> str:
    """4901亿 / 49억 6000만 / 1504.73亿: scale words where news would use them, else plain digits."""
    big, mid = ("亿", "万") if lang == "zh" else ("억", "만")
    sep = "" if lang == "zh" else " "
    if value == value.to_integral_value():
        n = int(value)
        if n < 10**4 or n % 10**4:
            return str(n)  # 2639개, 10001元: digits, as the papers write them
        parts = []
        if n >= 10**8:
            parts.append(f"{n // 10**8}{big}")
            n %= 10**8
        if n:
            parts.append(f"{n // 10**4}{mid}")
        return sep.join(parts)
    for size, word in ((10**8, big), (10**4, mid)):
        scaled = (value / size).normalize()
        # cast, not a check: the exponent is an int for any finite value (as before, a non-finite one fails here)
        if abs(value) >= size and -cast(int, scaled.as_tuple().exponent) <= 4:
            return f"{_plain(scaled)}{word}"
    return _plain(value)


def format_value(value: Decimal, unit: str, lang: str) -> str:
    """A figure as a native speaker writes it: 4901亿元, 49억 6000만원, 490.1 billion yuan."""
    if lang == "en":
        return english_amount(value, unit)
    amount = _cjk_amount(value, lang)
    word = UNIT_WORDS[lang].get(unit, "")
    if lang == "ko" and unit in _KO_SPACED:
        return f"{amount}{word}"
    return amount + word


# A figure needs a gloss in an answer language when it is written in another language's script.
_FOREIGN = {"en": re.compile(r"[\u4e00-\u9fff\uac00-\ud7a3]"), "zh": re.compile(r"[\uac00-\ud7a3]"),
            "ko": re.compile(r"[\u4e00-\u9fff]")}


def with_qualifier(text: str, qualifier: str, forms: Mapping[str, str]) -> str:
    """`text` (a figure) with `qualifier` (nearly, over, about) in one language's words: `forms`
    maps each qualifier to its pattern ("nearly {figure}", "{figure} 이상"; `qualified` in
    prompts/messages.json). Unchanged for no qualifier, or one `forms` lacks."""
    form = forms.get(qualifier) if qualifier else None
    return form.format(figure=text) if form else text


def gloss_figures(text: str, lang: str, with_source: bool = True, units: Mapping[str, str] | None = None) -> str:
    """Each figure the answer quotes in another language's words, written in `lang` with the
    source's own words after it: '4901亿元' in English becomes '490.1 billion yuan (4901亿元)', in
    Korean '4901억원 (4901亿元)'; in Chinese '289.36억원' becomes '289.36亿元 (289.36억원)'.
    Without `with_source` (the source sentence follows anyway), only '490.1 billion yuan'.
    `units`: a figure's unit as its source has it, by the figure's text (a South Korean 3조원 is
    won, which the text alone does not say). Figures already glossed (inside brackets) stay as they are."""
    foreign = _FOREIGN.get(lang)
    if foreign is None:
        return text
    out, pos = [], 0
    for f in parse_figures(text):
        if not foreign.search(f.text) or f.is_bare:
            continue
        if f.start > 0 and text[f.start - 1] in "(（":
            continue
        out.append(text[pos:f.start])
        unit = (units or {}).get(f.text, f.unit)
        out.append(f"{_in_words_of(f, lang, unit)} ({f.text})" if with_source else _in_words_of(f, lang, unit))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


_AMOUNT = re.compile(r"(?:[\d.,]+\s*[万亿千만억천]*\s*)+")
_SCALE_WORDS = {"ko": str.maketrans("万亿千", "만억천"), "zh": str.maketrans("만억천", "万亿千")}


def _in_words_of(f, lang: str, unit: str) -> str:
    """The figure in `lang`'s scale and unit words, keeping the source's digits (51.65万吨 -> 51.65만톤),
    so the gloss is a translation of what the source wrote, not a recomputed amount."""
    if lang == "en":
        return english_amount(f.value, unit)
    m = _AMOUNT.match(f.text)
    if not m or not re.search(r"\d", m.group(0)):
        return format_value(f.value, unit, lang)  # written in words (거의 만명): the value in digits
    amount = m.group(0).strip().translate(_SCALE_WORDS[lang])
    if lang == "zh":
        amount = amount.replace(" ", "")
    return amount + UNIT_WORDS[lang].get(unit, "")


def annotate_english(text: str) -> str:
    return gloss_figures(text, "en")
