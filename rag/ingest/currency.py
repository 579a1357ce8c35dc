"""Which currency a bare 원 means: yuan in a Chinese-Korean (Yanbian) paper, won in a South Korean one.

Decided per article from evidence in the article and where it came from, in this order: the
article naming the currency (위안 / 元 vs 원화 / 한화), the site's country (.cn / .kr), and spelling
(Yanbian keeps the word-initial ㄹ/ㄴ that South Korean drops: 력사, 로동, 녀성). A user can override it
per source (`rag index --currency won …`)."""
from __future__ import annotations

import re
import urllib.parse
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[1] / "data" / "korean_initial_rl.txt"
_WORD = re.compile(r"[\uac00-\ud7a3]+")
CURRENCIES = ("yuan", "won")
# An amount written in yuan (500만 위안, 4901亿元), not the word 위안 inside 위안부; the won by name.
_YUAN = re.compile(r"\d\s*(?:[만억천조万亿千]\s*)?(?:위안|元|人民币)")
_WON = re.compile(r"원화|\d\s*(?:[만억천조]\s*)?원\s*\(\s*(?:약\s*)?(?:US)?\$|KRW|₩")


@cache
def _initial_forms() -> tuple[str, ...]:
    rows = [ln.strip() for ln in _DATA.read_text(encoding="utf-8").splitlines()]
    return tuple(r for r in rows if r and not r.startswith("#"))


def yanbian_spelling(text: str) -> bool:
    """At least three words, and 0.5% of them, begin the way only Chinese-Korean spelling begins words."""
    words = _WORD.findall(text)
    hits = sum(w.startswith(_initial_forms()) for w in words)
    return hits >= 3 and hits >= 0.005 * len(words)


def currency_of(text: str, language: str, url: str = "") -> str:
    """'yuan', 'won', or '' when the article's language has no 원 to read."""
    if language == "zh":
        return "yuan"
    if language != "ko":
        return ""
    if _YUAN.search(text):
        return "yuan"
    if _WON.search(text) and not yanbian_spelling(text):
        return "won"
    host = (urllib.parse.urlsplit(url).hostname or "") if url else ""
    if host.endswith(".cn"):
        return "yuan"
    if host.endswith(".kr"):
        return "won"
    return "yuan" if yanbian_spelling(text) else "won"
