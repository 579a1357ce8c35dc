"""Named configurations the eval compares side by side."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EvalConfig:
    name: str
    overrides: dict = field(default_factory=dict)  # Config fields
    answers: bool = True  # False: retrieval metrics only (no model call)
    baseline: bool = False  # plain llama-index VectorStoreIndex + default query engine
    description: str = ""


CONFIGS = {c.name: c for c in [
    EvalConfig("hybrid-1.5b", {}, True, False, "BM25 + e5 (RRF), cross-script bridge, Qwen2.5-1.5B"),
    EvalConfig("hybrid-0.5b", {"llm_model": "qwen2.5-coder-0.5b"}, True, False, "as above with Qwen2.5-0.5B"),
    EvalConfig("bm25", {"retrieval_mode": "bm25"}, False, False, "BM25 over CJK bigrams + bridge, retrieval only"),
    EvalConfig("dense", {"retrieval_mode": "dense"}, False, False, "e5 in FAISS only, retrieval only"),
    EvalConfig("hybrid-no-bridge", {"bridge": False}, False, False, "hybrid without the zh↔ko bridge"),
    EvalConfig("hybrid", {}, False, False, "hybrid retrieval only"),
    EvalConfig("llamaindex-default-1.5b", {}, True, True,
               "llama-index defaults: VectorStoreIndex (SentenceSplitter 1024), default query engine (top-2), "
               "same e5 and Qwen2.5-1.5B"),
]}
# The plain llama-index anchor runs in every default report, so the margin over it is always a number.
DEFAULT = ["hybrid-1.5b", "llamaindex-default-1.5b", "bm25", "dense"]
