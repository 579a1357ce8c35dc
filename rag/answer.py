"""Answer a question: retrieve, build a compact prompt, generate, then map markers to citations.

Prompt length is the latency on a CPU (prefill ~20 tok/s), so the context is the most relevant
sentences of the top passages within a token budget, not whole passages. Markers the model writes
([1], [2]) are checked against the passages it was shown, renumbered in order of use, and each
citation quotes the source sentence that best supports the claim, with its exact offsets.
"""
from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import figures
from .citations import CitationList
from .config import Config
from .errors import BadInput
from .evaluation.score import answer_language
from .figures.conflicts import conflicts_for
from .figures.context import entities_in, main_entities, measure_label, measures, passage_places, with_provinces
from .figures.dates import DATE_FIT, DateCandidate, asks_date, lead_date, rank_dates, render_date
from .figures.entity import SentenceCandidate, asks_entity, days, holds_answer_type, lead_sentence, rank_sentences
from .figures.focus import Candidate, FigureFocus, asked_years, fits_asked_unit, question_words, year_match
from .figures.leads import REFOCUS_MIN, focus_set, lead_set
from .figures.verify import FigureVerifier
from .ingest import lang as langid
from .llm.base import ChatModel, OnToken
from .prompts import Prompts
from .retrieval import HybridRetriever, RetrievalResult
from .sentences_dense import SentenceSimilarity
from .text import glossary
from .text.tokenize import tokens
from .types import Answer, Article, Citation, Conflict, ConflictValue, Figure, Hit, Passage, Timings

NOT_FOUND = "NOT_FOUND"
# Sentence ends in an answer; a '.' only before a space or the end, so 289.36 stays whole.
_ANSWER_SENT = re.compile(r"(?<=[。！？!?])\s*|(?<=\.)(?:\s+|$)")
_MARKER = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")


def estimate_tokens(text: str) -> int:
    """Qwen2.5's tokenizer, measured on the seeds: ~0.75 token per Han character, ~0.95 per Hangul syllable."""
    c = langid.script_counts(text)
    other = len(text) - c["han"] - c["hangul"]
    return int(c["han"] * 0.75 + c["hangul"] * 0.95 + other / 3.5) + 1


def hint_figure(f: Figure, language: str) -> str:
    """A figure as the hint names it; one written without digits (거의 만명) also in digits, which
    the small model otherwise replaces with some other number."""
    if re.search(r"\d", f.text):
        return f.text
    return f"{f.text} ({figures.format_value(Decimal(f.value), f.unit, language)})"


def split_sentences(text: str) -> list[str]:
    return [p for p in _ANSWER_SENT.split(text) if p.strip()]


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)(?=\s)")
_LEADING_MARKERS = re.compile(rf"^(?:\s*{_MARKER.pattern})+")


def drop_echoed_questions(text: str) -> str:
    """The answer without sentences that end as a question (the small model sometimes restates the
    question, "…인가? [1]", after answering it). A question holding a number the rest does not is
    kept, as is everything when nothing else would be left."""
    sentences: list[list[str]] = []  # [body, markers that follow it]
    for piece in _SENTENCE_END.split(text):
        lead = _LEADING_MARKERS.match(piece)
        if lead and sentences:
            sentences[-1][1] += lead.group(0)
            piece = piece[lead.end():]
        sentences.append([piece, ""])

    def question(body: str) -> bool:
        return body.rstrip().endswith(("?", "？"))

    rest = "".join(b for b, _ in sentences if not question(b))
    kept = [b + m for b, m in sentences
            if not question(b) or figures.numbers(b) - figures.numbers(rest)]
    out = "".join(kept).strip()
    return out if re.search(r"\w", _MARKER.sub("", out)) else text


def restates(answer: str, question: str) -> bool:
    """Whether the answer is only the question again (markers, spaces and punctuation aside)."""
    def bare(t: str) -> str:
        return re.sub(r"[\W_]+", "", _MARKER.sub("", t)).lower()

    return bool(bare(question)) and bare(answer) == bare(question)


