"""The briefing component: select passages, note each (cached), check figures, lead with the notes
that hold the key figures.

The model is small and prefill is slow, so no prompt holds more than one passage (the map step).
The overview is the leading checked notes; a model's reduce step over them is an option for larger
models. The figures table and conflicts come from the figures index, not from the model.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from ..answering.prose import CLAUSE_END, CLOSED, answer_language, cited_sentences, first_sentence
from ..answering.translate import SentenceTranslator
from ..citations import CitationList
from ..config import Config
from ..errors import BadInput
from ..figures.conflicts import conflicts_for
from ..figures.context import entities_in, main_entities, passage_places
from ..figures.render import english_amount, with_qualifier
from ..figures.verify import FigureVerifier
from ..llm.base import ChatModel
from ..prompts import Prompts
from ..retrieval import HybridRetriever
from ..text import glossary
from ..text.sentences import display, is_heading
from ..types import Article, Citation, Conflict, Figure, FigureCheck, Passage
from .names import invented_names
from .notes import NoteCache
from .scope import Scope, TopicScope
from .support import NoteSupport

_MARKER = re.compile(r"[\[【]\s*(\d+)\s*[\]】]")
_REPEATED = re.compile(r"(\[\d+\])(?:\s*\1)+")  # "[1] [1]" -> "[1]"


QUOTE_NOTE_CHARS = 160  # a quoted note longer than this is cut at a clause


_WORD = re.compile(r"[^\W\d_]")  # a letter of any script: "2022-12-31, [3]" alone says nothing


def _finished(text: str) -> str:
    """A reply cut at the token limit, without its unfinished last sentence: "…to build a joint
    venture with 4" is no sentence, and its figure is half of one."""
    sentences = cited_sentences(text)
    if sentences and not CLOSED.search(_MARKER.sub("", sentences[-1])):
        sentences.pop()
    return " ".join(sentences)


def _trailing_markers(text: str) -> str:
    """'[1] Fact one. [2] Fact two.' → 'Fact one. [1] Fact two. [2]': a model that puts markers
    before its sentences would otherwise have each one read as the previous sentence's citation."""
    if not re.match(r"\s*\[\d+\]", text):
        return text
    parts = re.findall(r"((?:\[\d+\]\s*)+)([^\[]*)", text)
    return " ".join((body.strip() + " " + marks.strip()).strip() for marks, body in parts)


Progress = Callable[[int, int, str], None]
# Units a figure note may report, most telling first; counts of events (10余次) say little alone.
_NOTE_UNITS = ("yuan", "won", "tonnes", "people", "person-times", "%", "projects", "companies", "items", "pairs",
               "count")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\(\s*\)|（\s*）)")


_TABLE_UNITS = ("yuan", "won", "US dollars", "people", "tonnes", "%", "projects", "companies", "m²", "km")


def _listable(f: Figure) -> bool:
    """A figure the key-figures table may list at all: with a unit and digits."""
    return bool(f.unit) and any(ch.isdigit() for ch in f.text)


def _table_worthy(f: Figure) -> bool:
    """A figure for the key-figures table: in a unit a briefing is read for,
    and with digits: a scale word alone (超亿元 "over 100 million yuan", 수만명) is a bound, not a figure."""
    return f.unit in _TABLE_UNITS and any(ch.isdigit() for ch in f.text)


@dataclass
class Note:
    marker: int
    passage_id: str
    doc: str
    date: str
    text: str
    cached: bool
    figures: list[FigureCheck] = field(default_factory=list)
    quote: str = ""  # the passage's most figure-dense sentence, in its own language, for checking
    # "model": the model's note passed every check; "figure": built from the figures index;
    # "quote": the passage's own sentence (same language only)
    kind: str = "model"


@dataclass
class Briefing:
    topic: str
    language: str
    since: str
    overview: str
    notes: list[Note]  # in date order: the key developments
    figures: list[Figure]
    conflicts: list[Conflict]
    citations: list[Citation]
    sources: list[dict]
    overview_figures: list[FigureCheck] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)  # the topic's places the corpus says nothing about

    def to_dict(self) -> dict:
        d = asdict(self)
        d["figures"] = [{**asdict(f), "normalised": english_amount(Decimal(f.value), f.unit)} for f in self.figures]
        return d


