"""The two rankings hybrid retrieval fuses, over passage numbers (positions in StoredIndex.passages):
in process here (BM25 on sparse matrices, llama-index's FAISS store), in the database for the
Postgres store (rag/index/postgres.py). Both give the same rankings on the same index."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from ..text.tokenize import tokens
from .bm25 import BM25
from .store import StoredIndex


class Search(Protocol):
    def keyword(self, toks: list[str], n: int) -> list[int]: ...

    def dense(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]: ...

    def shares(self, toks: list[str]) -> dict[str, float]: ...


def faiss_store(vectors: np.ndarray, dim: int):
    """llama-index's FAISS vector store over an exact inner-product index (vectors are normalised)."""
    import faiss
    from llama_index.vector_stores.faiss import FaissVectorStore

    index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return FaissVectorStore(faiss_index=index)


class LocalSearch:
    def __init__(self, index: StoredIndex, bridge: bool = True):
        self.bm25 = BM25(tokens(p.text, bridge=bridge) for p in index.passages)
        dim = index.vectors.shape[1] if index.vectors.ndim == 2 else 1
        self.vector_store = faiss_store(index.vectors, dim)

    def keyword(self, toks: list[str], n: int) -> list[int]:
        return by_similarity(self.bm25.top(toks, n + TIE_MARGIN), n)

    def shares(self, toks: list[str]) -> dict[str, float]:
        return self.bm25.shares(toks)

    def dense(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        # Here, not at the top: the Postgres store and the CLI's index-only commands import this
        # module and need none of llama-index (1.5 s to import).
        from llama_index.core.vector_stores.types import VectorStoreQuery

        res = self.vector_store.query(VectorStoreQuery(query_embedding=vector.tolist(),
                                                       similarity_top_k=n + TIE_MARGIN))
        found = [(int(i), float(s)) for i, s in zip(res.ids or [], res.similarities or [], strict=False)
                 if int(i) >= 0]
        return scored_by_similarity(found, n)


TIE_MARGIN = 10  # extra neighbours fetched so equal scores at the cut are ordered like every store's


def scored_by_similarity(found: list[tuple[int, float]], n: int) -> list[tuple[int, float]]:
    """(passage number, score) by score, best first, ties (to 1e-5: engines sum floats in different
    orders) by number, so every store ranks alike."""
    return sorted(found, key=lambda x: (-round(x[1], 5), x[0]))[:n]


def by_similarity(found: list[tuple[int, float]], n: int) -> list[int]:
    """Passage numbers by score, best first (ties as scored_by_similarity orders them)."""
    return [i for i, _ in scored_by_similarity(found, n)]
