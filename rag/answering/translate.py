"""QueryTranslator: a question put into the language of the passages it is about, by the local model.

A small model reading Chinese passages for an English question often finds nothing in them
(NOT_FOUND) where the same question in Chinese finds its sentence; retrieval's keyword half also
matches only the passages' own words. Translations are cached: a question asked again costs nothing.
"""
from __future__ import annotations

from collections import OrderedDict

from ..ingest import lang as langid
from ..llm.base import ChatModel
from ..prompts import Prompts
from ..types import Timings


class QueryTranslator:
    def __init__(self, llm: ChatModel, prompts: Prompts, max_cached: int = 1000):
        if max_cached < 1:
            raise ValueError("max_cached must be at least 1")
        self.llm = llm
        self.prompts = prompts
        self.max_cached = max_cached
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()

    def warm_up(self) -> None:
        self.llm.warm_up()

    def run(self, question: str, language: str, timings: Timings | None = None) -> str:
        """The question in `language`, or "" when the model's reply is not a question in that language."""
        key = (question, language)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        user = self.prompts.render("translate_user.txt", question=question,
                                   language_name=self.prompts.messages["language_names"][language])
        # A translation is about as long as the question; a reply much longer is an answer or a loop.
        budget = 2 * len(question) + 16
        gen = self.llm.chat([{"role": "system", "content": self.prompts.template("translate_system.txt").strip()},
                             {"role": "user", "content": user}], budget)
        if timings is not None:
            timings.add(gen)
        text = " ".join(gen.text.strip().strip('"“”「」').split())
        ok = (text and gen.finish_reason != "length" and langid.detect(text) == language
              and text.replace(" ", "") != question.replace(" ", ""))
        out = text if ok else ""
        self._cache[key] = out
        if len(self._cache) > self.max_cached:
            self._cache.popitem(last=False)
        return out
