"""One configuration object: defaults, overridden by RAG_* environment variables, then by CLI flags."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, cast

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _default_home() -> Path:
    return Path(os.environ.get("RAG_HOME", PROJECT_ROOT))


@dataclass
class Config:
    home: Path = field(default_factory=_default_home)
    # The three folders below default to None, which __post_init__ replaces with a folder under
    # `home`: after construction they are always a Path (the cast only tells the type checker so).
    # Where assembled model files live; defaults to {home}/models.
    models_dir: Path = field(default=cast(Path, None))
    # Where the persisted index lives; defaults to {home}/data/index.
    index_dir: Path = field(default=cast(Path, None))
    corpus_dir: Path = field(default=cast(Path, None))  # defaults to {home}/seeds
    # Where the index lives: "" = the local folder index_dir; a postgresql://user@host/db URL = PostgreSQL
    # with pgvector, shared by every process and machine that points at it.
    store: str = ""
    # pgvector's HNSW search width: recall against latency. At 100k synthetic passages, 100 / 200 / 400
    # gave the exact top 5 for 89 / 98 / 101 of 102 questions at 13 / 19 / 34 ms p95
    # (eval/results/bench-store.md); at 1M, 100 keeps hybrid p95 under 0.2 s.
    pg_ef_search: int = 100
    prompts_dir: Path = PROJECT_ROOT / "prompts"

    # LLM: "local" (embedded llama.cpp), "openai" (any OpenAI-compatible server) or "fake" (tests).
    llm_backend: str = "local"
    fake_delay_s: float = 0.0  # how long the fake model takes per reply: tests of the UI's queue
    # A registry model name (see rag/assets/registry.py) or a path to any GGUF file.
    llm_model: str = "qwen2.5-coder-1.5b"
    llm_url: str = ""  # e.g. http://127.0.0.1:8080/v1 for the openai backend
    llm_api_key: str = "not-needed"
    llm_remote_model: str = "default"
    n_ctx: int = 4096
    threads: int = 2
    max_tokens: int = 160
    temperature: float = 0.0
    seed: int = 7

    # Embeddings: "e5" (multilingual-e5-small, converted at setup) or "fake" (tests).
    embed_backend: str = "e5"
    embed_batch: int = 16

    # Chunking, in characters: CJK text is ~1 token per character for the embedder.
    chunk_chars: int = 280
    chunk_min_chars: int = 80
    chunk_overlap_sentences: int = 1

    # Retrieval and prompt budget.
    top_k: int = 5
    candidates: int = 30
    # A small RRF k lets one ranking's top hit stand (a BM25 rank 1 that dense misses across
    # scripts); k=60 buried those at rank 18-25. Swept on the eval set: eval/results/eval.md.
    rrf_k: int = 5
    # Of top_k, at least this many per corpus language where they exist. Fitted by eval/fit.py on
    # context recall: 1 beat 2 (the old value) and 0 on seeds-dev + ext-dev-fit alike.
    language_quota: int = 1
    # An English question over Chinese or Korean passages gets one more keyword ranking: the
    # CC-CEDICT words for its phrases (rag/text/dictionary.py), dictionary_senses a phrase, fused
    # at dictionary_weight (0 = off). Swept on ext-dev's 58 English questions (weights 0.5-2,
    # senses 2-8): 1 and 3 (or 2) ranked the gold article first for 42, from 37; in the top 5 for
    # 56, from 54. On seeds-dev's 19 English questions first 16 -> 14, top 5 18 -> 18.
    dictionary_weight: float = 1.0
    dictionary_senses: int = 3
    # The prompt names up to this many of those phrases with the word the shown passages use for
    # them ("divisor = 约数"; rag/answering/answerer.py); 0 = none.
    dictionary_terms: int = 4
    retrieval_mode: str = "hybrid"  # hybrid | bm25 | dense
    bridge: bool = True  # cross-script Chinese <-> Korean name bridge
    # How much a sentence's dense similarity to the question (0..1 within the question) adds to
    # its word overlap when choosing the prompt's sentences. Fitted by eval/fit.py (3 and 5 tied).
    sentence_dense_weight: float = 4.0
    # A retrieved passage is shown only if one of its sentences reaches this relative similarity
    # (0 at the median sentence, 1 at the best) or holds a fitting figure; the first never drops.
    # Fitted by eval/fit.py on context recall (eval/results/fit.md, grid 3): 0.6 best, 14% fewer tokens.
    context_passage_min: float = 0.6
    # An answer is "high" confidence only if a cited sentence's e5 cosine to the question reaches
    # this. Refitted by eval/fit_confidence.py on ext-dev's fit half of the ff099bb run
    # (eval/results/fit.md): held half 85.7% right above, 33.3% below; seeds-test 85.7% / 60.0%.
    relevance_min: float = 0.77
    # Below this, the answer abstains as "off_question". eval/fit_confidence.py found no threshold
    # that gains on ext-dev's fit half (answers to unanswerable questions cite sentences as like the
    # question as right answers do), so it is off (-1).
    relevance_abstain: float = -1.0
    # A question in another language than its passages that the model found nothing for is
    # translated into theirs by the model, retrieved and drafted again (rag/answering/translate.py);
    # an unmarked answer sentence sharing no words with the passages is cited by e5 similarity
    # (reaching relevance_min). Both off: on the 20 ext-dev questions that abstained wrongly, together
    # they answered 12 of them, only 2 right and cited, and 1 of 5 unanswerable ones (README).
    translate_retry: bool = False
    # A question none of whose shown passages is in its language is put into theirs by the model
    # before drafting (one short generation, cached); both wordings are retrieved with and fused and
    # the prompt shows both. Off: on ext-dev's 63 English questions (2026-12-03, README) it raised
    # the gold passage at rank 1 from 36 to 47 of 57, but R@5 fell 53 -> 50, answers both runs gave
    # were no better (2 wrong -> right, 4 right -> wrong) and the mean time rose 10.3 -> 16.8 s.
    # Worth trying with a larger model, which translates names more faithfully.
    translate_query: bool = False
    # An answer the model gave without a marker: it is asked which shown passage says it (one
    # short follow-up over the cached prompt) instead of abstaining as uncited.
    ask_source: bool = True
    # An answer citing a passage in another language: the model lists the names it translated, and
    # each whose source words a cited passage holds gets them in brackets (rag/answering/gloss.py).
    # Off: on 12 seed dev questions at 7d4e892 the 1.5B model answered the follow-up "NONE" every
    # time, at about 2.2 s of prefill per answer (of a 22 s median); on ext-dev at c2faea7 2 of 155
    # answers not drafted in their passages' language carried a bracketed name at all.
    gloss_names: bool = False
    dense_attribution: bool = False
    # Citing by shared words and figures (rag/answering/citer.py): an unmarked sentence is cited to
    # a block sharing at least attribute_min (3 per figure, 1 per word); a marked one is re-cited
    # to a shown block sharing remark_ratio times more than the one it names. Both set by hand:
    # the re-citing rule is unmeasured on its own (README, "How it works").
    attribute_min: int = 3
    remark_ratio: float = 3.0
    # A date the answer took from one source sentence for a claim another makes is rewritten from
    # the sentence sharing date_claim_margin more of the claim's words (date_claim_min in all)
    # (rag/figures/date_check.py). Set by hand, checked offline on a full ext-dev run's answers.
    date_claim_margin: int = 2
    date_claim_min: int = 3
    # A question none of whose shown passages is in its language is answered in theirs, then each
    # sentence translated with the source's words kept in brackets (rag/answering/answerer.py). On
    # ext-dev's 63 English questions (all on Chinese passages): see README, "How it works".
    pivot_answers: bool = True
    # An answer to a Chinese or Korean question whose cited articles (in its language) miss more
    # than this share of the question's distinctive words (used by at most grounding_share_max of
    # the passages) abstains as "ungrounded" (rag/answering/grounding.py); 1 turns it off.
    grounding_missing_max: float = 0.5
    grounding_share_max: float = 0.05
    # Two figures from different sources conflict only when the nouns naming what they measure
    # (rag/figures/measure.py) reach this weighted similarity, besides unit, kind and scope. Set high
    # by hand, not fitted: no labelled conflict pairs exist outside the seeds, and a false conflict
    # misleads more than a missed one.
    conflict_measure_min: float = 0.5
    context_tokens: int = 340  # ~500-token prompts: prefill at ~20 tok/s is the latency
    max_question_chars: int = 2000

    language: str = ""  # answer language: "" = the question's own

    # Ingest. A web page is an article only with a paragraph of this many letters and this much text
    # in all (a home page's headline list or a 404 page has neither); CJK letters count three.
    page_min_paragraph: int = 80
    page_min_text: int = 150
    # Fetching happens only for a URL the user gives; offline (RAG_OFFLINE=1) refuses even that.
    offline: bool = False
    fetch_timeout_s: float = 20.0
    fetch_max_bytes: int = 8 * 1024 * 1024
    currency: str = ""  # "yuan" or "won": what 원 means in the sources being indexed; "" = decide per article

    # Web UI beyond loopback: sign-in from "user:password[,…]" or a file of such lines; no default password.
    ui_auth: str = ""
    ui_auth_file: str = ""

    # Briefings: map over at most brief_passages passages (one prompt each), then one short overview.
    brief_passages: int = 8
    brief_candidates: int = 16
    brief_per_doc: int = 3
    brief_note_tokens: int = 60
    # The overview is the brief_overview_notes checked notes holding the table's leading figures
    # (rag/brief/briefer.py), not a model's reduce step: over the 30 briefing checks at 0b60b7e the
    # 1.5B model copied a note in 51 of its 78 overview sentences, restated a note's figure under a
    # claim no passage makes in most of the rest, and took 20-35 s of a cached briefing's 29-45 s.
    # brief_overview_model (RAG_BRIEF_OVERVIEW_MODEL=1) writes it with the model, for a larger one.
    brief_overview_model: bool = False
    brief_overview_notes: int = 3
    brief_overview_tokens: int = 160
    brief_figures: int = 15
    # A topic that names no place is scoped by its distinctive words (used by at most
    # brief_scope_share_max of the passages): a passage enters only when it and its article's title
    # hold brief_scope_min of them (rag/brief/scope.py; fitted by eval/fit.py --brief-scope).
    brief_scope_share_max: float = 0.1
    brief_scope_min: float = 0.5
    # A model's note is kept only if its e5 cosine to one of its passage's sentences reaches this
    # (rag/brief/support.py; fitted by eval/fit.py --note-support); -1 turns the check off.
    brief_support_min: float = -1.0

    def __post_init__(self) -> None:
        self.home = Path(self.home)
        self.models_dir = Path(self.models_dir) if self.models_dir else self.home / "models"
        self.index_dir = Path(self.index_dir) if self.index_dir else self.home / "data" / "index"
        self.corpus_dir = Path(self.corpus_dir) if self.corpus_dir else self.home / "seeds"
        self.prompts_dir = Path(self.prompts_dir)

    @property
    def cache_dir(self) -> Path:
        return self.home / "data" / "cache"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Config:
        """Defaults < RAG_<FIELD> environment variables < explicit overrides (None means 'not given')."""
        source: Mapping[str, str] = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = source.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(f: dataclasses.Field, raw: str):
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if "bool" in kind:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if "Path" in kind:
        return Path(raw)
    return raw
