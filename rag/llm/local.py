"""A GGUF model run in-process by llama.cpp (xllamacpp), with the model's own chat template."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BackendError
from .base import Generation, OnToken

if TYPE_CHECKING:
    import xllamacpp


def server_params(model_path: Path, n_ctx: int, threads: int, port: int = 0, seed: int = 7):
    import xllamacpp as xlc

    p = xlc.CommonParams()
    p.model.path = str(model_path)
    p.n_ctx = n_ctx
    p.n_parallel = 1
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.verbosity = -1
    p.sampling.seed = seed
    p.hostnames = ["127.0.0.1"]  # never listen beyond loopback
    if port:
        p.port = port
    return p


class LocalLlama:
    def __init__(self, model_path: Path, name: str, n_ctx: int = 4096, threads: int = 2,
                 temperature: float = 0.0, seed: int = 7, verify=None, cache_prompt: bool = True):
        self.model_path = Path(model_path)
        self.name = name
        self.n_ctx, self.threads, self.temperature, self.seed = n_ctx, threads, temperature, seed
        self._verify = verify
        self.cache_prompt = cache_prompt  # reuse the KV cache of a shared prompt prefix (the system prompt)
        self._server: xllamacpp.Server | None = None  # started by warm_up()
        self._lock = threading.Lock()  # one slot: requests take turns
        self.load_s = 0.0

    def warm_up(self) -> None:
        if self._server is not None:
            return
        if self._verify:
            self._verify()
        import xllamacpp as xlc

        t0 = time.perf_counter()
        try:
            self._server = xlc.Server(server_params(self.model_path, self.n_ctx, self.threads, seed=self.seed))
        except Exception as e:  # the binding raises plain RuntimeErrors
            raise BackendError(f"llama.cpp could not load {self.model_path.name}: {e}") from e
        self.load_s = time.perf_counter() - t0

    def raw_completion(self, request: dict) -> float:
        """One request straight to llama.cpp, no wrapper work: the benchmark's baseline. Returns seconds."""
        self.warm_up()
        assert self._server is not None, "warm_up() starts it"
        t0 = time.perf_counter()
        with self._lock:
            self._server.handle_chat_completions(request, lambda chunk: None)
        return time.perf_counter() - t0

    def chat(self, messages: list[dict], max_tokens: int, on_token: OnToken | None = None) -> Generation:
        self.warm_up()
        assert self._server is not None, "warm_up() starts it"
        req = {"messages": messages, "max_tokens": max_tokens, "temperature": self.temperature,
               "seed": self.seed, "stream": True, "cache_prompt": self.cache_prompt}
        parts: list[str] = []
        final: dict = {}
        errors: list[str] = []

        def on_chunk(chunk):
            if isinstance(chunk, (str, bytes)):
                chunk = json.loads(chunk)
            if "error" in chunk:
                errors.append(str(chunk["error"]))
                return
            for choice in chunk.get("choices", []):
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    parts.append(piece)
                    if on_token:
                        on_token(piece)
                if choice.get("finish_reason"):
                    final["finish_reason"] = choice["finish_reason"]
            if "timings" in chunk:
                final["timings"] = chunk["timings"]

        with self._lock:
            self._server.handle_chat_completions(req, on_chunk)
        if errors:
            raise BackendError(f"llama.cpp: {errors[0]}")
        t = final.get("timings", {})
        return Generation(
            text="".join(parts), prompt_tokens=int(t.get("prompt_n", 0)) + int(t.get("cache_n", 0)),
            completion_tokens=int(t.get("predicted_n", 0)), cached_tokens=int(t.get("cache_n", 0)),
            prefill_s=t.get("prompt_ms", 0.0) / 1000, generate_s=t.get("predicted_ms", 0.0) / 1000,
            finish_reason=final.get("finish_reason", ""),
        )
