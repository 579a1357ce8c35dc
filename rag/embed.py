"""Embedders: the converted multilingual-e5-small through sentence-transformers, and a fake for tests.

Both expose `id` (changes when the model changes, which forces a re-embed), `dim`, `warm_up()`,
`embed_passages()` and `embed_query()`, returning L2-normalised float32 rows.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

import numpy as np

from .errors import ModelMissing

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class QueryEmbedder(Protocol):
    """All that retrieval needs: a vector for the query."""

    def embed_query(self, text: str) -> np.ndarray: ...


class Embedder(Protocol):
    id: str
    dim: int

    def warm_up(self) -> None: ...

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    def __init__(self, model_dir: Path, batch_size: int = 16, threads: int = 2):
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.threads = threads
        self._model: SentenceTransformer | None = None  # loaded by warm_up()
        weights = self.model_dir / "model.safetensors"
        if not weights.exists():
            raise ModelMissing(f"embedding model not found in {self.model_dir}. Run `rag setup`.")
        st = weights.stat()
        self.id = f"{self.model_dir.name}:{st.st_size}"
        self.dim = 384

    def warm_up(self) -> None:
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        torch.set_num_threads(self.threads)
        self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        # sentence-transformers types the dimension `int | None` (None for a model without one); e5 has one
        self.dim = cast(int, (getattr(self._model, "get_embedding_dimension", None)
                              or self._model.get_sentence_embedding_dimension)())

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.warm_up()
        assert self._model is not None, "warm_up() loads it"
        v = self._model.encode(texts, prompt_name="passage", batch_size=self.batch_size,
                               normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True)
        return np.asarray(v, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        assert self._model is not None, "warm_up() loads it"
        v = self._model.encode([text], prompt_name="query", normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(v, dtype=np.float32)[0]


class FakeEmbedder:
    """Deterministic bag-of-token hashing: similar texts get similar vectors, no model needed."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.id = f"fake-hash-{dim}"
        self.calls = 0  # texts embedded, so tests can see what was re-embedded

    def warm_up(self) -> None:
        pass

    def _vec(self, text: str) -> np.ndarray:
        from .text.tokenize import tokens

        v = np.zeros(self.dim, dtype=np.float32)
        for t in tokens(text, bridge=True):
            h = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.calls += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def make_embedder(config) -> Embedder:
    if config.embed_backend == "fake":
        return FakeEmbedder()
    if config.embed_backend == "e5":
        from .assets.registry import E5_MODEL_DIR

        return SentenceTransformerEmbedder(config.models_dir / E5_MODEL_DIR, config.embed_batch, config.threads)
    raise ValueError(f"unknown embed_backend {config.embed_backend!r}: use e5 or fake")
