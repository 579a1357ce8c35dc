"""Any OpenAI-compatible server (vLLM, llama.cpp server, Ollama) through llama-index's OpenAILike."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import BackendError
from .base import Generation, OnToken

if TYPE_CHECKING:
    from llama_index.llms.openai_like import OpenAILike


class OpenAICompatible:
    def __init__(self, url: str, model: str, api_key: str = "not-needed", temperature: float = 0.0,
                 timeout: float = 600.0):
        if not url:
            raise BackendError("the openai backend needs a server URL: --llm-url or RAG_LLM_URL, "
                               "e.g. http://127.0.0.1:8080/v1")
        self.url, self.model = url.rstrip("/"), model
        self.name = f"{model}@{self.url}"
        self.api_key, self.temperature, self.timeout = api_key, temperature, timeout
        self._llm: OpenAILike | None = None  # made by warm_up()

    def warm_up(self) -> None:
        if self._llm is not None:
            return
        from llama_index.llms.openai_like import OpenAILike

        self._llm = OpenAILike(model=self.model, api_base=self.url, api_key=self.api_key,
                               is_chat_model=True, temperature=self.temperature, timeout=self.timeout,
                               max_retries=1, context_window=8192)

    def chat(self, messages: list[dict], max_tokens: int, on_token: OnToken | None = None) -> Generation:
        from llama_index.core.llms import ChatMessage

        self.warm_up()
        assert self._llm is not None, "warm_up() makes it"
        msgs = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        t0 = time.perf_counter()
        first = None
        text = ""
        raw: Any = None  # the server's last chunk, as the client hands it over
        try:
            for resp in self._llm.stream_chat(msgs, max_tokens=max_tokens):
                if resp.delta:
                    if first is None:
                        first = time.perf_counter()
                    text += resp.delta
                    if on_token:
                        on_token(resp.delta)
                raw = resp.raw
        except Exception as e:
            raise BackendError(f"OpenAI-compatible server at {self.url} failed: {e}") from e
        end = time.perf_counter()
        gen = Generation(text=text, prefill_s=(first or end) - t0, generate_s=end - (first or end))
        # llama.cpp's server reports its own timings and usage in the last chunk.
        raw = raw if isinstance(raw, dict) else (raw.model_dump() if hasattr(raw, "model_dump") else {})
        timings, usage = raw.get("timings") or {}, raw.get("usage") or {}
        if timings:
            gen.prefill_s = timings.get("prompt_ms", 0.0) / 1000
            gen.generate_s = timings.get("predicted_ms", 0.0) / 1000
            gen.cached_tokens = int(timings.get("cache_n", 0))
        gen.prompt_tokens = int(usage.get("prompt_tokens") or timings.get("prompt_n", 0) + gen.cached_tokens)
        gen.completion_tokens = int(usage.get("completion_tokens") or timings.get("predicted_n", 0))
        return gen
