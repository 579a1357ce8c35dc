"""Wiring: build every component from one Config, load heavy models in warm_up(), never at import."""
from __future__ import annotations

import time

from .answering.answerer import Answerer
from .config import Config
from .embed import Embedder, make_embedder
from .figures.conflicts import find_conflicts
from .index.store import StoredIndex
from .index.stores import open_store
from .llm.base import ChatModel, OnToken
from .llm.factory import make_llm
from .prompts import Prompts
from .retrieval import HybridRetriever
from .sentences_dense import SentenceSimilarity
from .text import dictionary
from .types import Answer


class Pipeline:
    def __init__(self, config: Config, embedder: Embedder | None = None, llm: ChatModel | None = None):
        self.config = config
        self.embedder = embedder or make_embedder(config)
        self._llm = llm
        self.index: StoredIndex | None = None  # these three are set by warm_up()
        self.retriever: HybridRetriever | None = None
        self.answerer: Answerer | None = None
        self.conflicts: list = []
        self.load_s: dict[str, float] = {}
        self.version: str | None = None  # of the index loaded, as the store names it

    @property
    def llm(self) -> ChatModel:
        if self._llm is None:
            self._llm = make_llm(self.config)
        return self._llm

    def warm_up(self, llm: bool = True) -> Pipeline:
        t = time.perf_counter()
        store = open_store(self.config)
        self.version = store.current()  # before loading: a write in between only causes one more reload
        self.index = store.load(vectors=store.local)
        self.load_s["index"] = time.perf_counter() - t
        t = time.perf_counter()
        self.embedder.warm_up()
        self.load_s["embedder"] = time.perf_counter() - t
        c = self.config
        self.retriever = HybridRetriever(self.index, self.embedder, c.retrieval_mode, c.top_k, c.candidates,
                                         c.rrf_k, c.bridge, c.language_quota, store.search(self.index, c.bridge),
                                         dictionary.load if c.dictionary_weight > 0 or c.dictionary_terms > 0
                                         else None,
                                         c.dictionary_weight, c.dictionary_senses)
        if llm:
            t = time.perf_counter()
            self.llm.warm_up()
            self.load_s["llm"] = time.perf_counter() - t
        self.conflicts = find_conflicts(self.index.figures, self.config.conflict_measure_min)
        self.answerer = Answerer(c, self.retriever, self.llm, self.index.articles, Prompts(c.prompts_dir),
                                 self.index.passages, self.index.figures, self.conflicts,
                                 SentenceSimilarity(self.embedder))
        return self

    def refresh(self) -> bool:
        """Reload the index if another process replaced it (a `rag index` from cron, another UI
        worker on the same database); the models stay loaded. True when it reloaded."""
        if self.answerer is None or open_store(self.config).current() == self.version:
            return False
        self.warm_up(llm=False)
        return True

    def briefer(self, config: Config | None = None):
        """A briefer over the warm index and models; `config` may differ in where notes are cached."""
        from .brief import Briefer
        from .brief.support import NoteSupport

        if self.answerer is None:
            self.warm_up()
        assert self.index is not None and self.retriever is not None and self.answerer is not None, \
            "warm_up() sets them"
        config = config or self.config
        # The sentence vectors are the answerer's: a passage embedded for one is embedded for both.
        support = (NoteSupport(self.embedder, config.brief_support_min, self.answerer.similarity)
                   if config.brief_support_min > -1 else None)
        return Briefer(config, self.retriever, self.llm, self.index.articles, self.index.passages,
                       self.index.figures, self.conflicts, Prompts(config.prompts_dir), support)

    def ask(self, question: str, language: str | None = None, on_token: OnToken | None = None) -> Answer:
        if self.answerer is None:
            self.warm_up()
        assert self.answerer is not None, "warm_up() sets it"
        return self.answerer.run(question, language, on_token)
