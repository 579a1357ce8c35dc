"""FigureChecker: every figure of an answer checked (and repaired) against its sources, and the
sources that disagree on the figures used or on the measure asked about noted after the answer."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import figures
from ..citations import CitationList
from ..figures.conflicts import conflicts_for
from ..figures.context import with_provinces
from ..figures.date_check import DateVerifier
from ..figures.measure import named_in
from ..figures.verify import FigureVerifier
from ..prompts import Prompts
from ..types import Conflict, ConflictValue, DateCheck, Figure, FigureCheck
from .query import Query


@dataclass
class Checked:
    text: str  # repaired figures, unverified ones labelled, conflict notes appended
    checks: list[FigureCheck] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    supporting: set[str] = field(default_factory=set)  # ids of the source figures the answer uses
    figures: list[Figure] = field(default_factory=list)  # those figures
    dates: list[DateCheck] = field(default_factory=list)  # the answer's dates, checked like its figures


class FigureChecker:
    def __init__(self, verifier: FigureVerifier, figure_list: list[Figure], conflicts: list[Conflict],
                 prompts: Prompts, dates: DateVerifier | None = None):
        self.verifier = verifier
        self.dates = dates
        self.figure_by_id = {f.id: f for f in figure_list}
        self.conflicts = conflicts
        self.prompts = prompts

    def run(self, text: str, cites: CitationList, context: list[str], query: Query, written_in: str = "") -> Checked:
        """`cites` holds the answer's markers; a figure found in another shown passage (`context`)
        and every conflicting source get theirs added to it. `written_in`: the language `text` is
        written in, when not the one asked for (conflict notes are written in that one)."""
        lang = query.answer_language
        v = self.verifier.run(text, written_in or lang, cites.markers, context)
        for a in v.added:
            given = cites.cite(a.passage_id, a.span)
            assert given == a.marker, "the verifier numbers new markers as the list does"
        found = conflicts_for(v.supporting, self.conflicts)
        # Also every conflict on the asked measure and places: "Guangzhou items handled in Qiqihar"
        # names both cities either way round, so both directions are shown, the model's own first.
        found += [c for c in self.asked_conflicts(query) if c not in found]
        out, dated = v.text, []
        if self.dates is not None:  # the answer's own words: conflict notes give article dates
            d = self.dates.run(out, list(cites.markers.values()), query.text)
            out, dated = d.text, d.checks
        notes = [self.note(c, lang, cites) for c in found]
        if notes:
            out = out.rstrip() + "\n\n" + "\n".join(notes)
        figs = [self.figure_by_id[i] for i in v.supporting if i in self.figure_by_id]
        return Checked(out, v.checks, found, v.supporting, figs, dated)

    def asked_conflicts(self, query: Query) -> list[Conflict]:
        """Conflicts on a measure the question names in its words, about the places it names."""
        return [c for c in self.conflicts
                if named_in(c.measure, query.text) and query.places <= with_provinces(c.scope)]

    def note(self, c: Conflict, lang: str, cites: CitationList) -> str:
        def render(v) -> str:
            f = figures.format_value(Decimal(v.value), v.unit, lang)
            if lang == "en" and v.language != "en":
                return f"{f} ({v.text})"
            return v.text if v.language == lang else f

        def when(v) -> str:
            return self.prompts.message("as_of", lang, date=v.as_of or v.date)

        parts: list[str] = []
        groups: dict[tuple[str, str], list[ConflictValue]] = {}
        for v in c.values:
            groups.setdefault((v.doc, v.as_of), []).append(v)
        for vs in groups.values():
            f = self.figure_by_id.get(vs[0].figure_id)
            marker = cites.cite(vs[0].passage_id, (f.sentence_start, f.sentence_end) if f else None)
            parts.append(self.prompts.message("conflict_value", lang,
                                              value=", ".join(dict.fromkeys(render(v) for v in vs)),
                                              when=when(vs[0]), marker=marker))
        newest = next(v for v in c.values if v.passage_id == c.newest)
        newest_group = groups[(newest.doc, newest.as_of)]
        return self.prompts.message(
            "conflict", lang, label=c.label,
            values=self.prompts.message("list_sep", lang).join(parts),
            newest=", ".join(dict.fromkeys(render(v) for v in newest_group)), when=when(newest))
