"""Conflicting figures: different sources, same measure and scope, different values.

Two figures are comparable only when the nouns naming what they measure are alike (measure.py,
weighted by how rare their terms are among the corpus's figures), and they share unit class, kind
(a stock "by end-2022" vs a flow "in 2019", yearly vs cumulative, expected vs actual) and scope. A
figure whose clause names no measure is never paired: a false conflict misleads more than a missed one.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..types import Conflict, ConflictValue, Figure
from .measure import MeasureWeights, measure_terms
from .parse import UNIT_CLASS
from .verify import ROUNDING

_FLOW_PERIOD = re.compile(r"^(?:\d{4}(?:-\d{2}(?:\.\.\d{2})?)?|H1 \d{4}|Q1–Q3 \d{4}|\d{4}-01\.\.\d{2})$")


def _kind(f: Figure) -> tuple:
    flow = f.period if _FLOW_PERIOD.match(f.period or "") else ""
    return (flow, "per_year" in f.flags, "expected" in f.flags)


def _scope_ok(a: Figure, b: Figure) -> bool:
    if a.scope_explicit and b.scope_explicit and len(a.scope) >= 2 and len(b.scope) >= 2:
        return a.scope[:2] == b.scope[:2]  # direction matters: A handles B's items ≠ B handles A's
    sa, sb = set(a.scope), set(b.scope)
    return bool(sa and sb) and (sa <= sb or sb <= sa)


def _near(a: Figure, b: Figure) -> bool:
    """The same value, or one a headline rounds (近5000亿 beside 4901亿)."""
    va, vb = Decimal(a.value), Decimal(b.value)
    return va == vb or (bool(a.qualifier or b.qualifier) and abs(va - vb) <= ROUNDING * max(va, vb))


MEASURE_MIN = 0.5  # Config.conflict_measure_min
# A one-word measure (投资 and 투자액 share only the glossary's "investment") is too generic to say
# two figures count one thing.
SHARED_TERMS_MIN = 2


class Comparer:
    """Which figures of one corpus measure the same thing: term weights come from all of them."""

    def __init__(self, figures: list[Figure], min_similarity: float = MEASURE_MIN):
        self.min_similarity = min_similarity
        self._terms: dict[str, frozenset[str]] = {}
        self.weights = MeasureWeights(self.terms(f) for f in figures)

    def terms(self, f: Figure) -> frozenset[str]:
        got = self._terms.get(f.measure)
        if got is None:
            got = self._terms[f.measure] = measure_terms(f.measure)
        return got

    def same_measure(self, a: Figure, b: Figure) -> bool:
        ta, tb = self.terms(a), self.terms(b)
        return len(ta & tb) >= SHARED_TERMS_MIN and self.weights.similarity(ta, tb) >= self.min_similarity

    def comparable(self, a: Figure, b: Figure) -> bool:
        return (UNIT_CLASS.get(a.unit, a.unit) == UNIT_CLASS.get(b.unit, b.unit)
                and _kind(a) == _kind(b) and _scope_ok(a, b) and self.same_measure(a, b))


def comparable(a: Figure, b: Figure, figures: list[Figure] | None = None) -> bool:
    """Whether two figures measure the same thing, weighing terms over `figures` (default: the two)."""
    return Comparer(figures or [a, b]).comparable(a, b)


def find_conflicts(figures: list[Figure], min_similarity: float = MEASURE_MIN) -> list[Conflict]:
    """Clusters of comparable figures from at least two documents holding at least two values."""
    cmp = Comparer(figures, min_similarity)
    parent = list(range(len(figures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Candidate pairs share a unit class and a measure term: an inverted index instead of every
    # pair of the corpus.
    by_term: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(figures):
        for t in cmp.terms(f):
            by_term.setdefault((UNIT_CLASS.get(f.unit, f.unit), t), []).append(i)
    tried: set[tuple[int, int]] = set()
    for idx in by_term.values():
        for x, i in enumerate(idx):
            for j in idx[x + 1:]:
                a, b = figures[i], figures[j]
                if a.doc != b.doc and (i, j) not in tried:
                    tried.add((i, j))
                    if cmp.comparable(a, b):
                        parent[root(i)] = root(j)
    clusters: dict[int, list[Figure]] = {}
    for i, f in enumerate(figures):
        if cmp.terms(f):
            clusters.setdefault(root(i), []).append(f)
    out = []
    for members in clusters.values():
        # Comparability is not transitive: 407 cadres sent one way and 30 sent the other both pair
        # with a two-way 341, yet not with each other. A figure not comparable with every member
        # leaves the cluster, as the measure cannot tell it from its neighbours.
        members = [f for f in members if all(g is f or cmp.comparable(f, g) for g in members)]
        # One source giving two values of it for the same date (407 one way and 30 the other, where
        # "our province" left the scope unread) shows the measure does not separate them there.
        members = [f for f in members if not any(g.doc == f.doc and g.as_of == f.as_of and not _near(f, g)
                                                 for g in members)]
        docs = {f.doc for f in members}
        per_doc_values = {d: {f.value for f in members if f.doc == d} for d in docs}
        if len(docs) < 2 or len({v for vs in per_doc_values.values() for v in vs}) < 2:
            continue
        if len({frozenset(v) for v in per_doc_values.values()}) < 2:
            continue  # every source agrees
        members.sort(key=lambda f: (f.as_of or f.date, f.date, f.start))
        newest = members[-1]
        scope = sorted({s for f in members for s in f.scope})
        out.append(Conflict(
            measure=newest.measure, label=newest.measure, scope=scope,
            values=[ConflictValue(f.id, f.value, f.text, f.unit, f.as_of, f.period, f.doc, f.passage_id, f.date,
                                  f.language) for f in members],
            newest=newest.passage_id))
    return out


def conflicts_for(figure_ids: set[str], conflicts: list[Conflict]) -> list[Conflict]:
    """The conflicts that involve any of the given source figures."""
    return [c for c in conflicts if any(v.figure_id in figure_ids for v in c.values)]
