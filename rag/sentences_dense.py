"""Dense similarity of a question to single sentences, for choosing what the prompt shows.

Context selection used to rank sentences by shared words alone. An English question shares no words
with a Chinese or Korean sentence, so its passages were cut to their first and number-bearing
sentences, and the answer sentence was in the prompt for 30% of English questions on Chinese
documents (eval/fit.py, ext-dev). The same e5 model that ranks passages scores their sentences
across scripts. Vectors are kept by the sentence's content hash, so a sentence is embedded once
per process however many questions show it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from .embed import Embedder


@dataclass
class SentenceScores:
    """Cosine similarity of the question to each sentence, in the order given."""

    scores: list[float] = field(default_factory=list)

    def relative(self) -> list[float]:
        """Each score as a share of the way from the median to the best (0 at or below the median):
        e5 cosines sit in a narrow band, so only their order within one question means much."""
        if not self.scores:
            return []
        arr = np.asarray(self.scores)
        mid, top = float(np.median(arr)), float(arr.max())
        if top - mid <= 1e-9:
            return [0.0] * len(self.scores)
        return [max(0.0, (s - mid) / (top - mid)) for s in self.scores]


class SentenceSimilarity:
    def __init__(self, embedder: Embedder, max_cached: int = 200_000):
        if max_cached < 1:
            raise ValueError("max_cached must be at least 1")
        self.embedder = embedder
        self.max_cached = max_cached
        self._vectors: dict[bytes, np.ndarray] = {}

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def run(self, query_vector: np.ndarray, sentences: list[str]) -> SentenceScores:
        keys = [hashlib.blake2b(s.encode("utf-8"), digest_size=16).digest() for s in sentences]
        todo = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if todo:
            text_of = {k: s for k, s in zip(keys, sentences, strict=True)}
            vecs = self.embedder.embed_passages([text_of[k] for k in todo])
            if len(self._vectors) + len(todo) > self.max_cached:
                self._vectors.clear()  # a bound, not an LRU: a full cache only costs re-embedding
            self._vectors.update(zip(todo, vecs, strict=True))
        q = np.asarray(query_vector, dtype=np.float32)
        return SentenceScores([float(self._vectors[k] @ q) for k in keys])
