"""Translation by the local model, in two components.

QueryTranslator: a question put into the language of the passages it is about. A small model
reading Chinese passages for an English question often finds nothing in them (NOT_FOUND) where the
same question in Chinese finds its sentence; retrieval's keyword half also matches only the
passages' own words. Translations are cached: a question asked again costs nothing.

SentenceTranslator: one sentence written from a source (an answer drafted in its passages'
language, a briefing note) put into the reader's language. The prompt holds the sentence and the
glossary's names for it, not the passages, so it is short; figures are copied as written.
"""
from __future__ import annotations

from collections import OrderedDict

from ..ingest import lang as langid
from ..llm.base import ChatModel
from ..prompts import Prompts
from ..text import glossary
from ..types import Timings
from .prose import MARKER, answer_language, first_sentence


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


class SentenceTranslator:
    def __init__(self, llm: ChatModel, prompts: Prompts, extra_tokens: int):
        if extra_tokens < 1:
            raise ValueError("extra_tokens must be at least 1")
        self.llm = llm
        self.prompts = prompts
        self.extra_tokens = extra_tokens  # the budget beyond one token per character of the sentence

    def warm_up(self) -> None:
        self.llm.warm_up()

    def run(self, sentence: str, language: str, names: list[str] | None = None,
            timings: Timings | None = None) -> str:
        """`sentence` in `language`, or "" when the reply is not one sentence in it. `names`: the
        glossary lines to give ("黑龙江 = Heilongjiang"); by default those the sentence names."""
        if names is None:
            names = glossary.lines_for(sentence, language)
        user = self.prompts.render("translate_sentence_user.txt", sentence=sentence, glossary="\n".join(names) or "-",
                                   language_name=self.prompts.messages["language_names"][language])
        system = self.prompts.template("translate_sentence_system.txt").strip()
        gen = self.llm.chat([{"role": "system", "content": system}, {"role": "user", "content": user}],
                            self.extra_tokens + len(sentence))
        if timings is not None:
            timings.add(gen)
        # The reply's first line, not its first sentence: "Mr. Mote wrote…" is one sentence.
        out = MARKER.sub("", gen.text).strip().split("\n")[0].strip()
        if gen.finish_reason == "length":
            out = first_sentence(out, cut=True)
        return out if out and answer_language(out) == language else ""
