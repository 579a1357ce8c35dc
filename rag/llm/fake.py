"""A deterministic stand-in for the LLM, for tests: it answers from the prompt's own passages.

It picks the passage sentence that shares most tokens with the question and replies with that
sentence and its marker, or NOT_FOUND when nothing overlaps. `script` replaces that with fixed
replies, to test how the pipeline treats what a real model might say (a Generation in it: a reply
with its finish reason, one cut at the token limit, say).
"""
from __future__ import annotations

import re
import time

from ..text.tokenize import tokens
from .base import Generation, OnToken

_BLOCK = re.compile(r"^\[(\d+)\][^\n]*\n(.*?)(?=^\[\d+\]|\Z)", re.S | re.M)


class FakeLLM:
    name = "fake"

    def __init__(self, script: list[str | Generation] | None = None, min_overlap: int = 3, delay_s: float = 0.0):
        if delay_s < 0:
            raise ValueError("delay_s must be >= 0")
        self.script = list(script or [])
        self.min_overlap = min_overlap
        self.delay_s = delay_s  # a slow model, for tests of what waiting users see
        self.calls: list[list[dict]] = []

    def warm_up(self) -> None:
        pass

    def chat(self, messages: list[dict], max_tokens: int, on_token: OnToken | None = None) -> Generation:
        self.calls.append(messages)
        time.sleep(self.delay_s)
        reply = self.script.pop(0) if self.script else self._answer(messages[-1]["content"])
        text, finish = (reply.text, reply.finish_reason) if isinstance(reply, Generation) else (reply, "stop")
        for piece in re.findall(r".{1,4}", text, re.S):
            if on_token:
                on_token(piece)
        prompt = sum(len(m["content"]) for m in messages)
        return Generation(text=text, prompt_tokens=prompt, completion_tokens=len(text), finish_reason=finish)

    @staticmethod
    def _note(user: str) -> str:
        """A briefing note in the requested language naming the passage's first figures."""
        from ..figures.parse import parse_figures

        body = user.split("):\n", 1)[-1].rsplit("\nWrite", 1)[0]
        figs = [m.text for m in parse_figures(body) if not m.is_bare][:2]
        if "Chinese" in user:
            return f"该段落提到{'、'.join(figs)}。" if figs else "该段落没有数字。"
        if "Korean" in user:
            return f"이 단락은 {', '.join(figs)}을 언급한다." if figs else "이 단락에는 수치가 없다."
        return f"The passage reports {' and '.join(figs)}." if figs else "The passage gives no figures."

    def _answer(self, user: str) -> str:
        from ..answering.prose import split_sentences

        if not _BLOCK.search(user) and "Passage (" in user:
            return self._note(user)
        question = user.rsplit("Question:", 1)[-1].split("\n", 1)[0]
        q = set(tokens(question))
        best = (0, "", 0)
        for m in _BLOCK.finditer(user.split("Question:", 1)[0]):
            for sentence in split_sentences(m.group(2)):
                overlap = len(q & set(tokens(sentence)))
                if overlap > best[0]:
                    best = (overlap, sentence.strip(), int(m.group(1)))
        if best[0] < self.min_overlap:
            return "NOT_FOUND"
        return f"{best[1]} [{best[2]}]"
