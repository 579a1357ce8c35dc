"""Okapi BM25 over the CJK-aware tokens, as one sparse matrix product per query."""
from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse

K1, B = 1.2, 0.75  # Okapi's usual values; the Postgres store keeps these very weights


class BM25:
    def __init__(self, docs_tokens: Iterable[list[str]], k1: float = K1, b: float = B):
        """`docs_tokens` is read once (a generator keeps one document's tokens in memory at a time);
        the matrix is gathered in typed arrays, 12 bytes a posting: a million passages hold about
        160 million."""
        vocab: dict[str, int] = {}
        rows, cols, vals, lens = array("i"), array("i"), array("f"), array("f")
        for i, toks in enumerate(docs_tokens):
            lens.append(len(toks))
            counts = Counter(toks)
            rows.extend([i] * len(counts))
            cols.extend([vocab.setdefault(t, len(vocab)) for t in counts])
            vals.extend(counts.values())
        lengths = np.frombuffer(lens, dtype=np.float32) if lens else np.zeros(0, np.float32)
        n = len(lengths)
        r, c = np.frombuffer(rows, dtype=np.int32), np.frombuffer(cols, dtype=np.int32)
        tf = sparse.csr_matrix((np.frombuffer(vals, dtype=np.float32), (r, c)), shape=(n, max(1, len(vocab))))
        df = np.bincount(c, minlength=tf.shape[1]).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if n else 1.0
        # Precompute the BM25 weight of each (doc, term) so a query is a column sum.
        tf = tf.tocoo()
        denom = tf.data + k1 * (1 - b + b * lengths[tf.row] / max(avgdl, 1e-9))
        w = idf[tf.col] * tf.data * (k1 + 1) / denom
        self.weights = sparse.csc_matrix((w.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        self.vocab = vocab
        self.n = n

    def shares(self, toks: list[str]) -> dict[str, float]:
        """The share of passages holding each token (0 for one the corpus never uses)."""
        ptr = self.weights.indptr
        return {t: float(ptr[self.vocab[t] + 1] - ptr[self.vocab[t]]) / self.n if t in self.vocab and self.n else 0.0
                for t in toks}

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        q = Counter(t for t in query_tokens if t in self.vocab)
        if not q or not self.n:
            return np.zeros(self.n, dtype=np.float32)
        cols = [self.vocab[t] for t in q]
        counts = np.asarray([q[t] for t in q], dtype=np.float32)
        # Repeated query terms count, but sub-linearly.
        return np.asarray(self.weights[:, cols] @ np.sqrt(counts)).ravel()

    def top(self, query_tokens: list[str], k: int) -> list[tuple[int, float]]:
        return top_scores(self.scores(query_tokens), k)


def top_scores(s: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best positive (position, score) pairs, best first."""
    if not len(s) or k <= 0:
        return []
    k = min(k, len(s))
    idx = np.argpartition(-s, k - 1)[:k]
    idx = idx[np.argsort(-s[idx])]
    return [(int(i), float(s[i])) for i in idx if s[i] > 0]
