"""The chat-model interface the pipeline uses, and the record of one generation."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

OnToken = Callable[[str], None]


@dataclass
class Generation:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens reused from the KV cache
    prefill_s: float = 0.0
    generate_s: float = 0.0
    finish_reason: str = ""


class ChatModel(Protocol):
    name: str

    def warm_up(self) -> None: ...

    def chat(self, messages: list[dict], max_tokens: int, on_token: OnToken | None = None) -> Generation: ...
