"""The gazetteer and the alias table read by column (en, zh, ko): how a name found in a source is
written in another language, and which names a translation of that source may use.

A 1.5B model translating 黑龙江 may write "Black Dragon"; giving it the glossary's line
"黑龙江 = Heilongjiang" costs a few tokens, and checking its note against the same glossary (plus
the pinyin of the source's own Han characters, for names the glossary lacks) catches what it
still invents.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import gazetteer
from .bridge import ALIASES_FILE

LANGS = ("en", "zh", "ko")


@dataclass(frozen=True)
class Term:
    forms: dict  # lang -> tuple of surface forms, the preferred first


def _contains(text: str, form: str) -> bool:
    if form.isascii():
        return re.search(r"\b" + re.escape(form) + r"\b", text, re.I) is not None
    # One Hangul syllable (러 for Russia) hides inside too many words to count.
    return len(form) > 1 and form in text


@lru_cache(maxsize=4)
def load(path: Path = ALIASES_FILE) -> tuple[Term, ...]:
    """Every place of the gazetteer, then the terms of `path`."""
    terms = [Term(dict(p.names)) for p in gazetteer.load()]
    with open(path, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 3 or row[0].startswith("#"):
                continue
            terms.append(Term({lang: tuple(v.strip() for v in cell.split("|") if v.strip())
                               for lang, cell in zip(LANGS, row, strict=False)}))
    return tuple(terms)


def lines_for(source: str, target: str, terms: tuple[Term, ...] | None = None, names_only: bool = False) -> list[str]:
    """'黑龙江 = Heilongjiang' for each glossary term the source names, written for the target language;
    with `names_only`, proper names alone (their English form capitalised: 허근 = Xu Qin)."""
    out = []
    for t in terms or load():
        if not t.forms[target] or (names_only and not (t.forms["en"] and t.forms["en"][0][:1].isupper())):
            continue
        found = [f for lang in LANGS if lang != target for f in t.forms[lang]
                 if not f.isascii() and _contains(source, f)]
        if found:
            longest = max(found, key=len)
            if longest != t.forms[target][0]:
                out.append(f"{longest} = {t.forms[target][0]}")
    return list(dict.fromkeys(out))


def english_names_for(source: str, terms: tuple[Term, ...] | None = None) -> set[str]:
    """Lower-cased English words a translation of `source` may capitalise: the glossary's English
    forms of the terms the source names."""
    out = set()
    for t in terms or load():
        if any(_contains(source, f) for lang in ("zh", "ko") for f in t.forms[lang]):
            for f in t.forms["en"]:
                out |= {w.lower() for w in re.findall(r"[A-Za-z]+", f)}
    return out


@lru_cache(maxsize=256)
def pinyin_words(source: str, longest: int = 4) -> frozenset[str]:
    """Every run of 1..`longest` consecutive Han characters of `source`, spelled in toneless pinyin
    (all readings of heteronyms): 星湖 → 'xinghu', so "Xinghu" is a name the source holds."""
    from pypinyin import Style, pinyin

    out = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", source):
        readings = pinyin(run, style=Style.NORMAL, heteronym=True, errors="ignore")
        for i in range(len(readings)):
            spelled = {""}
            for j in range(i, min(len(readings), i + longest)):
                spelled = {s + r.replace("ü", "v") for s in spelled for r in readings[j]}
                out |= spelled
                if len(spelled) > 64:
                    break
    out.discard("")
    return frozenset(out)


def name_in(english: str, lang: str, terms: tuple[Term, ...] | None = None) -> str:
    """A canonical English name (Heilongjiang) as `lang` writes it (黑龙江, 흑룡강); itself if unknown."""
    if lang == "en":
        return english
    for t in terms or load():
        if english in t.forms["en"] and t.forms[lang]:
            return t.forms[lang][0]
    return english


@lru_cache(maxsize=1)
def term_pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One alternation over every form (in the three languages, longest first) of the gazetteer's
    and alias table's terms, and each form's term by its English name (lower case): what no
    reading bridges (정무서비스 for 政务服务, "government service")."""
    name_of: dict[str, str] = {}
    for t in load():
        for lang in LANGS:
            for f in t.forms.get(lang, ()):
                if len(f) > 1 and t.forms.get("en"):
                    name_of.setdefault(f.lower(), t.forms["en"][0].lower())
    forms = sorted(name_of, key=len, reverse=True)
    pattern = "|".join(rf"\b{re.escape(f)}\b" if f.isascii() else re.escape(f) for f in forms)
    return re.compile(pattern, re.I), name_of


def forms_by_term() -> dict[str, list[str]]:
    """Every form of each term, by its English name as term_pattern gives it."""
    out: dict[str, list[str]] = {}
    for form, name in term_pattern()[1].items():
        out.setdefault(name, []).append(form)
    return out
