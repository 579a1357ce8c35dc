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


def script_counts(text: str) -> dict[str, int]:
    c = {"hangul": 0, "han": 0, "kana": 0, "cyrillic": 0, "latin": 0}
    for ch in text:
        o = ord(ch)
        if 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            c["hangul"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            c["han"] += 1
        elif 0x3040 <= o <= 0x30FF:
            c["kana"] += 1
        elif 0x0400 <= o <= 0x04FF:
            c["cyrillic"] += 1
        elif ch.isalpha() and (ch.isascii() or 0xC0 <= o <= 0x24F):
            c["latin"] += 1
    return c


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
