"""RetryPolicy: when a draft is asked for again, and over which context.

Two retries, each kept only if the second draft is better by a check the first failed:
- refocus: the draft quotes a figure that fits the question clearly worse than the best ones, or
  none, or only part of the set a two-part question asks for; ask again over only their sentences;
- language: the draft came back in another language than asked; ask again, insisting;
- translation: the model found nothing in passages in another language than the question; put
  the question into theirs, retrieve with it and ask again.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..figures.focus import Candidate
from ..figures.leads import REFOCUS_MIN, focus_set
from ..ingest import lang as langid
from ..types import Citation, Conflict, DateCheck, FigureCheck
from .context import Context, ContextBlock, blocks_for
from .prose import other_language


@dataclass
class Draft:
    """One generation, cited, checked and judged."""

    text: str = ""
    blocks: list[ContextBlock] = field(default_factory=list)  # the context it was drafted over
    citations: list[Citation] = field(default_factory=list)
    checks: list[FigureCheck] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    supporting: set[str] = field(default_factory=set)
    dates: list[DateCheck] = field(default_factory=list)
    reason: str = ""  # why it abstains (AnswerGuard's REASONS); "" when it answers
    refocused: bool = False
    messages: list[dict] = field(default_factory=list)  # the prompt it answered
    raw: str = ""  # the model's words, before marking and checks

    @property
    def abstain(self) -> bool:
        return bool(self.reason)


class RetryPolicy:
    def __init__(self, refocus_min: float = REFOCUS_MIN):
        self.refocus_min = refocus_min

    def wanted(self, context: Context) -> list[Candidate]:
        """The figures the answer should use: the lead set, or the best-fitting few."""
        return context.leads if len(context.leads) > 1 else focus_set(context.ranked)

    def refocus(self, context: Context, draft: Draft) -> list[ContextBlock]:
        """The sentences of the best-fitting figures alone, when the draft used none of them and
        nothing that fits nearly as well, abstained while a clear lead was in the context, or used
        only part of a lead set; else []."""
        ranked, leads = context.ranked, context.leads
        if not ranked or draft.reason == "leaked" or ranked[0].score < self.refocus_min - 1.0:
            return []
        top = self.wanted(context)
        used_top = {c.figure.id for c in top} & draft.supporting
        if len(leads) > 1:
            if len(used_top) == len(leads):
                return []
        elif ranked[0].score < self.refocus_min or used_top:
            return []
        elif draft.abstain:
            if not leads or leads[0].score < self.refocus_min + 1.0:
                return []
        else:
            used = max((c.score for c in ranked if c.figure.id in draft.supporting), default=float("-inf"))
            # A clear lead was named in the prompt and the model took another value anyway.
            if used > ranked[0].score - (1.0 if leads else 2.0):
                return []
        return blocks_for(top, context.result.hits)

    def better_focus(self, context: Context, first: Draft, second: Draft) -> bool:
        """Keep the refocused draft only if it then uses more of the wanted figures."""
        wanted = {c.figure.id for c in self.wanted(context)}
        return not second.abstain and len(second.supporting & wanted) > len(first.supporting & wanted)

    @staticmethod
    def translate_to(question_language: str, draft: Draft) -> str:
        """The language to put the question in when the model found nothing in passages mostly in
        another language than the question's, or only parroted the instructions ("" for no retry)."""
        if draft.reason not in ("not_found", "uncited", "echoed") or not draft.blocks:
            return ""
        # The commonest language; a tie goes to the first block's (most_common keeps first-seen order).
        main = Counter(b.hit.passage.language for b in draft.blocks).most_common(1)[0][0]
        return main if main != question_language and main in langid.SUPPORTED else ""

    @staticmethod
    def wrong_language(draft: Draft, lang: str) -> bool:
        return not draft.abstain and other_language(draft.text, lang)

    @staticmethod
    def better_language(first: Draft, second: Draft, lang: str) -> bool:
        """Kept only if it says as much: a small model told twice sometimes loops instead."""
        return (not second.abstain and not other_language(second.text, lang)
                and second.supporting >= first.supporting)