@dataclass
class Selection:
    passages: list[Passage]  # the ones the model notes, at most brief_passages
    # The topic's own listable figures in passages beyond those: the table is extractive, so it may
    # read every passage about the topic where the notes, one prompt each, cannot.
    scope_figures: list[Figure] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope)


class Briefer:
    def __init__(self, config: Config, retriever: HybridRetriever, llm: ChatModel, articles: dict[str, Article],
                 passages: list[Passage], figures: list[Figure], conflicts: list[Conflict],
                 prompts: Prompts | None = None, support: NoteSupport | None = None):
        self.config = config
        self.retriever = retriever
        self.llm = llm
        self.articles = articles
        self.passages = {p.id: p for p in passages}
        self.figures = figures
        # Each step below asks for one passage's or one article's figures: look them up, not scan
        # every figure of the corpus for each passage. Passages overlap, and a figure names only the
        # first holding it: a passage's figures are all those within its span.
        self._of_passage: dict[str, list[Figure]] = {}
        self._of_doc: dict[str, list[Figure]] = {}
        for f in figures:
            self._of_doc.setdefault(f.doc, []).append(f)
        for q in passages:
            self._of_passage[q.id] = [f for f in self._of_doc.get(q.doc, []) if q.start <= f.start < q.end]
        self.conflicts = conflicts
        self.prompts = prompts or Prompts(config.prompts_dir)
        self.verifier = FigureVerifier(figures, self.passages, {d: a.text for d, a in articles.items()},
                                       self.prompts.messages["unverified"], self.prompts.messages["qualified"])
        note_prompt = "".join(self.prompts.template(f"{x}.txt")  # a note may be a translation
                              for x in ("brief_note_system", "brief_note_user", "translate_sentence_system",
                                        "translate_sentence_user"))
        self.translator = SentenceTranslator(llm, self.prompts, config.brief_note_tokens)
        self.doc_places = {doc: main_entities(a.text) for doc, a in articles.items()}
        self.cache = NoteCache(config.cache_dir / "notes", llm.name, note_prompt)
        self._headline: dict[str, set[Decimal]] = {}  # per article: the values its title states
        self.support = support  # None: notes are checked by their figures and names alone
        self.scope = TopicScope(articles, retriever.term_shares, config.brief_scope_share_max, config.brief_scope_min)

    def select(self, topic: str, since: str) -> Selection:
        """Half the slots: passages with the most salient table-worthy figures in the topic's scope
        (a briefing is read for its numbers); the rest: retrieval order. Only passages in scope: for
        a topic naming places, about all of them (their article's places count, and a city counts
        for its province); for one naming none, holding its phrases (TopicScope). At most
        brief_per_doc per article while other articles have passages to give; slots left over then
        go to more of the same articles (a topic one article covers)."""
        scope = self.scope.run(topic)
        places = scope.places

        verdicts: dict[str, bool] = {}  # the five passes below ask again about the same passages

        def eligible(p: Passage) -> bool:
            if p.id not in verdicts:
                verdicts[p.id] = ((not since or (p.date or "") >= since)
                                  and (not places or places <= self._places_of(p)) and self.scope.about(scope, p))
            return verdicts[p.id]

        # Passages by their most salient such figure (as the table ranks them), then by how many they hold.
        best: dict[str, tuple] = {}
        count: dict[str, int] = {}
        listed = [f for f in self.figures if _listable(f) and self.scope.about_figure(scope, f)]
        scoped = [f for f in listed if _table_worthy(f)]
        for f in scoped:
            best[f.passage_id] = min(best.get(f.passage_id, (True,) * 6), self._salience(f, places))
            count[f.passage_id] = count.get(f.passage_id, 0) + 1
        rich = [self.passages[pid] for pid in sorted(best, key=lambda pid: (best[pid], -count[pid]))]
        hits = [h.passage for h in self.retriever.search(topic, top_k=self.config.brief_candidates).hits]
        chosen: list[Passage] = []
        per_doc: dict[str, int] = {}
        n, cap = self.config.brief_passages, self.config.brief_per_doc
        for pool, limit, most in ((rich, n // 2, cap), (hits, n, cap), (rich, n, cap), (rich, n, n), (hits, n, n)):
            for p in pool:
                if len(chosen) >= limit:
                    break
                if p in chosen or per_doc.get(p.doc, 0) >= most or not eligible(p):
                    continue
                per_doc[p.doc] = per_doc.get(p.doc, 0) + 1
                chosen.append(p)
        return Selection(chosen, [f for f in listed if eligible(self.passages[f.passage_id])], scope)

    def note(self, p: Passage, lang: str) -> tuple[str, bool]:
        """The passage's note in `lang`, from the cache or the model. The small model often writes
        it in the passage's language instead; such a note is translated by the model (a prompt of
        one sentence, not the passage) and the translation is what the cache keeps."""
        cached = self.cache.get(p.hash, lang)
        if cached is not None and not (cached and answer_language(cached) != lang):
            return cached, True
        text = " ".join(self.sentences(p))
        names = glossary.lines_for(text, lang)
        if cached is not None:  # cached by a version that did not translate
            cached = self.translator.run(cached, lang, names)
            self.cache.put(p.hash, lang, cached)
            return cached, False
        user = self.prompts.render("brief_note_user.txt", date=p.date or "undated", text=text,
                                   language_name=self.prompts.messages["language_names"][lang],
                                   glossary="\n".join(names) or "-")
        gen = self.llm.chat([{"role": "system", "content": self.prompts.template("brief_note_system.txt").strip()},
                             {"role": "user", "content": user}], self.config.brief_note_tokens)
        note = first_sentence(_MARKER.sub("", gen.text).strip(), cut=gen.finish_reason == "length")
        if note and answer_language(note) != lang:
            note = self.translator.run(note, lang, names)
        self.cache.put(p.hash, lang, note)  # an unusable (empty) note too: a second briefing makes no call
        return note, False

    def run(self, topic: str, lang: str = "en", since: str = "", on_progress: Progress | None = None) -> Briefing:
        topic = (topic or "").strip()
        if not topic:
            raise BadInput("the briefing topic is empty")
        if len(topic) > self.config.max_question_chars:
            raise BadInput(f"the briefing topic is {len(topic):,} characters; the limit is "
                           f"{self.config.max_question_chars:,}")
        if lang not in ("en", "zh", "ko"):
            raise BadInput(f"briefing language {lang!r} is not supported: use en, zh or ko")
        if since and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
            raise BadInput(f"--since wants a date like 2021-01-01, not {since!r}")
        t0 = time.perf_counter()
        if on_progress:
            on_progress(0, 1, "selecting passages about the topic")
        selection = self.select(topic, since)
        chosen = selection.passages
        scope = selection.scope
        if scope.unknown:  # no passage uses any of its words
            return self._not_covered(topic, lang, since, [topic], t0)
        if not chosen and (scope.places or scope.terms) and not (since and self.select(topic, "").passages):
            # no passage about its places, or none holding its phrases
            return self._not_covered(topic, lang, since, sorted(scope.places) or [topic], t0)
        if not chosen:
            raise BadInput(f"no passages about {topic!r}" + (f" dated {since} or later" if since else ""))
        cites = CitationList(self.articles, self.passages)
        cite = cites.cite
        notes: list[Note] = []
        generated = 0

        for i, p in enumerate(chosen, 1):
            if on_progress:  # the steps a person waits through, not a bare counter
                on_progress(i - 1, len(chosen), f"note {i} of {len(chosen)} ({p.doc})")
            text, was_cached = self.note(p, lang)
            generated += not was_cached
            marker = cites.next_marker(p.id)  # cited only if a note survives its checks
            kind, checked = "model", self._checked(text, p, lang, marker, scope)
            # The passage's own sentence first: it says more than a note built from one figure.
            if checked is None and self.articles[p.doc].language == lang:
                kind, checked = "quote", self._quote_note(p, scope)
            if checked is None:
                kind, checked = "figure", self._figure_note(p, lang, marker, scope)
            if checked is None or any(n.text.startswith(checked[0] + " [") for n in notes):
                continue  # no note, or one already said (two passages quoting one sentence)
            cite(p.id, (p.start, p.end))
            notes.append(Note(marker, p.id, p.doc, p.date, f"{checked[0]} [{marker}]", was_cached, checked[1],
                              "" if kind == "quote" else self._key_sentence(p, checked[1]), kind))
        if on_progress:
            on_progress(len(chosen), len(chosen), "writing the overview from the checked notes")
        t_map = time.perf_counter() - t0
        ranked = self._figure_table(selection)
        overview, overview_checks = (self._overview(topic, lang, notes) if self.config.brief_overview_model
                                     else self._lead_notes(notes, ranked))
        notes.sort(key=lambda n: (n.date or "9999", n.marker))
        figures = ranked[:self.config.brief_figures]
        for f in figures:  # the table's figures cite their own sentences
            cite(f.passage_id, (f.sentence_start, f.sentence_end))
        # Conflicts among all the topic's figures the table drew on, not only the rows that fit in it.
        found = conflicts_for({f.id for f in ranked}, self.conflicts)
        for c in found:
            for v in c.values:
                cite(v.passage_id)
        sources = self._sources(cites.items)
        return Briefing(topic, lang, since, overview, notes, figures, found, cites.items, sources, overview_checks,
                        {"passages": len(chosen), "notes_generated": generated, "notes_cached": len(chosen) - generated,
                         "notes_from_figures": sum(n.kind == "figure" for n in notes),
                         "notes_quoted": sum(n.kind == "quote" for n in notes),
                         "map_s": round(t_map, 2), "total_s": round(time.perf_counter() - t0, 2)})

    def _places_of(self, p: Passage) -> set[str]:
        return passage_places(self.articles[p.doc].text, p.start, p.end, self.doc_places.get(p.doc, []))

    def _not_covered(self, topic: str, lang: str, since: str, places: list[str], t0: float) -> Briefing:
        """A short briefing that says the corpus does not cover the topic's places, in its language."""
        names = self.prompts.message("list_sep", lang).join(glossary.name_in(n, lang) for n in places)
        text = self.prompts.label("brief", lang, "not_covered", places=names, topic=topic)
        return Briefing(topic, lang, since, text, [], [], [], [], [],
                        timings={"passages": 0, "total_s": round(time.perf_counter() - t0, 2)}, not_covered=places)

    def _checked(self, text: str, p: Passage, lang: str, marker: int,
                 scope: Scope | None = None) -> tuple[str, list[FigureCheck]] | None:
        """The model's note with its figures checked, or None when it cannot be trusted: empty,
        ungrounded, in the wrong language, naming what the passage does not, or with a figure
        its own passage does not hold or that is about another subject than the topic's (a passage
        on one railway line mentioning another), or too unlike every sentence of it (NoteSupport)."""
        if not text or not self._grounded(text, p) or answer_language(text) != lang:
            return None
        body = self.articles[p.doc].text[p.start:p.end]
        if invented_names(text, lang, body, self.doc_places[p.doc]):
            return None
        if self.support is not None and not self.support.run(text, self.sentences(p)).supported:
            return None

        v = self.verifier.run(text, lang, {marker: p.id}, [p.id])
        if not v.all_supported:
            return None
        if scope is not None and scope.terms:
            sources = [f for c in v.checks for f in self._of_passage.get(c.passage_id, [])
                       if f.text == c.source_text]
            if not all(self.scope.about_figure(scope, f) for f in sources):
                return None
        return v.text, v.checks

    def sentences(self, p: Passage) -> list[str]:
        """The passage's sentences as a reader sees them (page furniture left out)."""
        return [display(self.articles[p.doc].text, s, e) for s, e in p.sentences] or [p.text]

    def _figure_note(self, p: Passage, lang: str, marker: int,
                     scope: Scope | None = None) -> tuple[str, list[FigureCheck]] | None:
        """A note written from the passage's leading measured figure, when the model's fails its
        checks and no sentence of the passage can stand for it: what it measures, where, when, and
        the value as the source gives it."""
        figs = [f for f in self._of_passage.get(p.id, []) if f.measure and f.unit in _NOTE_UNITS
                and (scope is None or not scope.terms or self.scope.about_figure(scope, f))]
        if not figs:
            return None
        f = min(figs, key=lambda x: (_NOTE_UNITS.index(x.unit), x.start))
        value = with_qualifier(FigureVerifier.render(f, lang), f.qualifier, self.prompts.messages["qualified"][lang])
        # Period labels ("by end-2022") are English; other languages get the as-of date.
        when = (f.period if lang == "en" else "") or (self.prompts.message("as_of", lang, date=f.as_of)
                                                      if f.as_of else "")
        where = "–".join(glossary.name_in(x, lang) for x in f.scope)
        # The source's words name the measure (no lexicon translates every one). In another language
        # the note says only that a figure is reported: the measure words cut from a foreign clause
        # read as noise (“可牵引从目前”, “경우”), and the figure's own sentence is quoted under the note.
        label = f.measure if f.language == lang else self.prompts.message("figure_label", lang)
        if lang == "en":
            label, where = label[:1].upper() + label[1:], (where + ", " if where and when else where)
        words = self.prompts.messages["figure_flags"][lang]
        flags = "".join(words[x] for x in f.flags if x in words)
        text = self.prompts.message("figure_note", lang, label=label, where=where, when=when, value=value, flags=flags)
        text = _EMPTY_BRACKETS.sub("", text).strip()  # an undated figure of no place: no "( )" left
        check = FigureCheck(f.text, f.value, f.unit, True, p.id, f.text)
        return text, [check]

    def _quote_note(self, p: Passage, scope: Scope) -> tuple[str, list[FigureCheck]] | None:
        """The passage's own sentence, when the model's note fails and the passage is in the
        briefing's language: the one naming the topic's phrase
        (a place-less topic), else the one with most figures; cut at a clause, with an ellipsis."""
        text = self.articles[p.doc].text
        own = self._of_passage.get(p.id, [])
        spans = [(s, e) for s, e in p.sentences if not scope.terms
                 or (self.scope.coverage(scope, p.doc, text[s:e]) >= self.scope.coverage_min
                     and all(self.scope.about_figure(scope, f) for f in own if s <= f.start < e))]
        if not spans:  # none about the topic, figures and all
            return None
        s, e = self._densest(p.doc, spans)
        quote = display(text, s, e).strip()
        if len(quote) > QUOTE_NOTE_CHARS:
            ends = [m.start() for m in CLAUSE_END.finditer(quote, 0, QUOTE_NOTE_CHARS)]
            if not ends:
                return None
            quote = quote[:ends[-1]].rstrip() + "…"
        cut_at = s + len(quote)
        checks = [FigureCheck(f.text, f.value, f.unit, True, p.id, f.text) for f in own
                  if s <= f.start and f.end <= cut_at and f.text in quote]
        return quote, checks

    def _grounded(self, note: str, p: Passage) -> bool:
        """A note must share a figure or a place with its passage; a note that shares neither is
        most likely the small model's invention, and no check could catch it."""
        from ..figures.parse import parse_figures

        body = self.articles[p.doc].text[p.start:p.end]
        source_values = {m.value for m in parse_figures(body) if not m.is_bare}
        if any(m.value in source_values for m in parse_figures(note) if not m.is_bare):
            return True
        return bool(set(entities_in(note)) & set(entities_in(body)))

    def _key_sentence(self, p: Passage, checks: list[FigureCheck]) -> str:
        """The source sentence a reader checks the note against: the one holding the note's first
        figure, else the passage's most figure-dense sentence."""
        text = self.articles[p.doc].text
        own = self._of_passage.get(p.id, [])
        for c in checks:
            holding = [f for f in own if c.supported and f.text == c.source_text]
            # A headline states the figure too ("500个项目近5000亿签约额 达目标"); the body's sentence says what it is.
            same = [g for g in own if holding and g.value == holding[0].value
                    and (g.unit == holding[0].unit or not g.unit or not holding[0].unit)]
            f = next((g for g in holding + same if not is_heading(text, (g.sentence_start, g.sentence_end))),
                     holding[0] if holding else None)
            if f is not None:
                return " ".join(text[f.sentence_start:f.sentence_end].split())
        if not p.sentences:
            return ""
        s, e = self._densest(p.doc, p.sentences)
        return " ".join(text[s:e].split())

    def _densest(self, doc: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
        """The span holding most of the article's figures; the earliest of those tied."""
        figs = self._of_doc.get(doc, [])
        return max(spans, key=lambda x: (sum(1 for f in figs if x[0] <= f.start < x[1]), -x[0]))

    def _lead_notes(self, notes: list[Note], ranked: list[Figure]) -> tuple[str, list[FigureCheck]]:
        """The overview as the brief_overview_notes notes holding the key-figures table's leading
        figures, most salient first, then notes with other figures (a note with none, "The passage
        reports on the successful partnership…", says least), and none whose figures an earlier one
        already states; at equal rank the model's or the passage's own sentence before a note built
        from the figures index."""
        rank: dict[str, int] = {}
        for i, f in enumerate(ranked):
            rank.setdefault(f.passage_id, i)

        values = {n.marker: {(c.value, c.unit) for c in n.figures if c.supported} for n in notes}
        lead: list[Note] = []
        stated: set[tuple[str, str]] = set()
        order = sorted(notes, key=lambda n: (rank.get(n.passage_id, len(ranked)), not values[n.marker],
                                             n.kind == "figure", n.marker))
        for n in order:
            if values[n.marker] and values[n.marker] <= stated:
                continue  # a second source's note on the same figures
            lead.append(n)
            stated |= values[n.marker]
            if len(lead) == self.config.brief_overview_notes:
                break
        # Each sentence of a note carries its marker: in the overview a note's first sentences
        # would otherwise read as citing nothing.
        text = " ".join(f"{' '.join(x.split())} [{n.marker}]" for n in lead
                        for x in cited_sentences(_MARKER.sub("", n.text)))
        return text, [c for n in lead for c in n.figures if c.supported]

    def _overview(self, topic, lang, notes: list[Note]) -> tuple[str, list[FigureCheck]]:
        """The overview written by the model from the notes (brief_overview_model), every sentence
        checked as notes are."""
        if not notes:
            return "", []
        # No article dates in the listing: the model opened every sentence with one ("2024年10月18日，…"),
        # a publication date passed off as the event's. A note states the dates its source gives.
        listing = "\n".join(f"[{n.marker}] {_MARKER.sub('', n.text).strip()}" for n in notes)
        user = self.prompts.render("brief_overview_user.txt", topic=topic, notes=listing,
                                   language_name=self.prompts.messages["language_names"][lang])
        gen = self.llm.chat([{"role": "system", "content": self.prompts.template("brief_note_system.txt").strip()},
                             {"role": "user", "content": user}], self.config.brief_overview_tokens)
        known = {n.marker: n.passage_id for n in notes}
        text = _MARKER.sub(lambda m: m.group(0) if int(m.group(1)) in known else "", gen.text).strip()
        text = _trailing_markers(text)
        if gen.finish_reason == "length":  # after the markers are moved: "[3] cut off" is the cut sentence's
            text = _finished(text)
        if not text or not _MARKER.search(text):
            return "", []
        text = self._cite_unmarked(text, notes)
        v = self.verifier.run(text, lang, known, list(known.values()))
        label = self.prompts.messages["unverified"][lang].strip()
        # Only what the notes' passages say: a sentence with an unverified figure, or naming a place
        # or name that none of the passages it cites, their titles or their articles' main places
        # hold, is dropped.
        kept = [x for x in (_REPEATED.sub(r"\1", x) for x in cited_sentences(v.text))
                if label not in x and _WORD.search(_MARKER.sub("", x)) and not self._names_unbacked(x, lang, notes)]
        return " ".join(kept), [c for c in v.checks if c.supported]

    def _names_unbacked(self, sentence: str, lang: str, notes: list[Note]) -> list[str]:
        cited = {int(m) for m in _MARKER.findall(sentence)}
        ps = [self.passages[n.passage_id] for n in notes if n.marker in cited]
        source = " ".join([self.articles[p.doc].text[p.start:p.end] for p in ps]
                          + [self.articles[p.doc].title for p in ps])
        places = [x for p in ps for x in self.doc_places[p.doc]]
        return invented_names(_MARKER.sub("", sentence), lang, source, places) if ps else ["(no marker)"]

    @staticmethod
    def _cite_unmarked(text: str, notes: list[Note]) -> str:
        """A sentence the model left without a marker gets the note it shares most words with."""
        from ..answering.prose import split_sentences
        from ..text.tokenize import tokens

        out = []
        for sentence in split_sentences(text):
            if not _MARKER.search(sentence):
                words = set(tokens(sentence))
                best = max(notes, key=lambda n: len(words & set(tokens(n.text))))
                if len(words & set(tokens(best.text))) >= 2:
                    sentence = sentence.rstrip() + f" [{best.marker}]"
            out.append(sentence)
        return " ".join(out)

    def _figure_table(self, selection: Selection) -> list[Figure]:
        """The noted passages' figures and the topic's own from its other passages, most salient
        first (the table shows the first brief_figures). A value stated twice is one row: an
        article repeating it, a second source agreeing, or the same amount once without its unit
        (5000亿 … 5000亿元)."""
        ids = {p.id for p in selection.passages}
        # Counts and times (4个出入口, 30여차례) only fill rows the worthier figures leave.
        scope = selection.scope
        noted = {id(f): f for i in ids for f in self._of_passage.get(i, [])}  # passages overlap
        picked = [f for f in noted.values() if _listable(f) and (not scope.terms or self.scope.about_figure(scope, f))]
        picked += [f for f in selection.scope_figures if id(f) not in noted]
        picked.sort(key=lambda f: (f.doc, f.start))  # stable sorts: article order, newest first, then salience
        picked.sort(key=lambda f: f.date, reverse=True)
        picked.sort(key=lambda f: self._salience(f, selection.scope.places))
        unit_of: dict[tuple[str, str], str] = {}  # an article's value -> the first unit it is given
        for f in picked:
            if f.unit:
                unit_of.setdefault((f.doc, f.value), f.unit)
        rows: dict[tuple[str, str], Figure] = {}
        for f in sorted(picked, key=lambda f: not f.unit):  # a unit-bearing row wins over its bare twin
            rows.setdefault((f.value, f.unit or unit_of.get((f.doc, f.value), "")), f)
        kept = {id(f) for f in rows.values()}
        return [f for f in picked if id(f) in kept]

    def _salience(self, f: Figure, places: set[str]) -> tuple[bool, ...]:
        """Table-worthy figures first, and of those the ones about exactly the topic's places (the
        pair itself before one of its city pairs), then headline figures (the title states the
        value), the lead passage's, then cumulative totals. An order,
        not a score: nothing here to weigh by hand."""
        from ..figures.parse import parse_figures

        if f.doc not in self._headline:
            title = self.articles[f.doc].title if f.doc in self.articles else ""
            self._headline[f.doc] = {Decimal(m.value) for m in parse_figures(title) if not m.is_bare}
        p = self.passages.get(f.passage_id)
        exact = bool(places) and set(f.scope) == places
        return (not _table_worthy(f), not exact, Decimal(f.value) not in self._headline[f.doc],
                not (p is not None and p.ordinal == 0),
                "cumulative" not in f.flags)

    def _sources(self, citations: list[Citation]) -> list[dict]:
        seen, out = set(), []
        for c in citations:
            if c.doc in seen:
                continue
            seen.add(c.doc)
            a = self.articles[c.doc]
            out.append({"doc": a.doc, "title": a.title, "outlet": a.outlet, "date": a.date,
                        "date_inferred": a.date_inferred, "language": a.language,
                        "markers": [x.marker for x in citations if x.doc == c.doc]})
        return out
