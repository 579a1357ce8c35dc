"""ContextSelector: which sentences of the retrieved passages the model is shown, and the lead it is hinted.

Prompt length is the latency on a CPU (prefill ~20 tok/s), so the context is the most relevant
sentences of the top passages within a token budget, not whole passages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..figures.context import entities_in, with_provinces
from ..figures.dates import DATE_FIT, DateCandidate, asks_date, lead_date, rank_dates
from ..figures.entity import SentenceCandidate, asks_entity, days, holds_answer_type, lead_sentence, rank_sentences
from ..figures.focus import Candidate, FigureFocus, question_words
from ..figures.leads import lead_set
from ..ingest import lang as langid
from ..retrieval import RetrievalResult
from ..sentences_dense import SentenceSimilarity
from ..text.sentences import display
from ..text.tokenize import tokens
from ..types import Article, Hit

Span = tuple[int, int]


def estimate_tokens(text: str) -> int:
    """Qwen2.5's tokenizer, measured on the seeds: ~0.75 token per Han character, ~0.95 per Hangul syllable."""
    c = langid.script_counts(text)
    other = len(text) - c["han"] - c["hangul"]
    return int(c["han"] * 0.75 + c["hangul"] * 0.95 + other / 3.5) + 1


@dataclass
class ContextBlock:
    marker: int
    hit: Hit
    sentences: list[Span] = field(default_factory=list)  # kept, in source order


@dataclass
class Context:
    """What the model is given for one question: the retrieval, the ranked figures, the lead (a
    figure set, a date or an entity sentence) and the context blocks within the budget."""

    result: RetrievalResult
    ranked: list[Candidate]
    leads: list[Candidate]
    date: DateCandidate | None
    entity: SentenceCandidate | None
    blocks: list[ContextBlock]


def select_context(hits: list[Hit], articles: dict[str, Article], query_tokens: list[str],
                   budget: int, fit: dict[tuple[str, int, int], float] | None = None,
                   dense: dict[tuple[str, int, int], float] | None = None,
                   dense_weight: float = 0.0, passage_min: float = 0.0) -> list[ContextBlock]:
    """Best sentences first: one per passage for coverage, then by relevance until the budget is spent.

    `fit` scores sentences by their best figure's fit to the question (FigureFocus); the block
    holding the best-fitting sentence is shown first, since small models favour passage [1]. A
    sentence shared by overlapping passages is shown once. `dense` is each sentence's relative
    similarity to the question (0..1, SentenceSimilarity), weighted by `dense_weight`: the only
    signal for a question in another script than its sources. A passage none of whose sentences
    reaches `passage_min` of that similarity, and none holding a fitting figure, is left out (the
    best-ranked passage never is): the language quota brings in another language's best passage,
    which is noise where that language tells another story, and the small model answers from it.
    """
    q = set(query_tokens)
    fit = fit or {}
    dense = dense or {}
    scored = []
    for rank, h in enumerate(hits):
        keys = [(h.passage.doc, s, e) for s, e in h.passage.sentences]
        if (rank and dense and passage_min > 0 and max((dense.get(k, 0.0) for k in keys), default=0.0) < passage_min
                and max((fit.get(k, 0.0) for k in keys), default=0.0) <= 0):
            continue
        text = articles[h.passage.doc].text
        for s, e in h.passage.sentences:
            sentence = text[s:e]
            overlap = len(q & set(tokens(sentence)))
            bonus = 0.5 if re.search(r"\d", sentence) else 0.0
            bonus += max(0.0, fit.get((h.passage.doc, s, e), 0.0))
            bonus += dense_weight * dense.get((h.passage.doc, s, e), 0.0)
            scored.append(((overlap + bonus) / (1 + 0.3 * rank), rank, (s, e), estimate_tokens(sentence)))
    chosen: dict[int, list[Span]] = {}
    shown: set[tuple[str, int, int]] = set()
    used = 0

    def take(item) -> None:
        nonlocal used
        chosen.setdefault(item[1], []).append(item[2])
        shown.add((hits[item[1]].passage.doc, *item[2]))
        used += item[3]

    def is_shown(item) -> bool:
        return (hits[item[1]].passage.doc, *item[2]) in shown

    firsts, first_keys = {}, set()  # each passage's best sentence, no sentence twice
    for item in sorted(scored, key=lambda x: -x[0]):
        key = (hits[item[1]].passage.doc, *item[2])
        if key not in first_keys and item[1] not in firsts:
            firsts[item[1]] = item
            first_keys.add(key)
    for item in sorted(firsts.values(), key=lambda x: x[1]):
        if not is_shown(item) and (used + item[3] <= budget or not chosen):
            take(item)
    for item in sorted(scored, key=lambda x: -x[0]):
        if item[0] <= 0 or is_shown(item):
            continue
        if used + item[3] <= budget:
            take(item)
    ranks = sorted(chosen)
    if fit:
        best = max(ranks, key=lambda r: (max(fit.get((hits[r].passage.doc, *se), 0.0) for se in chosen[r]), -r))
        if max(fit.get((hits[best].passage.doc, *se), 0.0) for se in chosen[best]) > 0:
            ranks = [best] + [r for r in ranks if r != best]
    return [ContextBlock(i, hits[r], sorted(chosen[r])) for i, r in enumerate(ranks, start=1)]