def _claims(text: str, marker: str) -> list[str]:
    """Sentences carrying `marker`; a marker standing after a sentence's end belongs to that sentence."""
    out, prev = [], ""
    for sentence in split_sentences(text):
        if marker in sentence:
            bare = _MARKER.sub("", sentence).strip()
            out.append(sentence if bare else prev)
        prev = sentence
    return [c for c in out if c]


def check_question(question: str, max_chars: int) -> str:
    q = (question or "").strip()
    if not q:
        raise BadInput("the question is empty")
    if len(q) > max_chars:
        raise BadInput(f"the question is {len(q):,} characters; the limit is {max_chars:,}")
    return q


@dataclass
class _Query:
    """One question as the drafts see it."""

    text: str
    language: str  # the question's own
    tokens: list[str]  # retrieval's query tokens
    leads: list[Candidate]
    date: DateCandidate | None = None
    entity: SentenceCandidate | None = None
    insist_language: bool = False  # a draft came back in another language: say it in that one too


@dataclass
class _Draft:
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    checks: list = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    supporting: set[str] = field(default_factory=set)
    abstain: bool = False
    leaked: bool = False  # the model recited its instructions: an injection worked, so no retry
    refocused: bool = False


@dataclass
class ContextBlock:
    marker: int
    hit: Hit
    sentences: list[tuple[int, int]] = field(default_factory=list)  # kept, in source order


@dataclass
class Prepared:
    """What the model is given for one question: the retrieval, the ranked figures, the lead (a
    figure set, a date or an entity sentence) and the context blocks within the budget."""

    result: RetrievalResult
    ranked: list[Candidate]
    leads: list[Candidate]
    date: DateCandidate | None
    entity: SentenceCandidate | None
    blocks: list[ContextBlock]


def select_context(hits: list[Hit], articles: dict[str, Article], query_tokens: list[str],
                   budget: int, fit: dict[tuple[str, int, int], float] | None = None,
                   dense: dict[tuple[str, int, int], float] | None = None,
                   dense_weight: float = 0.0) -> list[ContextBlock]:
    """Best sentences first: one per passage for coverage, then by relevance until the budget is spent.

    `fit` scores sentences by their best figure's fit to the question (FigureFocus); the block
    holding the best-fitting sentence is shown first, since small models favour passage [1]. A
    sentence shared by overlapping passages is shown once. `dense` is each sentence's relative
    similarity to the question (0..1, SentenceSimilarity), weighted by `dense_weight`: the only
    signal for a question in another script than its sources.
    """
    q = set(query_tokens)
    fit = fit or {}
    dense = dense or {}
    scored = []
    for rank, h in enumerate(hits):
        text = articles[h.passage.doc].text
        for s, e in h.passage.sentences:
            sentence = text[s:e]
            overlap = len(q & set(tokens(sentence)))
            bonus = 0.5 if re.search(r"\d", sentence) else 0.0
            bonus += max(0.0, fit.get((h.passage.doc, s, e), 0.0))
            bonus += dense_weight * dense.get((h.passage.doc, s, e), 0.0)
            scored.append(((overlap + bonus) / (1 + 0.3 * rank), rank, (s, e), estimate_tokens(sentence)))
    chosen: dict[int, list[tuple[int, int]]] = {}
    shown: set[tuple[str, int, int]] = set()
    used = 0

    def take(item) -> None:
        nonlocal used
        chosen.setdefault(item[1], []).append(item[2])
        shown.add((hits[item[1]].passage.doc, *item[2]))
        used += item[3]

    def is_shown(item) -> bool:
        return (hits[item[1]].passage.doc, *item[2]) in shown

    firsts, first_keys = {}, set()  # each passage's best sentence, no sentence twice
    for item in sorted(scored, key=lambda x: -x[0]):
        key = (hits[item[1]].passage.doc, *item[2])
        if key not in first_keys and item[1] not in firsts:
            firsts[item[1]] = item
            first_keys.add(key)
    for item in sorted(firsts.values(), key=lambda x: x[1]):
        if not is_shown(item) and (used + item[3] <= budget or not chosen):
            take(item)
    for item in sorted(scored, key=lambda x: -x[0]):
        if item[0] <= 0 or is_shown(item):
            continue
        if used + item[3] <= budget:
            take(item)
    ranks = sorted(chosen)
    if fit:
        best = max(ranks, key=lambda r: (max(fit.get((hits[r].passage.doc, *se), 0.0) for se in chosen[r]), -r))
        if max(fit.get((hits[best].passage.doc, *se), 0.0) for se in chosen[best]) > 0:
            ranks = [best] + [r for r in ranks if r != best]
    return [ContextBlock(i, hits[r], sorted(chosen[r])) for i, r in enumerate(ranks, start=1)]


