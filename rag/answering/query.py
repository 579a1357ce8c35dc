"""QueryAnalyzer: what a question asks before anything is retrieved, and whether it can be read."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import BadInput
from ..figures.context import entities_in
from ..figures.focus import asked_years
from ..ingest import lang as langid
from ..prompts import Prompts


@dataclass
class Query:
    text: str
    language: str  # the question's own
    answer_language: str  # the one to answer in
    places: set[str] = field(default_factory=set)  # canonical places it names (gazetteer or corpus)
    years: set[str] = field(default_factory=set)  # the years it names (20xx)
    refusal: str = ""  # set when the question is in a language the tool does not read
    translation: str = ""  # the question put into its passages' language by the model, if it was
    translated_to: str = ""

    @property
    def shown(self) -> str:
        """The question as the prompt gives it: the asker's words, and the passages' own after them."""
        return f"{self.text} ({self.translation})" if self.translation else self.text


def check_question(question: str, max_chars: int) -> str:
    q = (question or "").strip()
    if not q:
        raise BadInput("the question is empty")
    if len(q) > max_chars:
        raise BadInput(f"the question is {len(q):,} characters; the limit is {max_chars:,}")
    return q


class QueryAnalyzer:
    def __init__(self, prompts: Prompts, max_chars: int, default_language: str = ""):
        if max_chars <= 0:
            raise ValueError(f"max_chars must be positive, not {max_chars}")
        self.prompts = prompts
        self.max_chars = max_chars
        self.default_language = default_language

    def answer_language(self, question: str, language: str | None) -> str:
        lang = (language or self.default_language or "").strip().lower()
        if lang and lang != "auto":
            if lang not in langid.SUPPORTED:
                raise BadInput(f"answer language {lang!r} is not supported: use en, zh or ko")
            return lang
        return langid.detect(question)

    def run(self, question: str, language: str | None = None) -> Query:
        """Raises BadInput for an empty or over-long question, or an unsupported answer language."""
        text = check_question(question, self.max_chars)
        qlang = langid.detect(text)
        if qlang == "und":
            raise BadInput("the question has no words in it")
        lang = self.answer_language(text, language)
        if lang not in langid.SUPPORTED or qlang not in langid.SUPPORTED:
            refusal = self.prompts.message("unsupported_language", "en", language=langid.NAMES.get(qlang, qlang))
            return Query(text, qlang, "en", refusal=refusal)
        return Query(text, qlang, lang, set(entities_in(text)), set(asked_years(text)))
