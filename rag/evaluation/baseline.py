"""The baseline: what plain llama-index gives with the same models, for the report to beat."""
from __future__ import annotations

import re
import time

from llama_index.core import Document, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from pydantic import PrivateAttr

from ..types import Answer, Article, Citation, Timings

# The default prompt has no "not found" convention; these are how the model says it.
_ABSTAIN = re.compile(r"not (?:mentioned|provided|available|specified|found)|does not (?:contain|provide|mention)|"
                      r"no information|没有|未提及|未提供|없습니다|없다|언급되지", re.I)


class _Embedding(BaseEmbedding):
    _embedder = PrivateAttr()

    def __init__(self, embedder, **kw):
        super().__init__(model_name="e5-small", **kw)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_passages(texts).tolist()


class _LLM(CustomLLM):
    _chat = PrivateAttr()
    _max_tokens: int = PrivateAttr()
    _last = PrivateAttr(default=None)

    def __init__(self, chat_model, max_tokens: int, **kw):
        super().__init__(**kw)
        self._chat, self._max_tokens = chat_model, max_tokens

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=4096, num_output=self._max_tokens, model_name=self._chat.name)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponse:
        self._last = self._chat.chat([{"role": "user", "content": prompt}], self._max_tokens)
        return CompletionResponse(text=self._last.text)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kw) -> CompletionResponseGen:
        yield self.complete(prompt)


class LlamaIndexBaseline:
    def __init__(self, articles: dict[str, Article], embedder, chat_model, max_tokens: int):
        self.articles = articles
        self.llm = _LLM(chat_model, max_tokens)
        docs = [Document(text=a.text, metadata={"doc": a.doc, "title": a.title, "date": a.date})
                for a in articles.values()]
        self.index = VectorStoreIndex.from_documents(docs, embed_model=_Embedding(embedder))
        self.engine = self.index.as_query_engine(llm=self.llm)

    def ask(self, question: str, language: str | None = None) -> Answer:
        t0 = time.perf_counter()
        resp = self.engine.query(question)
        text = str(resp).strip()
        cites = []
        for i, n in enumerate(resp.source_nodes, 1):
            doc = n.node.metadata.get("doc", "")
            a = self.articles.get(doc)
            # llama-index types source nodes as BaseNode; the ones built here are TextNodes, which have offsets
            s, e = n.node.start_char_idx or 0, n.node.end_char_idx or 0  # type: ignore[attr-defined]
            cites.append(Citation(i, doc, a.title if a else "", a.date if a else "", n.node.node_id, s, e,
                                  n.node.get_content()))
        gen = self.llm._last
        t = Timings(total_s=time.perf_counter() - t0)
        if gen is not None:
            t.add(gen)
        abstained = not text or bool(_ABSTAIN.search(text))
        return Answer(question, text, language or "", abstained, cites, t, "llamaindex-default:" + self.llm._chat.name,
                      abstain_reason="not_found" if abstained else "")
