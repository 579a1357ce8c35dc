"""Generator: the prompt for one question over its context blocks, and one generation."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import figures
from ..figures.dates import DateCandidate, render_date
from ..figures.entity import SentenceCandidate
from ..figures.focus import Candidate
from ..llm.base import ChatModel, Generation, OnToken
from ..prompts import Prompts
from ..text import glossary
from ..types import Article, Figure, Timings
from .context import ContextBlock, block_text


def hint_figure(f: Figure, language: str) -> str:
    """A figure as the hint names it; one written without digits (거의 만명) also in digits, which
    the small model otherwise replaces with some other number."""
    if re.search(r"\d", f.text):
        return f.text
    return f"{f.text} ({figures.format_value(Decimal(f.value), f.unit, language)})"


SOURCE_TOKENS = 6  # "[12]" and a stop


@dataclass
class Lead:
    """What the prompt points the model at: a set of figures, or a date, or an entity sentence."""

    figures: Sequence[Candidate] = ()
    date: DateCandidate | None = None
    entity: SentenceCandidate | None = None


class Generator:
    def __init__(self, llm: ChatModel, prompts: Prompts, articles: dict[str, Article], max_tokens: int):
        if max_tokens <= 0:
            raise ValueError(f"max_tokens must be positive, not {max_tokens}")
        self.llm = llm
        self.prompts = prompts
        self.articles = articles
        self.max_tokens = max_tokens

    def warm_up(self) -> None:
        self.llm.warm_up()

    def run(self, messages: list[dict], timings: Timings, on_token: OnToken | None = None) -> Generation:
        """One generation over `messages` (see `messages()`); its token counts and times are added to `timings`."""
        gen = self.llm.chat(messages, self.max_tokens, on_token)
        timings.add(gen)
        return gen

    def source(self, messages: list[dict], answer: str, markers: Sequence[int], timings: Timings) -> int | None:
        """The shown passage the model names, asked for an answer it gave without a marker. The
        model reads across scripts where shared words cannot (an English answer to a Chinese
        passage shares none), and the follow-up only extends the prompt the server has cached."""
        gen = self.follow_up(messages, answer, "answer_source.txt", SOURCE_TOKENS, timings)
        found = re.search(r"\d+", gen.text)
        return int(found.group()) if found and int(found.group()) in markers else None

    def follow_up(self, messages: list[dict], answer: str, template: str, max_tokens: int,
                  timings: Timings) -> Generation:
        """One more question about the model's `answer` to `messages`: the conversation extended, so
        the server reuses the prefill of everything before it."""
        ask = [*messages, {"role": "assistant", "content": answer},
               {"role": "user", "content": self.prompts.template(template).strip()}]
        gen = self.llm.chat(ask, max_tokens)
        timings.add(gen)
        return gen

    def messages(self, question: str, blocks: list[ContextBlock], language: str, lead: Lead | None = None,
                 insist_language: bool = False, terms: Sequence[tuple[str, str]] = ()) -> list[dict]:
        """`terms`: the question's words with the passages' words for them ("prime number", "素数")."""
        hint = self.hint(blocks, language, lead or Lead())
        if terms:
            hint += self.prompts.render("answer_hint_terms.txt",
                                        terms="; ".join(f"{en} = {zh}" for en, zh in terms)) + "\n"
        passages = "\n".join(
            self.prompts.render("passage.txt", marker=b.marker, date=b.hit.passage.date or "undated",
                                text=block_text(b, self.articles))
            for b in blocks)
        user = self.prompts.render("answer_user.txt", passages=passages, question=question, hint=hint,
                                   language_name=self.prompts.messages["language_names"][language])
        if insist_language:
            user += "\n" + self.prompts.message("answer_in", language)
        return [{"role": "system", "content": self.system()}, {"role": "user", "content": user}]

    def system(self) -> str:
        """The rules, the same for every question (the server keeps their prefill). The rule on
        translated names sits here, not after the question, where the small model took it for the
        answer's first line and copied it out (3 of 30 ext-dev questions)."""
        return (self.prompts.template("answer_system.txt").strip() + "\n- "
                + self.prompts.template("answer_quote_names.txt").strip())

    def hint(self, blocks: list[ContextBlock], language: str, lead: Lead) -> str:
        def marker_of(doc: str, sentence: tuple[int, int]) -> int | None:
            return next((b.marker for b in blocks if b.hit.passage.doc == doc and sentence in b.sentences), None)

        if lead.date is not None:
            date = lead.date
            if (marker := marker_of(date.doc, date.sentence)) is None:
                return ""
            # The small model misreads another script's dates (2019年5月9日 as "September 12"):
            # it is given the date as its answer will write it too.
            shown = render_date(date.key, language)
            text = date.text if shown.replace(" ", "") == date.text.replace(" ", "") else f"{date.text} ({shown})"
            return self.prompts.render("answer_hint_date.txt", date=text, marker=marker) + "\n"
        if lead.entity is not None:
            entity = lead.entity
            if (marker := marker_of(entity.doc, entity.sentence)) is None:
                return ""
            sentence = self.articles[entity.doc].text[entity.sentence[0]:entity.sentence[1]]
            names = glossary.lines_for(sentence, language, names_only=True)
            named = self.prompts.render("answer_hint_names.txt", names="; ".join(names)) if names else ""
            return self.prompts.render("answer_hint_entity.txt", marker=marker,
                                       start=" ".join(sentence.split())[:16], names=named) + "\n"
        if lead.figures:
            f = lead.figures[0].figure
            if (marker := marker_of(f.doc, (f.sentence_start, f.sentence_end))) is None:
                return ""
            if len(lead.figures) == 1:
                hint = self.prompts.render("answer_hint.txt", figure=hint_figure(f, language), marker=marker)
            else:  # one sentence holds them all
                hint = self.prompts.render("answer_hint_set.txt", marker=marker,
                                           figures=" and ".join(hint_figure(c.figure, language)
                                                                for c in lead.figures))
            return hint + "\n"
        return ""
