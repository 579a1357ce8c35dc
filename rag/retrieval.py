"""Hybrid retrieval as a llama-index retriever: BM25 (CJK bigrams + cross-script bridge) fused with
dense e5 vectors by reciprocal-rank fusion. The rankings come from the store's search (rag/index/search.py:
in process over llama-index's FAISS store, or in PostgreSQL); fusion and quotas are the same for both."""
from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .embed import QueryEmbedder
from .index.search import LocalSearch, Search, scored_by_similarity
from .index.store import StoredIndex
from .ingest import lang as langid
from .text.bridge import AliasTable
from .text.dictionary import Dictionary, DictionaryError
from .text.tokenize import tokens
from .types import Hit, Passage

MODES = ("hybrid", "bm25", "dense")


def passage_node(p: Passage) -> TextNode:
    return TextNode(id_=p.id, text=p.text, metadata={"doc": p.doc, "title": p.title, "date": p.date,
                                                   "language": p.language, "start": p.start, "end": p.end})


def rrf(rankings: dict[str, list[int]], k: int, weights: dict[str, float] | None = None,
        tiebreak: list[int] | None = None) -> list[tuple[int, float, dict]]:
    """Reciprocal-rank fusion: score = sum of w / (k + rank). Returns (item, score, ranks) best first;
    equal scores in the order of `tiebreak` (items not in it after those in it), then by item."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int]] = {}
    for name, items in rankings.items():
        w = (weights or {}).get(name, 1.0)
        for r, item in enumerate(items, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + r)
            ranks.setdefault(item, {})[name] = r
    order = {item: n for n, item in enumerate(tiebreak or [])}
    return [(i, s, ranks[i]) for i, s in sorted(scores.items(),
                                                key=lambda x: (-round(x[1], 12), order.get(x[0], len(order)), x[0]))]


def language_quota(ranked: list, k: int, quota: int, language) -> list:
    """The first k of `ranked`, with at least `quota` items of every language that has them: the
    lowest-ranked items of languages above quota make room. A corpus may tell one story in Chinese
    and Korean with different figures, where same-language matches crowd out the other. (Limiting
    the quota to passages whose dense similarity is near the best one did not raise context recall
    on either fit set: eval/fit.py, 2026-12-01.)"""
    top = list(ranked[:k])
    if quota <= 0:
        return top
    counts: dict[str, int] = {}
    for item in top:
        counts[language(item)] = counts.get(language(item), 0) + 1
    for item in ranked[k:]:
        lang = language(item)
        if counts.get(lang, 0) >= quota:
            continue
        drop = next((j for j in range(len(top) - 1, -1, -1) if counts[language(top[j])] > quota), None)
        if drop is None:
            break
        counts[language(top.pop(drop))] -= 1
        top.append(item)
        counts[lang] = counts.get(lang, 0) + 1
    return top


@dataclass
class _Wording:
    """One wording of a question, searched: its rankings by name and their fusion weights (1 when
    absent), its tokens, its dense vector and its passages in dense order."""

    tokens: list[str]
    rankings: dict[str, list[int]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    vector: np.ndarray | None = None
    order: list[int] = field(default_factory=list)


@dataclass
class RetrievalResult:
    hits: list[Hit]
    seconds: float
    query_tokens: list[str]
    query_vector: np.ndarray | None = None  # the dense query vector, where the mode embeds the query
    # An English question's phrases and the corpus's Chinese words for them (the dictionary's)
    terms: list[tuple[str, list[str]]] = field(default_factory=list)


class HybridRetriever(BaseRetriever):
    def __init__(self, index: StoredIndex, embedder: QueryEmbedder, mode: str = "hybrid", top_k: int = 5,
                 candidates: int = 30, rrf_k: int = 5, bridge: bool = True, language_quota: int = 1,
                 search: Search | None = None, dictionary: Callable[[], Dictionary] | None = None,
                 dictionary_weight: float = 1.0, dictionary_senses: int = 3):
        """`dictionary` loads an English-Chinese dictionary (on the first English question): its
        words for the question's phrases, `dictionary_senses` a phrase at most, are the result's
        `terms`, and make one more keyword ranking, fused at `dictionary_weight` (0: none)."""
        super().__init__()
        if dictionary_weight < 0 or dictionary_senses < 1:
            raise ValueError("dictionary_weight must be >= 0 and dictionary_senses >= 1")
        if mode not in MODES:
            raise ValueError(f"retrieval mode must be one of {MODES}")
        self.passages = index.passages
        self.embedder = embedder
        self.mode, self.top_k, self.candidates, self.rrf_k, self.bridge = mode, top_k, candidates, rrf_k, bridge
        self.quota = language_quota
        self.aliases = AliasTable.load()
        self.aliases.groups.extend(set(g) for g in index.aliases)
        self.languages = sorted({p.language for p in self.passages})
        self._last: tuple[tuple[str, int, tuple[str, ...]], RetrievalResult] | None = None  # the latest search
        self.backend: Search = search or LocalSearch(index, bridge)
        self._load_dictionary = dictionary if {"zh", "ko"} & set(self.languages) else None
        self._dictionary: Dictionary | None = None
        self.dictionary_weight, self.dictionary_senses = dictionary_weight, dictionary_senses

    def query_tokens(self, query: str) -> list[str]:
        toks = tokens(query, bridge=self.bridge)
        if self.bridge:
            for form in self.aliases.expansions(query):
                toks.extend(tokens(form, bridge=True))
        return toks

    def dictionary_terms(self, query: str) -> list[tuple[str, list[str]]]:
        """An English question's phrases with the Chinese words the dictionary gives them, each
        phrase's first `dictionary_senses` that the corpus writes (all their bigrams in some
        passage); [] for other questions or without a dictionary."""
        if self._load_dictionary is None or self.mode == "dense" or langid.detect(query) != "en":
            return []
        if self._dictionary is None:
            try:
                self._dictionary = self._load_dictionary()
            except DictionaryError as e:  # a broken install answers as before, and says why once
                warnings.warn(f"English questions are retrieved without the dictionary: {e}", stacklevel=2)
                self._load_dictionary = None
                return []
        out: list[tuple[str, list[str]]] = []
        for match in self._dictionary.lookup(query):
            kept: list[str] = []
            for word in match.words:
                toks = tokens(word, bridge=self.bridge)
                shares = self.backend.shares(toks)
                if toks and all(shares.get(t, 0.0) > 0 for t in toks):
                    kept.append(word)
                    if len(kept) == self.dictionary_senses:
                        break
            if kept:
                out.append((match.phrase, kept))
        return out

    def term_shares(self, toks: list[str]) -> dict[str, float]:
        """The share of passages holding each token."""
        return self.backend.shares(toks)

    def search(self, query: str, top_k: int | None = None, also: Sequence[str] = ()) -> RetrievalResult:
        """The top passages for `query`; `also` are the same question in other words (a translation
        into the corpus's language), whose keyword and dense rankings join the fusion: across
        scripts the keyword half otherwise matches nothing but stray Latin words."""
        k = top_k or self.top_k
        key = (query, k, tuple(also))
        last = self._last
        if last is not None and last[0] == key:
            return last[1]  # the UI shows the evidence first, then answers the same question
        result = self._search(query, k, tuple(also))
        self._last = (key, result)
        return result

    def _rankings(self, query: str, name: str = "") -> _Wording:
        """One wording's rankings (keyword, dense), their weights, its tokens, vector and dense order."""
        w = _Wording(tokens=self.query_tokens(query))
        if self.mode in ("hybrid", "bm25"):
            w.rankings[f"bm25{name}"] = self.backend.keyword(w.tokens, self.candidates)
        if self.mode in ("hybrid", "dense") and self.passages:
            w.vector = self.embedder.embed_query(query)
            if len(self.languages) > 1 and langid.detect(query) not in self.languages:
                w.order = self._calibrated(w.vector)
                w.rankings[f"dense{name}"] = w.order[:self.candidates]
            else:
                # e5 strongly prefers passages in the query's own language; one ranking per corpus
                # language keeps the best Korean passages in play for a Chinese question and vice versa.
                depth = min(len(self.passages), self.candidates * max(1, len(self.languages)))
                w.order = [i for i, _ in self.backend.dense(w.vector, depth)]
                for lang in self.languages:
                    ranked = [i for i in w.order if self.passages[i].language == lang]
                    w.rankings[f"dense{name}-{lang}"] = ranked[:self.candidates]
                    if self.mode == "hybrid":  # together they weigh as one ranking would
                        w.weights[f"dense{name}-{lang}"] = 1.0 / len(self.languages)
        return w

    def _search(self, query: str, k: int, also: tuple[str, ...] = ()) -> RetrievalResult:
        t0 = time.perf_counter()
        asked = self._rankings(query)
        rankings, weights, qtoks = dict(asked.rankings), dict(asked.weights), list(asked.tokens)
        terms = self.dictionary_terms(query)
        looked_up = [t for _, words in terms for w in words for t in tokens(w, bridge=self.bridge)]
        if looked_up and self.dictionary_weight > 0:
            rankings["bm25~dict"] = self.backend.keyword(looked_up, self.candidates)
            weights["bm25~dict"] = self.dictionary_weight
        for n, words in enumerate(also, start=1):
            other = self._rankings(words, f"~{n}")
            rankings.update(other.rankings)
            weights.update(other.weights)
            qtoks += [t for t in other.tokens if t not in qtoks]
        # The per-language rankings tie at every rank: the best Korean and the best Chinese passage
        # score alike. Their similarity to the question decides (by the index's order, an English
        # question's first hit was the best Korean passage on every ext-dev question).
        fused = language_quota(rrf(rankings, self.rrf_k, weights or None, tiebreak=asked.order), k, self.quota,
                               lambda item: self.passages[item[0]].language)
        hits = [Hit(self.passages[i], s, r) for i, s, r in fused]
        # The asker's own vector: relevance thresholds were fitted on it.
        return RetrievalResult(hits, time.perf_counter() - t0, qtoks, asked.vector, terms)

    def _calibrated(self, vector: np.ndarray) -> list[int]:
        """Passages by e5 cosine less their language's median over its best `candidates`, for a
        question in none of the corpus languages. Such a question has no language of its own to
        prefer, yet e5 leans to one corpus language over another (English to Korean on the seeds by
        ~0.02), and the per-language rankings would give the best passage of a language telling
        other stories the same place as the answer's: on ext-dev's English questions, the first hit
        was an unrelated Korean passage for 1 in 4. Twice the depth so each language's best are in it."""
        depth = min(len(self.passages), 2 * self.candidates * len(self.languages))
        scored = self.backend.dense(vector, depth)
        by_lang: dict[str, list[float]] = {}
        for i, s in scored:  # best first, so each language's first `candidates` are its best
            by_lang.setdefault(self.passages[i].language, []).append(s)
        base = {lang: float(np.median(ss[:self.candidates])) for lang, ss in by_lang.items()}
        return [i for i, _ in scored_by_similarity([(i, s - base[self.passages[i].language]) for i, s in scored],
                                                   len(scored))]

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [NodeWithScore(node=passage_node(h.passage), score=h.score)
                for h in self.search(query_bundle.query_str).hits]
