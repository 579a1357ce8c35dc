"""Context recall without the model: does the context the LLM would be shown hold the answer?

An answer can be right only if its evidence reaches the prompt. Measuring that takes retrieval and
context selection alone (well under a second a question), so retrieval and context settings can be
fitted over hundreds of questions and settings where an answered eval takes a minute a question.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..answering.answerer import Answerer
from ..answering.context import ContextBlock, estimate_tokens
from ..types import Article
from .dataset import Item

# Several evidence quotes are all needed for these (a conflict shows every source); else any one.
NEED_ALL = {"multi", "conflict"}


@dataclass
class RecallRow:
    id: str
    lang: str
    type: str
    in_context: bool  # the evidence is in the shown sentences
    in_top: bool  # the evidence is in the retrieved passages (before the budget cut)
    context_tokens: int
    other_language_blocks: int  # blocks in another language than the gold doc's


@dataclass
class RecallSummary:
    rows: list[RecallRow] = field(default_factory=list)

    def rate(self, attr: str = "in_context", lang: str | None = None) -> float:
        rows = [r for r in self.rows if lang is None or r.lang == lang]
        return sum(bool(getattr(r, attr)) for r in rows) / len(rows) if rows else 0.0

    def mean_tokens(self) -> float:
        return sum(r.context_tokens for r in self.rows) / len(self.rows) if self.rows else 0.0

    def by_lang(self) -> dict[str, float]:
        return {lang: self.rate("in_context", lang) for lang in sorted({r.lang for r in self.rows})}


def spans_of(item: Item, articles: dict[str, Article]) -> list[list[tuple[str, int, int]]]:
    """For each evidence string, every (doc, start, end) where it occurs in the gold docs."""
    out = []
    for quote in item.evidence:
        where = []
        for doc in item.docs:
            text = articles[doc].text if doc in articles else ""
            at = text.find(quote)
            while at >= 0:
                where.append((doc, at, at + len(quote)))
                at = text.find(quote, at + 1)
        out.append(where)
    return out


def _covered(spans: list[tuple[str, int, int]], shown: Iterable[tuple[str, int, int]]) -> bool:
    shown = list(shown)
    return any(d == sd and s < se_ and e > ss for d, s, e in spans for sd, ss, se_ in shown)


def recall_row(answerer: Answerer, item: Item) -> RecallRow:
    prepared = answerer.prepare(item.question)
    blocks: list[ContextBlock] = prepared.blocks
    shown = [(b.hit.passage.doc, s, e) for b in blocks for s, e in b.sentences]
    top = [(h.passage.doc, h.passage.start, h.passage.end) for h in prepared.result.hits]
    need = all if item.type in NEED_ALL else any
    evidence = spans_of(item, answerer.articles)
    in_context = bool(evidence) and need(_covered(sp, shown) for sp in evidence)
    in_top = bool(evidence) and need(_covered(sp, top) for sp in evidence)
    gold_langs = {answerer.articles[d].language for d in item.docs if d in answerer.articles}
    other = sum(1 for b in blocks if gold_langs and b.hit.passage.language not in gold_langs)
    tokens = sum(estimate_tokens(answerer.articles[b.hit.passage.doc].text[s:e])
                 for b in blocks for s, e in b.sentences)
    return RecallRow(item.id, item.lang, item.type, in_context, in_top, tokens, other)


def context_recall(answerer: Answerer, items: Iterable[Item]) -> RecallSummary:
    """Recall over the answerable items (an unanswerable one has no evidence to reach the prompt)."""
    return RecallSummary([recall_row(answerer, i) for i in items if i.answerable and i.evidence])
