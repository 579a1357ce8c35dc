"""Citations numbered in order of first use, one per passage, each quoting an exact source span.

Markers are handed out as text is written and checked; the Citation records are built once, from
`items`, after the text is final, so a quote can be chosen for what the passage was cited for.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .types import Article, Citation, Passage

Span = tuple[int, int]


@dataclass
class Source:
    passage_id: str
    span: Span | None = None  # the sentence to quote; None: the default one


class CitationList:
    def __init__(self, articles: dict[str, Article], passages: dict[str, Passage],
                 default_span: Callable[[Passage], Span | None] | None = None):
        self.articles = articles
        self.passages = passages
        self.sources: list[Source] = []
        # Which sentence to quote when the caller names none; the passage's first one otherwise.
        self.default_span = default_span or (lambda p: None)

    def next_marker(self, pid: str) -> int:
        """The marker `pid` has, or would get if cited now."""
        return next((i for i, s in enumerate(self.sources, 1) if s.passage_id == pid), len(self.sources) + 1)

    def cite(self, pid: str, span: Span | None = None) -> int:
        """The passage's marker; a new one, to quote `span`, if the passage is not cited yet."""
        if pid not in self.passages:
            raise KeyError(f"no passage {pid!r} to cite")
        marker = self.next_marker(pid)
        if marker > len(self.sources):
            self.sources.append(Source(pid, span))
        return marker

    @property
    def markers(self) -> dict[int, str]:
        return {i: s.passage_id for i, s in enumerate(self.sources, 1)}

    @property
    def items(self) -> list[Citation]:
        out = []
        for marker, src in enumerate(self.sources, 1):
            p = self.passages[src.passage_id]
            s, e = src.span or self.default_span(p) or (p.sentences[0] if p.sentences else (p.start, p.end))
            art = self.articles[p.doc]
            out.append(Citation(marker, p.doc, p.title, p.date, p.id, s, e, art.text[s:e], art.page_at(s)))
        return out
