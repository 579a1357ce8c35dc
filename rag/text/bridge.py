"""Cross-script bridge between Chinese and (Yanbian) Korean, plus an English/zh/ko alias table.

Yanbian Korean writes most Chinese names and terms in their Sino-Korean readings (长春 → 장춘,
干部 → 간부), without South Korea's initial-sound rule (력사, 림시, 량곡). So Han text gets Hangul
reading tokens, and word-initial ㄹ/ㄴ are folded so 력사 and 역사 meet. Transliterations that are
not readings (哈尔滨 → 할빈, 齐齐哈尔 → 치치할) come from the alias table and from pairs the corpus
spells out itself, such as 곤곤(昆昆) or 가지하구(茄子河区).
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import gazetteer

ALIASES_FILE = Path(__file__).resolve().parents[1] / "data" / "aliases.tsv"

_HAN = re.compile(r"[\u4e00-\u9fff]+")
# "곤곤(昆昆)", "가지하구(茄子河区)", "러해보(俄海宝)": a Hangul word followed by its Han spelling.
_PAIR = re.compile(r"([\uac00-\ud7a3]{2,8})\s?[(（]([\u4e00-\u9fff]{2,8})[)）]")


@functools.lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("s2t")


@functools.lru_cache(maxsize=50000)
def char_reading(ch: str) -> str:
    """Sino-Korean reading of one (traditional) Han character, in its non-initial form (龍 → 룡)."""
    import hanja

    r = hanja.translate("一" + ch, "substitution")
    return r[1:] if len(r) == 2 and r[1] != ch else ""


def reading(han: str) -> str:
    """Hangul reading of a Han run; characters without a reading are dropped."""
    trad = _opencc().convert(han)
    if len(trad) != len(han):
        trad = "".join(_opencc().convert(c) for c in han)
    return "".join(char_reading(c) for c in trad)


# Initial-sound rule folding: 라→나, 려→여, 녀→여 … applied to a word's first syllable.
_L_TO_N = set("ㅏㅐㅗㅚㅜㅡ")
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_Y_VOWELS = set("ㅑㅒㅕㅖㅛㅠㅣ")


def fold_initial(syllable: str) -> str:
    o = ord(syllable) - 0xAC00
    if not 0 <= o < 11172:
        return syllable
    cho, jung, jong = o // 588, (o % 588) // 28, o % 28
    vowel = _JUNG[jung]
    if cho == 5:  # ㄹ
        cho = 11 if vowel in _Y_VOWELS else 2  # ㅇ before y-vowels and ㅣ, else ㄴ
    if cho == 2 and vowel in _Y_VOWELS:  # ㄴ before y-vowels → ㅇ
        cho = 11
    return chr(0xAC00 + cho * 588 + jung * 28 + jong)


@dataclass
class AliasTable:
    """Groups of equivalent surface forms across en/zh/ko; any form found expands to the others.

    A row named for two places ("China–Russia  中俄", made by the gazetteer) holds the compound the
    press makes of their one-character abbreviations; it expands when the query names both places,
    and names both places when the query uses it.
    """

    groups: list[set[str]] = field(default_factory=list)
    pairs: list[tuple[set[str], set[str], set[str]]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = ALIASES_FILE) -> AliasTable:
        """The rows of `path`, then the gazetteer's places and compounds."""
        with open(path, encoding="utf-8") as f:
            rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
        rows += gazetteer.alias_rows()
        groups, named = [], {}
        for row in rows:
            forms = {v.strip() for cell in row for v in cell.split("|") if v.strip()}
            if len(forms) > 1:
                groups.append(forms)
                named[row[0].split("|")[0].strip()] = forms
        pairs = []
        for name, forms in named.items():
            a, _, b = name.partition("–")
            if a in named and b in named:
                pairs.append((named[a], named[b], forms))
        return cls(groups, pairs)

    def add_mined(self, texts: list[str]) -> int:
        """Learn Hangul↔Han pairs that articles spell out, e.g. 무명(茂名). Returns how many were new."""
        known = {f for g in self.groups for f in g}
        added = 0
        for text in texts:
            for ko, zh in _PAIR.findall(text):
                if ko.endswith(reading(zh)) or (ko in known and zh in known):
                    continue  # a plain reading needs no alias
                self.groups.append({ko, zh})
                known |= {ko, zh}
                added += 1
        return added

    def expansions(self, query: str) -> list[str]:
        q = query.lower()

        seen: dict[int, bool] = {}

        def named(g: set[str]) -> bool:  # a place's group is in many pairs: test it once
            if id(g) not in seen:
                seen[id(g)] = any(_contains(q, f.lower()) for f in g)
            return seen[id(g)]

        out: list[str] = []
        for g in self.groups:
            if named(g):
                out.extend(f for f in g if not _contains(q, f.lower()))
        for a, b, compound in self.pairs:
            if named(a) and named(b):
                out.extend(f for f in compound if not _contains(q, f.lower()))
            elif named(compound):
                out.extend(f for f in a | b if not _contains(q, f.lower()))
        return list(dict.fromkeys(out))

    def to_rows(self) -> list[list[str]]:
        return [sorted(g) for g in self.groups]


def _contains(text: str, form: str) -> bool:
    if form.isascii():
        return re.search(r"\b" + re.escape(form) + r"\b", text) is not None
    return form in text
