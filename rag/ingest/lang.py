"""Script-based language identification: reliable for zh/ko/en/ja/ru, which is what matters here."""
from __future__ import annotations

SUPPORTED = ("en", "zh", "ko")
NAMES = {"en": "English", "zh": "Chinese", "ko": "Korean", "ja": "Japanese", "ru": "Russian"}


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
        elif ch.isascii() and ch.isalpha():
            c["latin"] += 1
    return c


def detect(text: str) -> str:
    """Return zh, ko, en, ja, ru, or 'und' when there is no letter at all."""
    c = script_counts(text)
    if c["kana"] and c["kana"] * 5 >= c["han"] * 1 or (c["kana"] >= 2 and c["hangul"] == 0):
        return "ja"
    # Korean articles quote Han in brackets; Latin words (APP, 5G) are noise next to CJK.
    if c["hangul"] and c["hangul"] >= c["han"] * 0.5:
        return "ko"
    if c["han"]:
        return "zh"
    if c["cyrillic"] > c["latin"]:
        return "ru"
    if c["latin"]:
        return "en"
    return "und"
