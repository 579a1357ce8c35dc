"""The general gazetteer (rag/data/gazetteer.tsv): places as surface forms in en/zh/ko, the province
each city lies in, and the two-place compounds the Chinese press makes of one-character
abbreviations (京津, 中俄). Knowledge of places comes from here and from the corpus at index time,
never from a list of one corpus's entities."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, permutations
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
GAZETTEER_FILE = DATA / "gazetteer.tsv"
NOT_COMPOUNDS_FILE = DATA / "zh_not_compounds.txt"
AFFIXES_FILE = DATA / "zh_abbr_affixes.tsv"
KINDS = ("province", "city", "country")
PAIR = "–"  # joins the canonical names of a compound's two places: "China–Russia"


@dataclass(frozen=True, eq=False)
class Place:
    name: str  # canonical English name
    forms: tuple[str, ...]  # every surface form, the English ones included
    names: dict[str, tuple[str, ...]]  # language -> its forms, the preferred one first
    parent: str  # the province a city lies in; "" otherwise
    kind: str
    abbr: str  # one Chinese character, or ""


def _cells(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


@lru_cache(maxsize=4)
def load(path: Path = GAZETTEER_FILE) -> tuple[Place, ...]:
    out: list[Place] = []
    with open(path, encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    if header[:6] != ["en", "zh", "ko", "parent", "kind", "abbr"]:
        raise ValueError(f"{path}: the header must be en, zh, ko, parent, kind, abbr")
    for n, row in enumerate(body, start=2):
        row = row + [""] * (6 - len(row))
        en, zh, ko, parent, kind, abbr = (c.strip() for c in row[:6])
        if kind not in KINDS or not en or len(abbr) > 1:
            raise ValueError(f"{path}: row {n} ({en or '?'}) needs an English name, a kind of "
                             f"{'/'.join(KINDS)} and at most a one-character abbreviation")
        by_lang = {"en": tuple(_cells(en)), "zh": tuple(_cells(zh)), "ko": tuple(_cells(ko))}
        forms = tuple(dict.fromkeys(f for lang in ("en", "zh", "ko") for f in by_lang[lang]))
        out.append(Place(by_lang["en"][0], forms, by_lang, parent, kind, abbr))
    known = {p.name for p in out}
    missing = sorted({p.parent for p in out if p.parent and p.parent not in known})
    if missing:
        raise ValueError(f"{path}: parent(s) not in the gazetteer: {', '.join(missing)}")
    return tuple(out)


@lru_cache(maxsize=1)
def compounds() -> dict[str, tuple[str, str]]:
    """Two-character compound -> the two places it names. Provinces pair in either order (黑吉,
    吉黑); countries only in the order the gazetteer lists them (中俄, not 美中 of 美中不足). A
    compound that occurs inside a place's own name (辽宁 = 辽 + 宁) or is an ordinary word
    (zh_not_compounds.txt) is not one."""
    places = load()
    inside = [f for p in places for f in p.forms]
    words = {w.strip() for w in NOT_COMPOUNDS_FILE.read_text(encoding="utf-8").splitlines()
             if w.strip() and not w.startswith("#")}
    out: dict[str, tuple[str, str]] = {}
    for kind, pairs in (("province", permutations), ("country", combinations)):
        members = [p for p in places if p.kind == kind and p.abbr]
        for a, b in pairs(members, 2):
            word = a.abbr + b.abbr
            if word not in words and not any(word in f for f in inside):
                out[word] = (a.name, b.name)
    return out


@lru_cache(maxsize=1)
def affixed() -> dict[str, str]:
    """Chinese press forms that name a country by its abbreviation alone (对俄, 俄方) -> the
    country, from zh_abbr_affixes.tsv."""
    table: dict[str, set[str]] = {}
    for line in AFFIXES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, values = line.partition("\t")
            table[key.strip()] = set(values.split())
    if set(table) != {"before", "after", "skip", "not"}:
        raise ValueError(f"{AFFIXES_FILE}: needs exactly the rows before, after, skip and not")
    out: dict[str, str] = {}
    for p in load():
        if p.kind != "country" or not p.abbr or p.abbr in table["skip"]:
            continue
        for form in [b + p.abbr for b in table["before"]] + [p.abbr + a for a in table["after"]]:
            if form not in table["not"]:
                out[form] = p.name
    return out


@lru_cache(maxsize=1)
def place_forms() -> dict[str, tuple[str, ...]]:
    """Each place's surface forms, its affixed press forms (对俄, 俄方) included."""
    extra: dict[str, list[str]] = {}
    for form, name in affixed().items():
        extra.setdefault(name, []).append(form)
    return {p.name: p.forms + tuple(extra.get(p.name, ())) for p in load()}


def alias_rows() -> list[list[str]]:
    """The gazetteer as alias-table rows: a place's forms, then each compound under "A–B"."""
    rows = [["|".join(forms)] for forms in place_forms().values()]
    rows += [[f"{a}{PAIR}{b}", word] for word, (a, b) in compounds().items()]
    return rows


def parents() -> dict[str, str]:
    return {p.name: p.parent for p in load()}

