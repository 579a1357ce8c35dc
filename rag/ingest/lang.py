"""Language identification by proportion of script, then (Latin script) of function words.

A text is the language most of its letters are written in: a Korean page quoting three kana is
Korean, an English page with a 中文 menu item is English. One CJK character carries about a word,
so Han, Hangul and kana count three times a Latin or Cyrillic letter.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SUPPORTED = ("en", "zh", "ko")
NAMES = {"en": "English", "zh": "Chinese", "ko": "Korean", "ja": "Japanese", "ru": "Russian", "de": "German",
         "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
         "fi": "Finnish"}
CJK_WEIGHT = 3  # one CJK character ~ one word ~ three Latin letters, for the majority vote
_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION_WORDS = Path(__file__).resolve().parents[1] / "data" / "function_words.tsv"


_SCRIPTS = {  # counted by regex (C speed): a character loop took 0.8 s over html-dev's 62 pages
    "hangul": re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"),
    "han": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),
    "kana": re.compile(r"[\u3040-\u30ff]"),
    "cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "latin": re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]"),  # letters, not × or ÷
}


def script_counts(text: str) -> dict[str, int]:
    return {name: len(rx.findall(text)) for name, rx in _SCRIPTS.items()}


@cache
def function_words() -> dict[str, frozenset[str]]:
    out = {}
    for line in _FUNCTION_WORDS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, words = line.split("\t", 1)
            out[code] = frozenset(words.split())
    return out


def latin_language(text: str) -> str:
    """en, de, fr, …: the language whose function words are clearly the most frequent; else en."""
    words = [w.lower() for w in _WORD.findall(text) if w.isascii() or any(ord(ch) >= 0xC0 for ch in w)]
    if len(words) < 8:
        return "en"  # a short question or heading carries too few function words to tell
    hits = {code: sum(w in fw for w in words) for code, fw in function_words().items()}
    best = max(hits, key=lambda k: hits[k])
    if best != "en" and hits[best] >= 0.08 * len(words) and hits[best] > 1.5 * hits.get("en", 0):
        return best
    return "en"


def detect(text: str) -> str:
    """zh, ko, ja, ru, en (or another Latin-script language), or 'und' when there is no letter."""
    c = script_counts(text)
    cjk = c["hangul"] + c["han"] + c["kana"]
    votes = {"cjk": CJK_WEIGHT * cjk, "cyrillic": c["cyrillic"], "latin": c["latin"]}
    if not any(votes.values()):
        return "und"
    script = max(votes, key=lambda k: votes[k])
    if script == "latin":
        return latin_language(text)
    if script == "cyrillic":
        return "ru"
    # Korean quotes Han in brackets (长春(장춘)), Japanese mixes kana into Han; a few kana in a Korean
    # or Chinese text are quoted words.
    if c["hangul"] and c["hangul"] >= 0.5 * c["han"] and c["hangul"] >= c["kana"]:
        return "ko"
    if c["kana"] >= max(2, 0.2 * (c["han"] + c["kana"])):
        return "ja"
    return "zh" if c["han"] else ("ko" if c["hangul"] else "ja")
