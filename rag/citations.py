"""Citations numbered in order of first use, one per passage, each quoting an exact source span."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .types import Article, Citation, Passage


class CitationList:
    def __init__(self, articles: dict[str, Article], passages: dict[str, Passage], items: Iterable[Citation] = (),
                 default_span: Callable[[Passage], tuple[int, int] | None] | None = None):
        self.articles = articles
        self.passages = passages
        self.items = list(items)
        # Which sentence to quote when the caller names none; the passage's first one otherwise.
        self.default_span = default_span or (lambda p: None)

    def next_marker(self, pid: str) -> int:
        """The marker `pid` has, or would get if cited now."""
        return next((c.marker for c in self.items if c.passage_id == pid), len(self.items) + 1)

    def cite(self, pid: str, span: tuple[int, int] | None = None) -> int:
        """The passage's marker; a new citation quoting `span` if the passage is not cited yet."""
        marker = self.next_marker(pid)
        if marker <= len(self.items):
            return marker
        p = self.passages[pid]
        s, e = span or self.default_span(p) or (p.sentences[0] if p.sentences else (p.start, p.end))
        art = self.articles[p.doc]
        self.items.append(Citation(marker, p.doc, p.title, p.date, pid, s, e, art.text[s:e], art.page_at(s)))
        return marker
