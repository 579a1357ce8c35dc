"""Pack sentences into passages sized for the embedder and the prompt, with a small overlap.

Passages never cut a sentence (so never a number), start afresh at section headings, and carry
their offsets and sentence offsets into the article text. Ids are doc + ordinal + content hash.
"""
from __future__ import annotations

import hashlib
import re

from .text.sentences import Sentence, split
from .types import Article, Passage

_SOFT_BREAK = re.compile(r"[，,、：:；]\s*|\s+")
_NUMBERISH = set("0123456789.,억만천조亿万千百")


def _pieces(text: str, sentence: Sentence, limit: int) -> list[Sentence]:
    """Split an over-long sentence at commas or spaces, never inside a figure like 49억 6000만원 or 4,901."""
    if len(sentence.segments) > 1 or sentence.end - sentence.start <= limit:
        return [sentence]
    s, e = sentence.start, sentence.end
    out: list[Sentence] = []
    while e - s > limit:
        cut = None
        for m in _SOFT_BREAK.finditer(text, s + limit // 2, s + limit):
            if not (text[m.start() - 1] in _NUMBERISH and text[m.end():m.end() + 1].isdigit()):
                cut = m.end()
        if cut is None:
            break
        out.append(Sentence([(s, cut)], sentence.section and not out))
        s = cut
    out.append(Sentence([(s, e)], sentence.section and not out))
    return out


def passage_id(doc: str, ordinal: int, content_hash: str) -> str:
    return f"{doc}#{ordinal:03d}-{content_hash[:8]}"


def _size(text: str, group: list[Sentence]) -> int:
    return sum(len(u.text(text)) for u in group)


def chunk(article: Article, max_chars: int = 280, min_chars: int = 80, overlap: int = 1) -> list[Passage]:
    text = article.text
    units = [p for s in split(text, article.spans) for p in _pieces(text, s, max_chars)]

    groups: list[list[Sentence]] = []
    cur: list[Sentence] = []
    for u in units:
        n = len(u.text(text))
        if cur and (u.section or _size(text, cur) + n > max_chars):
            groups.append(cur)
            # Overlap with a short sentence only, and never across a section break.
            tail = [] if u.section or not overlap else cur[-overlap:]
            cur = [t for t in tail if len(t.text(text)) <= max_chars // 3 and not t.section]
        cur.append(u)
    if cur:
        groups.append(cur)
    groups = _merge_small(text, groups, min_chars, max_chars)

    passages = []
    for ordinal, g in enumerate(groups):
        body = _join(text, g)
        h = hashlib.sha256(body.encode("utf-8")).hexdigest()
        passages.append(Passage(
            id=passage_id(article.doc, ordinal, h), doc=article.doc, ordinal=ordinal,
            start=g[0].start, end=g[-1].end, text=body, language=article.language,
            title=article.title, date=article.date, hash=h, sentences=[(u.start, u.end) for u in g],
        ))
    return passages


def _merge_small(text: str, groups: list[list[Sentence]], min_chars: int, max_chars: int) -> list[list[Sentence]]:
    """Headings-only groups join the next group; short tails join the previous one when it fits."""
    forward: list[list[Sentence]] = []
    pending: list[Sentence] = []
    for g in groups:
        g = pending + g
        pending = []
        if all(u.section for u in g):
            pending = g
            continue
        forward.append(g)
    if pending:
        forward.append(pending)
    out: list[list[Sentence]] = []
    for g in forward:
        if out and not g[0].section and _size(text, g) < min_chars and _size(text, out[-1] + g) <= max_chars * 1.3:
            out[-1] = out[-1] + [u for u in g if u not in out[-1]]
        else:
            out.append(g)
    return out


def _join(text: str, units: list[Sentence]) -> str:
    parts = []
    for i, u in enumerate(units):
        if i:
            gap = text[units[i - 1].end:u.start]
            parts.append("\n" if "\n" in gap else (" " if gap else ""))
        parts.append(u.text(text))
    return "".join(parts)
