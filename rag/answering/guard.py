"""AnswerGuard: whether a drafted answer may be shown, and if not, why it abstains.

Every reason is a check a wrong answer commonly fails: figures found in no source, or all about
other places than asked, of another kind, of another year, sharing no word with the question, or cited
to an article that misses most of the question's distinctive words.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..figures.context import main_entities, passage_places
from ..figures.focus import FigureFocus, fits_asked_unit, question_words, year_match
from ..prompts import Prompts
from ..types import Article, Figure, FigureCheck, Passage
from .grounding import GroundingCheck
from .prose import restates
from .query import Query

# Why an answer abstained: the eval counts them, so a threshold that costs right answers shows.
REASONS = ("no_context", "not_found", "leaked", "echoed", "restated", "uncited", "unsupported", "places", "unit",
           "year", "words", "ungrounded", "off_question")
ECHOED = ("answer_quote_names.txt",)  # instructions the model may copy out as its answer


@dataclass
class Verdict:
    reason: str = ""  # one of REASONS; "" when the answer stands

    @property
    def abstain(self) -> bool:
        return bool(self.reason)


class AnswerGuard:
    def __init__(self, prompts: Prompts, articles: dict[str, Article], passages: dict[str, Passage],
                 focus: FigureFocus, grounding: GroundingCheck | None = None, missing_max: float = 1.0):
        """With `grounding`, an answer whose cited articles miss more than `missing_max` of the
        question's distinctive words abstains."""
        self.prompts = prompts
        self.grounding = grounding
        self.missing_max = missing_max
        self.articles = articles
        self.passages = passages
        self.focus = focus
        self.doc_places = {doc: main_entities(a.text) for doc, a in articles.items()}

    def screen(self, raw: str, question: str, translation: str = "") -> Verdict:
        """Before citing: a recited system prompt (an injection that worked), the user prompt's own
        instructions handed back (the small model parrots them), or the question handed back (in
        its words or in the translation the prompt showed)."""
        if self.recites(raw, "answer_system.txt"):
            return Verdict("leaked")
        if any(self.recites(raw, t) for t in ECHOED):
            return Verdict("echoed")
        if restates(raw, question) or (translation and restates(raw, translation)):
            return Verdict("restated")
        return Verdict()

    def run(self, query: Query, query_tokens: list[str], checks: list[FigureCheck], figs: list[Figure],
            docs: list[str] | None = None) -> Verdict:
        """After checking: `checks` are the answer's figures, `figs` the source figures they matched,
        `docs` the cited articles."""
        supported = [c.unit for c in checks if c.supported]
        if checks and not supported:
            return Verdict("unsupported")
        if not self.places_fit(query, figs):
            return Verdict("places")
        if not fits_asked_unit(query.text, supported):
            return Verdict("unit")
        if not self.years_fit(query, figs):
            return Verdict("year")
        if not self.words_fit(query, query_tokens, figs):
            return Verdict("words")
        if self.grounding is not None and docs:
            grounded = self.grounding.run(query.text, query.language, docs)
            if grounded is not None and grounded.missing_share > self.missing_max:
                return Verdict("ungrounded")
        return Verdict()

    @staticmethod
    def years_fit(query: Query, figs: list[Figure]) -> bool:
        """False when the question names a year and every figure of the answer states another:
        one year's trade offered for another's. A figure with no stated year is not held against it."""
        return not query.years or not figs or any(year_match(f, query.years) is not False for f in figs)

    def places_fit(self, query: Query, figs: list[Figure]) -> bool:
        """False when the question names places that none of the passages holding the answer's
        figures is about: a total between two cities offered for a pair the question names."""
        if not query.places or not figs:
            return True
        # The article may restate the figure where it names the place.
        # A new list: the caller's figures go on to the year and word checks as they are.
        figs = figs + [g for f in figs for g in self.focus.by_doc.get(f.doc, [])
                       if (g.value, g.unit) == (f.value, f.unit)]
        for f in figs:
            p = self.passages.get(f.passage_id)
            start, end = (p.start, p.end) if p else (0, 0)
            covered = passage_places(self.articles[f.doc].text, start, end,
                                     [*self.doc_places.get(f.doc, []), *f.scope])
            if query.places <= covered:
                return True
        return False

    def words_fit(self, query: Query, query_tokens: list[str], figs: list[Figure]) -> bool:
        """False when no figure of the answer shares a word with the question beyond its places: a
        building time offered for a count of animals. Chinese and Korean questions only: English
        reaches the sources through a small lexicon, so no shared word proves little there."""
        if query.language == "en" or not query_tokens:
            return True
        words = question_words(query.text, query_tokens)
        return not figs or any(words & self.focus.words_near(f) for f in figs)

    def recites(self, text: str, template: str) -> bool:
        """Whether `text` holds a line of the prompt template (its first 60 characters, for lines of 30 or more)."""
        low = " ".join(text.lower().split())
        for line in self.prompts.template(template).splitlines():
            line = " ".join(line.lower().strip("- ").split())
            if len(line) >= 30 and line[:60] in low:
                return True
        return False
