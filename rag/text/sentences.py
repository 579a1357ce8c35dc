"""Sentence boundaries for Chinese, Korean and English, as offsets into the original text.

Stock splitters cut Chinese only at ASCII punctuation and cut numbers such as 289.36; this one ends
sentences at 。！？；… and at '.', '!' and '?' except inside numbers (289.36, 14.5) and abbreviations,
and joins paragraphs that page layout broke in the middle of a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..ingest.clean import continues, is_chrome, is_furniture

_CLOSERS = "”’\"』」）)】]》"
_TERMINAL = re.compile(r"(?:[。！？!?；;]+|…+|\.{3,}|\.(?!\d))[" + re.escape(_CLOSERS) + r"]*")
_ABBREV = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|vs|etc|e\.g|i\.e|U\.S|Inc|Ltd|Co))$")
_HEADING_MAX = 40
_CLAUSE = re.compile(r"[,，、:：;；]")


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for m in _TERMINAL.finditer(text, start, end):
        if m.group().startswith(".") and len(m.group().rstrip(_CLOSERS)) == 1:
            before = text[max(start, m.start() - 6):m.start()]
            after = text[m.end():m.end() + 1]
            if _ABBREV.search(before) or (after and after.islower()):
                continue
        s, e = pos, m.end()
        if text[s:e].strip():
            out.append(_trim(text, s, e))
        pos = m.end()
    if text[pos:end].strip():
        out.append(_trim(text, pos, end))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def is_heading(text: str, span: tuple[int, int]) -> bool:
    """A short line without sentence-final punctuation: a section or sub-article title."""
    line = text[span[0]:span[1]].strip()
    return (len(line) <= _HEADING_MAX and not _TERMINAL.search(line[-2:] if line else "")
            and len(_CLAUSE.findall(line)) < 2)


@dataclass
class Sentence:
    """One sentence; `segments` are its pieces when page layout broke it across lines."""

    segments: list[tuple[int, int]]
    section: bool = False  # a heading that starts a new section or sub-article

    @property
    def start(self) -> int:
        return self.segments[0][0]

    @property
    def end(self) -> int:
        return self.segments[-1][1]

    def text(self, source: str) -> str:
        return "".join(display(source, s, e) for s, e in self.segments)


def split(text: str, spans: list[tuple[int, int]]) -> list[Sentence]:
    """Sentences over the kept paragraph spans, in order."""
    out: list[Sentence] = []
    carry: list[tuple[int, int]] = []  # an unfinished sentence broken by layout
    for i, (ps, pe) in enumerate(spans):
        nxt = spans[i + 1] if i + 1 < len(spans) else None
        heading = is_heading(text, (ps, pe))
        # A heading-like line broke mid-sentence only if it reads like a clause ("截至2020年,…名干");
        # none did where a furniture line (发布时间:…) stands between: a title and its dateline end there.
        broken = (nxt is not None and not is_heading(text, nxt) and (not heading or _CLAUSE.search(text[ps:pe]))
                  and continues(text[ps:pe], text[nxt[0]:nxt[1]])
                  and not any(is_furniture(line) for line in text[pe:nxt[0]].splitlines()))
        if not carry and not broken and heading:
            out.append(Sentence([(ps, pe)], section=True))
            continue
        sents = [Sentence([se]) for se in _split_paragraph(text, ps, pe)]
        if carry and sents:
            sents[0].segments[:0] = carry
            carry = []
        if sents and broken:
            carry = sents.pop().segments
        out.extend(sents)
    if carry:
        out.append(Sentence(carry))
    return out


def display(text: str, start: int, end: int) -> str:
    """Source slice as shown to people and models: layout breaks inside CJK text removed."""
    s = text[start:end]
    if "\n" in s:
        s = "\n".join(line for line in s.split("\n") if not line.strip() or not is_chrome(line))
    s = re.sub(r"(?<=[\u4e00-\u9fff\uac00-\ud7a3\d，,、])\s*\n\s*(?=[\u4e00-\u9fff\uac00-\ud7a3\d])", "", s)
    return re.sub(r"[ \t\u00a0\u2002\u3000]+", " ", s).strip()
