"""Answerer: the answering components run in order, with the retry policy between drafts.

A question none of whose passages is in its language is drafted in theirs and the answer then
translated (`pivot_answers`): the small model copies a Chinese passage's words into a Chinese
answer far more faithfully than it translates them into an English one while reading.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

from .. import figures
from ..config import Config
from ..figures.date_check import DateVerifier
from ..figures.focus import FigureFocus
from ..figures.verify import FigureVerifier
from ..ingest import lang as langid
from ..llm.base import ChatModel, OnToken
from ..prompts import Prompts
from ..retrieval import HybridRetriever, RetrievalResult
from ..sentences_dense import SentenceSimilarity
from ..types import Answer, Article, Citation, Conflict, Figure, Passage, Timings
from .checker import FigureChecker
from .citer import CitationMapper, Marked
from .context import Context, ContextBlock, ContextSelector, block_text
from .generator import Generator, Lead
from .gloss import NameGlosser
from .grounding import GroundingCheck
from .guard import AnswerGuard
from .prose import MARKER, PLAIN_MARKER, cited_sentences, other_language
from .query import Query, QueryAnalyzer
from .retry import Draft, RetryPolicy
from .translate import QueryTranslator, SentenceTranslator


@dataclass
class _Ask:
    """One question on its way through: what every draft of it shares."""

    query: Query
    context: Context
    timings: Timings
    drafted_in: str  # the language drafts are written in: the asked one, or the passages' (pivot)


def _source_units(draft: Draft) -> dict[str, str]:
    """Each checked figure's unit as its source has it (a South Korean 원 is won), by the figure's text."""
    return {c.text: c.unit for c in draft.checks if c.supported and c.unit}


_END_PUNCT = "。．.！!？? "  # a sentence's closing punctuation, set again after the source in brackets


def _same_figures(translation: str, source: str) -> bool:
    """The translation states the source sentence's amounts and no other: the model, told to copy
    5000亿元, sometimes writes "5000 billion yuan" (ten times too much), or drops the figure."""
    theirs = {m.value for m in figures.parse_figures(source)}
    ours = {m.value for m in figures.parse_figures(translation)}
    stated = {m.value for m in figures.parse_figures(source) if not m.is_bare}
    return stated <= ours and all(m.value in theirs for m in figures.parse_figures(translation) if not m.is_bare)


class Answerer:
    def __init__(self, config: Config, retriever: HybridRetriever, llm: ChatModel,
                 articles: dict[str, Article], prompts: Prompts | None = None,
                 passages: list[Passage] | None = None, figure_list: list[Figure] | None = None,
                 conflicts: list[Conflict] | None = None, similarity: SentenceSimilarity | None = None):
        self.config = config
        self.retriever = retriever
        self.articles = articles
        self.prompts = prompts or Prompts(config.prompts_dir)
        self.passages = {p.id: p for p in passages or []}
        self.similarity = similarity
        focus = FigureFocus(figure_list or [], {d: a.text for d, a in articles.items()})
        self.analyzer = QueryAnalyzer(self.prompts, config.max_question_chars, config.language)
        self.selector = ContextSelector(articles, focus, config.context_tokens, similarity,
                                        config.sentence_dense_weight, config.context_passage_min)
        self.generator = Generator(llm, self.prompts, articles, config.max_tokens)
        self.mapper = CitationMapper(articles, self.passages, similarity if config.dense_attribution else None,
                                     config.relevance_min, config.attribute_min, config.remark_ratio, similarity)
        self.checker = (FigureChecker(FigureVerifier(figure_list or [], self.passages, focus.texts,
                                                     self.prompts.messages["unverified"],
                                                     self.prompts.messages["qualified"]),
                                      figure_list or [], conflicts or [], self.prompts,
                                      DateVerifier(self.passages, focus.texts, config.date_claim_margin,
                                                   config.date_claim_min))
                        if passages else None)
        grounding = (GroundingCheck(articles, retriever.term_shares, config.grounding_share_max)
                     if config.grounding_missing_max < 1 else None)
        self.guard = AnswerGuard(self.prompts, articles, self.passages, focus, grounding, config.grounding_missing_max)
        self.retry = RetryPolicy()
        # One translator (and its cache) for both: the first translation serves a retry too.
        translator = QueryTranslator(llm, self.prompts) if config.translate_retry or config.translate_query else None
        self.translator = translator if config.translate_retry else None
        self.query_translator = translator if config.translate_query else None
        self.glosser = NameGlosser(self.generator) if config.gloss_names else None
        self.sentences = SentenceTranslator(llm, self.prompts, config.max_tokens) if config.pivot_answers else None

    @property
    def llm(self) -> ChatModel:
        return self.generator.llm

    @llm.setter
    def llm(self, llm: ChatModel) -> None:
        self.generator.llm = llm
        for translator in (self.translator, self.query_translator):
            if translator is not None:
                translator.llm = llm
        if self.sentences is not None:
            self.sentences.llm = llm

    def warm_up(self) -> None:
        self.generator.warm_up()
        self.selector.warm_up()

    def refusal(self, question: str, language: str | None = None) -> Answer | None:
        """The answer to a question in a language the tool does not read (before any retrieval), else None."""
        query = self.analyzer.run(question, language)
        return self._refused(query, Timings()) if query.refusal else None

    def _refused(self, query: Query, timings: Timings) -> Answer:
        return Answer(query.text, query.refusal, "en", True, [], timings, self.llm.name, confidence="")

    def prepare(self, question: str) -> Context:
        """Retrieval and the context the model will see, before any generation (the eval's context
        recall reads this too)."""
        return self.selector.run(question, self.retriever.search(question))

    def run(self, question: str, language: str | None = None, on_token: OnToken | None = None) -> Answer:
        t0 = time.perf_counter()
        query = self.analyzer.run(question, language)
        if query.refusal:
            return self._refused(query, Timings(total_s=time.perf_counter() - t0))
        context = self.prepare(query.text)
        timings = Timings(retrieve_s=context.result.seconds)
        target = self._source_language(context, query.language)
        if self.query_translator is not None and target:
            query, context = self._with_translation(query, context, target, timings)
        lang = query.answer_language
        ask = _Ask(query, context, timings, self._drafted_in(context, lang))
        if not context.blocks:
            return self._abstain(ask, t0, "no_context")
        lead = Lead(context.leads, context.date, context.entity)
        draft = self._draft(ask, context.blocks, lead, on_token=on_token)
        focused = self.retry.refocus(context, draft)
        if focused:
            second = self._draft(ask, focused, Lead(context.leads))
            if self.retry.better_focus(context, draft, second):
                draft = second
                draft.refocused = True
        target = self.retry.translate_to(query.language, draft) if self.translator and not query.translation else ""
        if target:
            translated = self._translated(ask, target)
            if translated is not None and not translated[1].abstain:
                # Later drafts and checks read the translated question's context and words.
                ask, draft = translated
                context = ask.context
                lead = Lead(context.leads, context.date, context.entity)
        drafted = ask.drafted_in
        # A pivot draft already in the asked language needs no retry (nor translation).
        if self.retry.wrong_language(draft, drafted) and self.retry.wrong_language(draft, lang):
            # An English question answered in English though Chinese was asked for: once more,
            # with the instruction in the answer's language.
            again = self._draft(ask, draft.blocks, lead, insist_language=True)
            if self.retry.better_language(draft, again, drafted):
                draft = again
        if draft.abstain:
            return self._abstain(ask, t0, draft.reason)
        relevance = self.relevance(context.result, draft.citations)
        if self._off_question(relevance):
            return self._abstain(ask, t0, "off_question")
        text, translated_from = draft.text, ""
        if drafted != lang and other_language(text, lang):
            put = self._put_into(text, lang, ask.timings, _source_units(draft))
            if put:
                text, translated_from = put, drafted
            else:  # the translation failed: drafted again, in the asked language this time
                direct = _Ask(query, context, ask.timings, lang)
                again = self._draft(direct, draft.blocks, lead)
                if again.abstain:  # an untranslated draft is no answer in the asked language
                    return self._abstain(ask, t0, again.reason)
                draft, text = again, again.text
                relevance = self.relevance(context.result, draft.citations)
                if self._off_question(relevance):
                    return self._abstain(ask, t0, "off_question")
        cited = [self.passages[c.passage_id] for c in draft.citations if c.passage_id in self.passages]
        if not translated_from:
            if self.glosser is not None and draft.messages and any(p.language != lang for p in cited):
                text = self.glosser.run(draft.messages, draft.raw, text, [p.text for p in cited], ask.timings).text
            text = figures.gloss_figures(text, lang, units=_source_units(draft))
        ask.timings.total_s = time.perf_counter() - t0
        # "high" needs every figure and date found in its passage and a cited sentence about the
        # question: a figure that is in its source but answers another question is the commonest wrong answer.
        relevant = relevance is None or relevance >= self.config.relevance_min
        verified = all(c.supported for c in draft.checks) and all(d.supported for d in draft.dates)
        confidence = "high" if verified and relevant else "low"
        return Answer(query.text, text, lang, False, draft.citations, ask.timings, self.llm.name,
                      context.result.hits, figures=draft.checks, conflicts=draft.conflicts, dates=draft.dates,
                      confidence=confidence,
                      refocused=draft.refocused, relevance=relevance, relevant=relevant,
                      translated_from=translated_from, question_translation=ask.query.translation)

    def _drafted_in(self, context: Context, lang: str) -> str:
        """The language to draft in: the passages' commonest when none is in the asked language
        (and pivoting is on), else the asked one."""
        return (self._source_language(context, lang) if self.sentences is not None else "") or lang

    @staticmethod
    def _source_language(context: Context, lang: str) -> str:
        """The shown passages' commonest language when none is in `lang` ("" when one is, or none is shown)."""
        langs = [b.hit.passage.language for b in context.blocks]
        if not langs or lang in langs:
            return ""
        main = max(dict.fromkeys(langs), key=langs.count)  # a tie goes to the first block's
        return main if main in langid.SUPPORTED else ""

    def _with_translation(self, query: Query, context: Context, target: str, timings: Timings) -> tuple[Query, Context]:
        """The question put into its passages' language, and the context retrieved with both wordings
        (the first one where the model gives no translation)."""
        assert self.query_translator is not None, "called only with a query translator"
        words = self.query_translator.run(query.text, target, timings)
        if not words:
            return query, context
        result = self.retriever.search(query.text, also=[words])
        timings.retrieve_s += result.seconds
        fused = self.selector.run(words, result)
        if not fused.blocks:
            return query, context
        return replace(query, translation=words, translated_to=target), fused

    def _put_into(self, text: str, lang: str, timings: Timings, units: dict[str, str]) -> str:
        """A pivot draft in `lang`: each sentence not in it translated, its figures glossed, and the
        source-language sentence kept after it in brackets, so a reader can check the translation
        (of names above all) against the cited passage. "" when a translation fails."""
        assert self.sentences is not None, "called only when pivoting"
        end = "。" if lang == "zh" else "."
        # The answer's own paragraph; conflict notes after it are written in `lang` already.
        head, sep, notes = text.partition("\n\n")
        out = []
        for sentence in cited_sentences(head):
            if not other_language(sentence, lang):
                out.append(sentence)
                continue
            markers = " ".join(PLAIN_MARKER.findall(sentence))
            source = MARKER.sub("", sentence).strip().rstrip(_END_PUNCT)
            put = self.sentences.run(source, lang, timings=timings)
            if not put or not _same_figures(put, source):
                return ""
            put = figures.gloss_figures(put.rstrip(_END_PUNCT), lang, with_source=False, units=units)
            out.append(f"{put} ({source}){end} {markers}".rstrip())
        return " ".join(out) + sep + notes

    def _translated(self, ask: _Ask, target: str) -> tuple[_Ask, Draft] | None:
        """The question put into `target`, retrieved with and drafted over (None: no translation).
        The model sees both: the asker's words and the passages' own."""
        assert self.translator is not None, "called only with a translator"
        words = self.translator.run(ask.query.text, target, ask.timings)
        if not words:
            return None
        context = self.prepare(words)
        ask.timings.retrieve_s += context.result.seconds
        if not context.blocks:
            return None
        lead = Lead(context.leads, context.date, context.entity)
        query = replace(ask.query, translation=words, translated_to=target)
        again = _Ask(query, context, ask.timings, self._drafted_in(context, query.answer_language))
        return again, self._draft(again, context.blocks, lead)

    def _off_question(self, relevance: float | None) -> bool:
        """Whether the cited sentences are too unlike the question for the answer to be about it."""
        return relevance is not None and relevance < self.config.relevance_abstain

    def relevance(self, result: RetrievalResult, citations: list[Citation]) -> float | None:
        """The best e5 cosine between the question and a cited sentence (None without vectors)."""
        if result.query_vector is None or self.similarity is None or not citations:
            return None
        return max(self.similarity.run(result.query_vector, [c.quote for c in citations]).scores)

    def _draft(self, ask: _Ask, blocks: list[ContextBlock], lead: Lead, insist_language: bool = False,
               on_token: OnToken | None = None) -> Draft:
        """One generation over `blocks`: screened, marked, checked, judged, then cited."""
        query = ask.query
        messages = self.generator.messages(query.shown, blocks, ask.drafted_in, lead, insist_language,
                                           self._terms(ask.context, blocks))
        gen = self.generator.run(messages, ask.timings, on_token)
        screened = self.guard.screen(gen.text, query.text, query.translation)
        if screened.abstain:
            return Draft(blocks=blocks, reason=screened.reason)
        marked = self.mapper.mark(gen.text, blocks)
        if marked is None:
            return Draft(blocks=blocks, reason="not_found")
        if not marked.blocks and self.config.ask_source:
            marked = self._sourced(ask, messages, gen.text, blocks) or marked
        if not marked.blocks:
            return Draft(blocks=blocks, reason="uncited")
        cites = self.mapper.citation_list(marked)
        if self.checker is None:
            return Draft(marked.text, blocks, self.mapper.cite(marked.text, cites, marked.blocks), messages=messages,
                         raw=gen.text)
        # A pivot draft the model wrote in the asked language after all is checked as one.
        written_in = "" if other_language(marked.text, ask.drafted_in) else ask.drafted_in
        checked = self.checker.run(marked.text, cites, [b.hit.passage.id for b in blocks], query, written_in)
        verdict = self.guard.run(query, ask.context.result.query_tokens, checked.checks, checked.figures,
                                 [b.hit.passage.doc for b in marked.blocks])
        if verdict.abstain:
            return Draft(blocks=blocks, reason=verdict.reason)
        return Draft(checked.text, blocks, self.mapper.cite(checked.text, cites, marked.blocks), checked.checks,
                     checked.conflicts, checked.supporting, checked.dates, messages=messages, raw=gen.text)

    def _terms(self, context: Context, blocks: list[ContextBlock]) -> list[tuple[str, str]]:
        """The question's dictionary phrases with the first of their words the shown text writes,
        `dictionary_terms` at most: the small model then ties an English question's "divisor" to
        the passage's 约数 where it otherwise answered about another sentence."""
        if not context.result.terms or self.config.dictionary_terms <= 0:
            return []
        shown = " ".join(block_text(b, self.articles) for b in blocks)
        found = [(phrase, next((w for w in words if w in shown), "")) for phrase, words in context.result.terms]
        return [(phrase, word) for phrase, word in found if word][:self.config.dictionary_terms]

    def _sourced(self, ask: _Ask, messages: list[dict], raw: str, blocks: list[ContextBlock]) -> Marked | None:
        """An unmarked answer marked with the passage the model names for it (None: none shown)."""
        marker = self.generator.source(messages, raw, [b.marker for b in blocks], ask.timings)
        if marker is None:
            return None
        return self.mapper.mark(f"{raw.strip()} [{marker}]", blocks)

    def _abstain(self, ask: _Ask, t0: float, reason: str) -> Answer:
        ask.timings.total_s = time.perf_counter() - t0
        lang = ask.query.answer_language
        return Answer(ask.query.text, self.prompts.message("abstain", lang), lang, True, [], ask.timings,
                      self.llm.name, ask.context.result.hits, abstain_reason=reason,
                      question_translation=ask.query.translation)
