"""Topics the corpus supports: pairs of places that passages keep naming together."""
from __future__ import annotations

from collections import Counter
from itertools import combinations

from ..figures.context import entities_in, within
from ..text.glossary import name_in
from ..types import Article, Passage

# Neutral: two places named together are a topic, whatever the stories say about them.
_LABEL = {"en": "{a} and {b}", "zh": "{a}与{b}", "ko": "{a}·{b}"}


def list_topics(articles: dict[str, Article], passages: list[Passage], lang: str = "en",
                min_passages: int = 2, limit: int = 10) -> list[dict]:
    pairs: Counter = Counter()
    docs: dict[tuple, set] = {}
    for p in passages:
        found = set(entities_in(articles[p.doc].text[p.start:p.end]))
        for a, b in combinations(sorted(found), 2):
            if bool(within().get(a)) != bool(within().get(b)):
                continue  # a city with a province (Harbin–Guangdong) is the provinces' topic again
            pairs[(a, b)] += 1
            docs.setdefault((a, b), set()).add(p.doc)
    out = []
    for (a, b), n in pairs.most_common():
        if n < min_passages:
            break
        out.append({"topic": _LABEL[lang].format(a=name_in(a, lang), b=name_in(b, lang)), "entities": [a, b],
                    "passages": n, "documents": sorted(docs[(a, b)])})
    return out[:limit]