def block_text(block: ContextBlock, articles: dict[str, Article]) -> str:
    from .text.sentences import display

    text = articles[block.hit.passage.doc].text
    parts, prev_end = [], None
    all_sents = block.hit.passage.sentences
    for s, e in block.sentences:
        if prev_end is not None and all_sents.index((s, e)) != all_sents.index(prev_end) + 1:
            parts.append("…")
        parts.append(display(text, s, e))
        prev_end = (s, e)
    return " ".join(parts)


class Answerer:
    def __init__(self, config: Config, retriever: HybridRetriever, llm: ChatModel,
                 articles: dict[str, Article], prompts: Prompts | None = None,
                 passages: list[Passage] | None = None, figure_list: list[Figure] | None = None,
                 conflicts: list[Conflict] | None = None, similarity: SentenceSimilarity | None = None):
        self.config = config
        self.retriever = retriever
        self.llm = llm
        self.articles = articles
        self.prompts = prompts or Prompts(config.prompts_dir)
        self.passages = {p.id: p for p in passages or []}
        self.conflicts = conflicts or []
        self.figure_by_id = {f.id: f for f in figure_list or []}
        self.doc_places = {doc: main_entities(a.text) for doc, a in articles.items()}
        texts = {d: a.text for d, a in articles.items()}
        self.focus = FigureFocus(figure_list or [], texts)
        self.similarity = similarity
        self.verifier = (FigureVerifier(figure_list or [], self.passages, texts,
                                        self.prompts.messages["unverified"]) if passages else None)

    def answer_language(self, question: str, language: str | None) -> str:
        lang = (language or self.config.language or "").strip().lower()
        if lang and lang not in ("auto",):
            if lang not in langid.SUPPORTED:
                raise BadInput(f"answer language {lang!r} is not supported: use en, zh or ko")
            return lang
        return langid.detect(question)

    def build_messages(self, question: str, blocks: list[ContextBlock], language: str,
                       leads: Sequence[Candidate] = (), date: DateCandidate | None = None,
                       entity: SentenceCandidate | None = None, insist_language: bool = False) -> list[dict]:
        def marker_of(doc: str, sentence: tuple[int, int]) -> int | None:
            return next((b.marker for b in blocks if b.hit.passage.doc == doc and sentence in b.sentences), None)

        hint = ""
        if date is not None:
            if (marker := marker_of(date.doc, date.sentence)) is not None:
                # The small model misreads another script's dates (2019年5月9日 as "September 12"):
                # it is given the date as its answer will write it too.
                shown = render_date(date.key, language)
                text = date.text if shown.replace(" ", "") == date.text.replace(" ", "") else f"{date.text} ({shown})"
                hint = self.prompts.render("answer_hint_date.txt", date=text, marker=marker) + "\n"
        elif entity is not None:
            if (marker := marker_of(entity.doc, entity.sentence)) is not None:
                sentence = self.articles[entity.doc].text[entity.sentence[0]:entity.sentence[1]]
                names = glossary.lines_for(sentence, language, names_only=True)
                named = self.prompts.render("answer_hint_names.txt", names="; ".join(names)) if names else ""
                hint = self.prompts.render("answer_hint_entity.txt", marker=marker,
                                           start=" ".join(sentence.split())[:16], names=named) + "\n"
        elif leads:
            f = leads[0].figure
            if (marker := marker_of(f.doc, (f.sentence_start, f.sentence_end))) is not None:
                if len(leads) == 1:
                    hint = self.prompts.render("answer_hint.txt", figure=hint_figure(f, language), marker=marker)
                else:  # one sentence holds them all
                    hint = self.prompts.render("answer_hint_set.txt", marker=marker,
                                               figures=" and ".join(hint_figure(c.figure, language) for c in leads))
                hint += "\n"
        passages = "\n".join(
            self.prompts.render("passage.txt", marker=b.marker, date=b.hit.passage.date or "undated",
                                text=block_text(b, self.articles))
            for b in blocks)
        user = self.prompts.render("answer_user.txt", passages=passages, question=question, hint=hint,
                                   language_name=self.prompts.messages["language_names"][language])
        if any(b.hit.passage.language != language for b in blocks):
            # A translated name no longer matches its source; the source's own words do.
            user += "\n" + self.prompts.template("answer_quote_names.txt").strip()
        if insist_language:
            user += "\n" + self.prompts.message("answer_in", language)
        return [{"role": "system", "content": self.prompts.template("answer_system.txt").strip()},
                {"role": "user", "content": user}]

    def refusal(self, question: str, language: str | None = None) -> Answer | None:
        """The answer to a question in a language the tool does not read (before any retrieval), else None."""
        qlang = langid.detect(question)
        if qlang == "und":
            raise BadInput("the question has no words in it")
        lang = self.answer_language(question, language)
        if lang in langid.SUPPORTED and qlang in langid.SUPPORTED:
            return None
        text = self.prompts.message("unsupported_language", "en", language=langid.NAMES.get(qlang, qlang))
        return Answer(question, text, "en", True, [], Timings(), self.llm.name, confidence="")

    def run(self, question: str, language: str | None = None, on_token: OnToken | None = None) -> Answer:
        t0 = time.perf_counter()
        question = check_question(question, self.config.max_question_chars)
        refused = self.refusal(question, language)
        if refused is not None:
            refused.timings.total_s = time.perf_counter() - t0
            return refused
        qlang = langid.detect(question)
        lang = self.answer_language(question, language)
        timings = Timings()
        prepared = self.prepare(question)
        result, ranked, leads, blocks = prepared.result, prepared.ranked, prepared.leads, prepared.blocks
        date, entity = prepared.date, prepared.entity
        timings.retrieve_s = result.seconds
        if not blocks:
            return self._abstain(question, lang, timings, t0, result.hits)
        query = _Query(question, qlang, result.query_tokens, leads, date, entity)
        draft = self._draft(query, blocks, lang, timings, on_token)
        top = leads if len(leads) > 1 else focus_set(ranked)
        focused = self._refocus(leads, top, ranked, draft, result.hits)
        if focused:
            # The answer quotes a figure that fits the question clearly worse than the best ones,
            # or none, or only part of the set a two-part question asks for: ask again with only
            # their sentences. Kept only if it then uses more of them.
            second = self._draft(replace(query, date=None, entity=None), focused, lang, timings, None)
            wanted = {c.figure.id for c in top}
            if not second.abstain and len(second.supporting & wanted) > len(draft.supporting & wanted):
                draft, blocks = second, focused
                draft.refocused = True
        if not draft.abstain and self.other_language(draft.text, lang):
            # An English question answered in English though Chinese was asked for: once more,
            # with the instruction in the answer's language.
            # Kept only if it says as much: a small model told twice sometimes loops instead.
            again = self._draft(replace(query, insist_language=True), blocks, lang, timings, None)
            if not again.abstain and not self.other_language(again.text, lang) and again.supporting >= draft.supporting:
                draft = again
        if draft.abstain:
            return self._abstain(question, lang, timings, t0, result.hits)
        text, checks = draft.text, draft.checks
        text = figures.gloss_figures(text, lang)
        relevance = self.relevance(result, draft.citations)
        timings.total_s = time.perf_counter() - t0
        # "high" needs every figure found in its passage and a cited sentence about the question:
        # a figure that is in its source but answers another question is the commonest wrong answer.
        relevant = relevance is None or relevance >= self.config.relevance_min
        confidence = "high" if all(c.supported for c in checks) and relevant else "low"
        return Answer(question, text, lang, False, draft.citations, timings, self.llm.name, result.hits,
                      figures=checks, conflicts=draft.conflicts, confidence=confidence, refocused=draft.refocused,
                      relevance=relevance, relevant=relevant)

    def prepare(self, question: str) -> Prepared:
        """Retrieval and the context the model will see, before any generation (the eval's context
        recall reads this too)."""
        result = self.retriever.search(question)
        ranked = self.rank_figures(question, result.query_tokens, result.hits)
        fit: dict[tuple[str, int, int], float] = {}
        for c in ranked:
            key = (c.figure.doc, c.figure.sentence_start, c.figure.sentence_end)
            fit[key] = max(fit.get(key, c.score), c.score)
        leads = lead_set(ranked, question)
        date = None if leads else self.lead_date(question, result)
        entity = None if leads or date else self.lead_entity(question, result)
        for lead in (date, entity):
            if lead is not None:
                fit[(lead.doc, *lead.sentence)] = max(fit.get((lead.doc, *lead.sentence), 0.0), DATE_FIT)
        blocks = select_context(result.hits, self.articles, result.query_tokens, self.config.context_tokens, fit,
                                self.sentence_similarity(result), self.config.sentence_dense_weight)
        return Prepared(result, ranked, leads, date, entity, blocks)

    def relevance(self, result: RetrievalResult, citations: list[Citation]) -> float | None:
        """The best e5 cosine between the question and a cited sentence (None without vectors)."""
        if result.query_vector is None or self.similarity is None or not citations:
            return None
        return max(self.similarity.run(result.query_vector, [c.quote for c in citations]).scores)

    def sentence_similarity(self, result: RetrievalResult) -> dict[tuple[str, int, int], float]:
        """Each retrieved sentence's relative dense similarity to the question ({} without a vector)."""
        if result.query_vector is None or self.similarity is None or not self.config.sentence_dense_weight:
            return {}
        keys = list(dict.fromkeys((h.passage.doc, s, e) for h in result.hits for s, e in h.passage.sentences))
        scores = self.similarity.run(result.query_vector, [self.articles[d].text[s:e] for d, s, e in keys])
        return dict(zip(keys, scores.relative(), strict=True))

    def _draft(self, q: _Query, blocks: list[ContextBlock], lang: str, timings: Timings,
               on_token: OnToken | None) -> _Draft:
        """One generation over `blocks`, cited and verified; timings accumulate across drafts."""
        question = q.text
        gen = self.llm.chat(self.build_messages(question, blocks, lang, q.leads, q.date, q.entity, q.insist_language),
                            self.config.max_tokens, on_token)
        timings.prefill_s += gen.prefill_s
        timings.generate_s += gen.generate_s
        timings.prompt_tokens += gen.prompt_tokens
        timings.completion_tokens += gen.completion_tokens
        timings.cached_tokens += gen.cached_tokens
        if self._leaks_prompt(gen.text):
            return _Draft(abstain=True, leaked=True)
        if restates(gen.text, question):
            return _Draft(abstain=True)  # the question handed back is no answer
        text, citations = self.cite(gen.text, blocks)
        if not citations:
            return _Draft(abstain=True)
        if self.verifier is None:
            return _Draft(text, citations)
        text, citations, checks, found, supporting = self.verify(text, citations, blocks, lang, question)
        # Every figure unverifiable, or all about other places than asked (a Changchun–Siping
        # total offered for "Changchun–Guangdong"), of another kind (square metres for an output
        # value), of another year, or sharing no word with the question: say the articles lack it.
        supported = [c.unit for c in checks if c.supported]
        figs = [self.figure_by_id[i] for i in supporting if i in self.figure_by_id]
        if ((checks and not supported) or not self.scope_check(question, figs)
                or not fits_asked_unit(question, supported) or not self.years_fit(question, figs)
                or not self.words_fit(question, q.tokens, figs, q.language)):
            return _Draft(abstain=True)
        return _Draft(text, citations, checks, found, supporting)

    def _refocus(self, leads: list[Candidate], top: list[Candidate], ranked: list[Candidate], draft: _Draft,
                 hits: list[Hit]) -> list[ContextBlock]:
        """The sentences of the best-fitting figures (`top`) alone, when the draft used none of them
        and nothing that fits nearly as well, abstained while a clear lead was in the context, or
        used only part of a lead set; else []."""
        if not ranked or draft.leaked or ranked[0].score < REFOCUS_MIN - 1.0:
            return []
        used_top = {c.figure.id for c in top} & draft.supporting
        if len(leads) > 1:
            if len(used_top) == len(leads):
                return []
        elif ranked[0].score < REFOCUS_MIN or used_top:
            return []
        elif draft.abstain:
            if not leads or leads[0].score < REFOCUS_MIN + 1.0:
                return []
        else:
            used = max((c.score for c in ranked if c.figure.id in draft.supporting), default=float("-inf"))
            # A clear lead was named in the prompt and the model took another value anyway.
            if used > ranked[0].score - (1.0 if leads else 2.0):
                return []
        blocks: list[ContextBlock] = []
        for c in top:
            f = c.figure
            hit = next((h for h in hits if h.passage.doc == f.doc and h.passage.start <= f.start < h.passage.end), None)
            if hit is None:
                continue
            block = next((b for b in blocks if b.hit is hit), None)
            if block is None:
                blocks.append(block := ContextBlock(len(blocks) + 1, hit, []))
            if (f.sentence_start, f.sentence_end) not in block.sentences:
                block.sentences = sorted(block.sentences + [(f.sentence_start, f.sentence_end)])
        return blocks

    def lead_date(self, question: str, result) -> DateCandidate | None:
        """For a "when" question, the date whose sentence fits it clearly best, if any."""
        if not asks_date(question):
            return None
        words = question_words(question, result.query_tokens)
        ranked = [c for h in result.hits for c in rank_dates(words, h.passage.doc, self.articles[h.passage.doc].text,
                                                              h.passage.sentences)]
        return lead_date(sorted(ranked, key=lambda c: -c.score))

    def lead_entity(self, question: str, result) -> SentenceCandidate | None:
        """For a "who / which city / which company" question, the sentence that fits it clearly best."""
        if not asks_entity(question):
            return None
        words = question_words(question, result.query_tokens)
        asked = with_provinces(entities_in(question))
        asked_days = days(question)

        def keep(sentence: str) -> bool:
            return holds_answer_type(question, sentence, asked)

        ranked, seen = [], set()
        for h in result.hits:
            for c in rank_sentences(words, h.passage.doc, self.articles[h.passage.doc].text, h.passage.sentences,
                                    asked_days, keep):
                if (c.doc, c.sentence) not in seen:  # overlapping passages share sentences
                    seen.add((c.doc, c.sentence))
                    ranked.append(c)
        return lead_sentence(sorted(ranked, key=lambda c: -c.score))

    def rank_figures(self, question: str, query_tokens: list[str], hits: list[Hit]) -> list[Candidate]:
        spans = [(h.passage.doc, h.passage.start, h.passage.end) for h in hits]
        return self.focus.rank(question, query_tokens, spans)

    @staticmethod
    def other_language(text: str, lang: str) -> bool:
        """Whether the answer's own words (its first paragraph, before any conflict note; citations,
        brackets and figures quote the sources) are in a supported language other than `lang`."""
        found = answer_language(text.split("\n\n", 1)[0])
        return found in langid.SUPPORTED and found != lang

    @staticmethod
    def years_fit(question: str, figs: list[Figure]) -> bool:
        """False when the question names a year and every figure of the answer states another:
        2019's trade with Russia offered for 2023. A figure with no stated year is not held
        against the answer."""
        asked = asked_years(question)
        return not asked or not figs or any(year_match(f, asked) is not False for f in figs)

    def scope_check(self, question: str, figs: list[Figure]) -> bool:
        """False when the question names places that none of the passages holding the answer's
        figures is about: a Changchun–Siping total for "Changchun–Guangdong", a Harbin signing
        total for "Siping's GDP"."""
        asked = set(entities_in(question))
        if not asked or not figs:
            return True
        # The article may restate the figure where it names the place: 1114.79亿元 twice in 001.
        # A new list: the caller's figures go on to the year and word checks as they are.
        figs = figs + [g for f in figs for g in self.focus.by_doc.get(f.doc, [])
                       if (g.value, g.unit) == (f.value, f.unit)]
        for f in figs:
            p = self.passages.get(f.passage_id)
            start, end = (p.start, p.end) if p else (0, 0)
            covered = passage_places(self.articles[f.doc].text, start, end,
                                     [*self.doc_places.get(f.doc, []), *f.scope])
            if asked <= covered:
                return True
        return False

    def words_fit(self, question: str, query_tokens: list[str], figs: list[Figure], lang: str) -> bool:
        """False when no figure of the answer shares a word with the question beyond its places:
        460天 of a building project offered for 哈尔滨动物园有多少只大熊猫. Chinese and Korean
        questions only: English reaches the sources through a small lexicon, so no shared word
        proves little there."""
        if lang == "en" or not query_tokens:
            return True
        words = question_words(question, query_tokens)
        return not figs or any(words & self.focus.words_near(f) for f in figs)

    def verify(self, text: str, citations: list[Citation], blocks: list[ContextBlock], lang: str,
               question: str = ""):
        """Check and repair the answer's figures, then report conflicting sources: for the figures
        used, and for the measure the question asks about (the model may have picked another)."""
        cites = CitationList(self.articles, self.passages, citations, lambda p: next(
            (b.sentences[0] for b in blocks if b.hit.passage.id == p.id and b.sentences), None))
        cite = cites.cite
        markers = {c.marker: c.passage_id for c in citations}
        assert self.verifier is not None, "called only when there are passages to verify against"
        v = self.verifier.run(text, lang, markers, [b.hit.passage.id for b in blocks], cite)
        text = v.text
        found = conflicts_for(v.supporting, self.conflicts)
        # Also every conflict on the asked measure and places: "Guangzhou items handled in Qiqihar"
        # names both cities either way round, so both directions are shown, the model's own first.
        found += [c for c in self._asked_conflicts(question) if c not in found]
        notes = [self._conflict_note(c, lang, cite) for c in found]
        if notes:
            text = text.rstrip() + "\n\n" + "\n".join(notes)
        return text, cites.items, v.checks, found, v.supporting

    def _asked_conflicts(self, question: str) -> list[Conflict]:
        """Conflicts on the measure the question names, about the places it names."""
        if not question:
            return []
        keys = {m.key for m in measures() if m.matches(question)}
        asked = set(entities_in(question))
        out = []
        for c in self.conflicts:
            if c.measure in keys:
                if asked <= with_provinces(c.scope):
                    out.append(c)
        return out

    def _conflict_note(self, c: Conflict, lang: str, cite) -> str:
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
            marker = cite(vs[0].passage_id, (f.sentence_start, f.sentence_end) if f else None)
            parts.append(self.prompts.message("conflict_value", lang,
                                              value=", ".join(dict.fromkeys(render(v) for v in vs)),
                                              when=when(vs[0]), marker=marker))
        newest = next(v for v in c.values if v.passage_id == c.newest)
        newest_group = groups[(newest.doc, newest.as_of)]
        return self.prompts.message(
            "conflict", lang, label=measure_label(c.measure, lang),
            values=self.prompts.message("list_sep", lang).join(parts),
            newest=", ".join(dict.fromkeys(render(v) for v in newest_group)), when=when(newest))

    def _leaks_prompt(self, text: str) -> bool:
        """An injected request made the model recite its instructions: never show them."""
        low = " ".join(text.lower().split())
        for line in self.prompts.template("answer_system.txt").splitlines():
            line = " ".join(line.lower().strip("- ").split())
            if len(line) >= 30 and line[:60] in low:
                return True
        return False

    def _abstain(self, question, lang, timings, t0, hits) -> Answer:
        timings.total_s = time.perf_counter() - t0
        return Answer(question, self.prompts.message("abstain", lang), lang, True, [], timings, self.llm.name, hits)

    def cite(self, raw: str, blocks: list[ContextBlock]) -> tuple[str, list[Citation]]:
        """Validate and renumber markers; attribute unmarked claims by shared figures. ('', []) = abstain."""
        text = raw.strip()
        if not text or NOT_FOUND in text.upper().replace(" ", "_"):
            return "", []
        text = drop_echoed_questions(text)
        by_marker = {b.marker: b for b in blocks}
        order: list[int] = []

        def renumber(m: re.Match) -> str:
            keep = []
            for n in re.split(r"\s*[,，、]\s*", m.group(1)):
                n = int(n)
                if n in by_marker:
                    if n not in order:
                        order.append(n)
                    keep.append(order.index(n) + 1)
            return "".join(f"[{k}]" for k in dict.fromkeys(keep))

        text = _MARKER.sub(renumber, text)
        if not order:
            text, order = self._attribute(text, blocks)
        text = re.sub(r"[ \t]+([。.,，])", r"\1", text).strip()
        citations = []
        for i, marker in enumerate(order, start=1):
            b = by_marker[marker]
            claim = " ".join(_claims(text, f"[{i}]")) or text
            s, e = self._best_sentence(b, claim)
            p = b.hit.passage
            art = self.articles[p.doc]
            citations.append(Citation(i, p.doc, p.title, p.date, p.id, s, e, art.text[s:e], art.page_at(s)))
        return text, citations

    def _best_sentence(self, block: ContextBlock, claim: str) -> tuple[int, int]:
        text = self.articles[block.hit.passage.doc].text
        nums, toks = figures.numbers(claim), set(tokens(claim))

        def score(se):
            # The claim's figures first: a headline sharing many words but none of its numbers is no
            # support for them.
            sentence = text[se[0]:se[1]]
            return (len(nums & figures.numbers(sentence)), len(toks & set(tokens(sentence))), -se[0])

        return max(block.sentences or block.hit.passage.sentences, key=score)

    def _attribute(self, text: str, blocks: list[ContextBlock]) -> tuple[str, list[int]]:
        """No usable markers: cite, per answer sentence, the block sharing its figures (or most words)."""
        order: list[int] = []
        out = []
        for sentence in split_sentences(text):
            if not sentence.strip():
                continue
            nums, toks = figures.numbers(sentence), set(tokens(sentence))
            best, best_score = None, 0
            for b in blocks:
                body = block_text(b, self.articles)
                shared_nums = len(nums & figures.numbers(body))
                sc = 3 * shared_nums + len(toks & set(tokens(body))) if (shared_nums or not nums) else 0
                if sc > best_score:
                    best, best_score = b.marker, sc
            if best is not None and best_score >= 3:
                if best not in order:
                    order.append(best)
                sentence = sentence.rstrip() + f" [{order.index(best) + 1}]"
            out.append(sentence)
        return " ".join(out), order
