"""NameGlosser: the source's own words beside each name an answer translated from another language.

The small model translates names across scripts badly (蒙特利尔议定书 as "the Montreuil Protocol"),
and a reader who cannot check the translation cannot find the name in the source either. Asked in
one short follow-up over the cached prompt, the model lists what it translated; a pair is used only
when its first side is in the answer and its second is in a cited passage, so nothing the sources
do not say is added. Figures are glossed elsewhere (rag.figures.gloss_figures), so none here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..types import Timings
from .generator import Generator
from .prose import MARKER

GLOSS_TOKENS = 60  # a few "words = 原文" lines
_PAIR = re.compile(r"^\s*(?:[-*•]\s*)?(.+?)\s*(?:=|→|:|：)\s*(.+?)\s*$")


@dataclass
class Glossed:
    text: str
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (the answer's words, the source's)


class NameGlosser:
    def __init__(self, generator: Generator):
        self.generator = generator

    def run(self, messages: list[dict], raw: str, text: str, sources: list[str], timings: Timings) -> Glossed:
        """`messages` and `raw`: the prompt and the model's answer to it; `text`: the answer as it
        will be shown; `sources`: the cited passages' text."""
        gen = self.generator.follow_up(messages, raw, "answer_gloss.txt", GLOSS_TOKENS, timings)
        return gloss(text, parse_pairs(gen.text), sources)


def parse_pairs(reply: str) -> list[tuple[str, str]]:
    out = []
    for line in reply.splitlines():
        m = _PAIR.match(line)
        if m:
            out.append((m.group(1).strip(" \"'“”"), m.group(2).strip(" \"'“”")))
    return out


def gloss(text: str, pairs: list[tuple[str, str]], sources: list[str]) -> Glossed:
    """`text` with ' (source words)' after the first use of each pair's answer words, for pairs
    whose source words a cited passage holds and the answer does not yet."""
    used = []
    for mine, theirs in pairs:
        if (len(mine) < 2 or not theirs or re.search(r"\d", theirs) or theirs in text or MARKER.search(theirs)
                or not any(theirs in s for s in sources)):
            continue
        at = text.find(mine)
        if at < 0:
            continue
        end = at + len(mine)
        text = f"{text[:end]} ({theirs}){text[end:]}"
        used.append((mine, theirs))
    return Glossed(text, used)
