"""What the index holds, one row per article: the listing behind `rag sources` and the UI's Sources tab."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .types import Article, Passage


@dataclass
class SourceRow:
    doc: str
    title: str
    date: str
    date_source: str  # metadata, labelled, feed, pdf, inferred, or "" when unknown
    outlet: str
    author: str
    language: str
    passages: int
    pages: int  # PDF pages; 0 for other sources
    url: str
    currency: str  # what 원 means in it: yuan or won ("" for languages without 원)

    def to_dict(self) -> dict:
        return asdict(self)


def date_source(a: Article) -> str:
    # Indexes written before date_source existed only flagged inferred dates.
    return a.date_source or ("inferred" if a.date_inferred else ("labelled" if a.date else ""))


def source_rows(articles: dict[str, Article], passages: list[Passage]) -> list[SourceRow]:
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.doc] = counts.get(p.doc, 0) + 1
    return [SourceRow(a.doc, a.title, a.date, date_source(a), a.outlet, a.author, a.language,
                      counts.get(a.doc, 0), len(a.page_starts), a.url or a.source_path, a.currency)
            for a in sorted(articles.values(), key=lambda a: a.doc)]