def block_text(block: ContextBlock, articles: dict[str, Article]) -> str:
    text = articles[block.hit.passage.doc].text
    parts, prev_end = [], None
    all_sents = block.hit.passage.sentences
    for s, e in block.sentences:
        if prev_end is not None and all_sents.index((s, e)) != all_sents.index(prev_end) + 1:
            parts.append("…")
        parts.append(display(text, s, e))
        prev_end = (s, e)
    return " ".join(parts)


def blocks_for(candidates: list[Candidate], hits: list[Hit]) -> list[ContextBlock]:
    """Blocks of only the sentences holding `candidates`' figures, in their order."""
    blocks: list[ContextBlock] = []
    for c in candidates:
        f = c.figure
        hit = next((h for h in hits if h.passage.doc == f.doc and h.passage.start <= f.start < h.passage.end), None)
        if hit is None:
            continue
        block = next((b for b in blocks if b.hit is hit), None)
        if block is None:
            blocks.append(block := ContextBlock(len(blocks) + 1, hit, []))
        if (f.sentence_start, f.sentence_end) not in block.sentences:
            block.sentences = sorted(block.sentences + [(f.sentence_start, f.sentence_end)])
    return blocks


class ContextSelector:
    def __init__(self, articles: dict[str, Article], focus: FigureFocus, budget: int,
                 similarity: SentenceSimilarity | None = None, dense_weight: float = 0.0,
                 passage_min: float = 0.0):
        if budget <= 0:
            raise ValueError(f"the context budget must be positive, not {budget}")
        self.articles = articles
        self.focus = focus
        self.budget = budget
        self.similarity = similarity
        self.dense_weight = dense_weight
        self.passage_min = passage_min

    def warm_up(self) -> None:
        if self.similarity is not None:
            self.similarity.warm_up()

    def run(self, question: str, result: RetrievalResult) -> Context:
        ranked = self.rank_figures(question, result)
        fit: dict[tuple[str, int, int], float] = {}
        for c in ranked:
            key = (c.figure.doc, c.figure.sentence_start, c.figure.sentence_end)
            fit[key] = max(fit.get(key, c.score), c.score)
        leads = lead_set(ranked, question)
        date = None if leads else self.lead_date(question, result)
        entity = None if leads or date else self.lead_entity(question, result)
        for lead in (date, entity):
            if lead is not None:
                fit[(lead.doc, *lead.sentence)] = max(fit.get((lead.doc, *lead.sentence), 0.0), DATE_FIT)
        blocks = select_context(result.hits, self.articles, result.query_tokens, self.budget, fit,
                                self.sentence_similarity(result), self.dense_weight, self.passage_min)
        return Context(result, ranked, leads, date, entity, blocks)

    def rank_figures(self, question: str, result: RetrievalResult) -> list[Candidate]:
        spans = [(h.passage.doc, h.passage.start, h.passage.end) for h in result.hits]
        return self.focus.rank(question, result.query_tokens, spans)

    def sentence_similarity(self, result: RetrievalResult) -> dict[tuple[str, int, int], float]:
        """Each retrieved sentence's relative dense similarity to the question ({} without a vector)."""
        if result.query_vector is None or self.similarity is None or not self.dense_weight:
            return {}
        keys = list(dict.fromkeys((h.passage.doc, s, e) for h in result.hits for s, e in h.passage.sentences))
        scores = self.similarity.run(result.query_vector, [self.articles[d].text[s:e] for d, s, e in keys])
        return dict(zip(keys, scores.relative(), strict=True))

    def lead_date(self, question: str, result: RetrievalResult) -> DateCandidate | None:
        """For a "when" question, the date whose sentence fits it clearly best, if any."""
        if not asks_date(question):
            return None
        words = question_words(question, result.query_tokens)
        ranked = [c for h in result.hits for c in rank_dates(words, h.passage.doc, self.articles[h.passage.doc].text,
                                                              h.passage.sentences)]
        return lead_date(sorted(ranked, key=lambda c: -c.score))

    def lead_entity(self, question: str, result: RetrievalResult) -> SentenceCandidate | None:
        """For a "who / which city / which company" question, the sentence that fits it clearly best."""
        if not asks_entity(question):
            return None
        words = question_words(question, result.query_tokens)
        asked = with_provinces(entities_in(question))
        asked_days = days(question)

        def keep(sentence: str) -> bool:
            return holds_answer_type(question, sentence, asked)

        ranked, seen = [], set()
        for h in result.hits:
            for c in rank_sentences(words, h.passage.doc, self.articles[h.passage.doc].text, h.passage.sentences,
                                    asked_days, keep):
                if (c.doc, c.sentence) not in seen:  # overlapping passages share sentences
                    seen.add((c.doc, c.sentence))
                    ranked.append(c)
        return lead_sentence(sorted(ranked, key=lambda c: -c.score))
