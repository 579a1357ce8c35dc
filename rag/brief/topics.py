"""Topics the corpus supports: pairs of places that passages keep naming together."""
from __future__ import annotations

import csv
from collections import Counter
from itertools import combinations

from ..figures.context import entities_in, within
from ..text.bridge import ALIASES_FILE
from ..types import Article, Passage

_LABEL = {"en": "{a}–{b} cooperation", "zh": "{a}与{b}合作", "ko": "{a}—{b} 협력"}


def _names(lang: str) -> dict[str, str]:
    col = {"en": 0, "zh": 1, "ko": 2}[lang]
    out = {}
    with open(ALIASES_FILE, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) > col and row[0] and not row[0].startswith("#"):
                out[row[0].split("|")[0]] = row[col].split("|")[0]
    return out


def list_topics(articles: dict[str, Article], passages: list[Passage], lang: str = "en",
                min_passages: int = 2, limit: int = 10) -> list[dict]:
    pairs: Counter = Counter()
    docs: dict[tuple, set] = {}
    for p in passages:
        found = {"Russia" if e == "China–Russia" else e for e in entities_in(articles[p.doc].text[p.start:p.end])}
        for a, b in combinations(sorted(found), 2):
            if bool(within().get(a)) != bool(within().get(b)):
                continue  # a city with a province (Harbin–Guangdong) is the provinces' topic again
            pairs[(a, b)] += 1
            docs.setdefault((a, b), set()).add(p.doc)
    names = _names(lang)
    out = []
    for (a, b), n in pairs.most_common():
        if n < min_passages:
            break
        out.append({"topic": _LABEL[lang].format(a=names.get(a, a), b=names.get(b, b)), "entities": [a, b],
                    "passages": n, "documents": sorted(docs[(a, b)])})
    return out[:limit]
