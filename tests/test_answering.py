"""The answering components, one behaviour per test, on tiny documents written for the tests."""
import pytest

from rag.answering.citer import CitationMapper
from rag.answering.context import Context, ContextBlock
from rag.answering.query import QueryAnalyzer
from rag.answering.retry import Draft, RetryPolicy
from rag.config import Config
from rag.errors import BadInput
from rag.prompts import Prompts
from rag.retrieval import RetrievalResult
from rag.types import Article, Hit, Passage

PORT = ("港口年报\n\n"
        "诺尔维克港2023年货物吞吐量为5.2万吨，比上年增长8%。"
        "港口共有码头四座，灯塔于1911年重建。\n")
FERRY = ("渡轮简讯\n\n"
         "诺尔维克渡轮2023年运送旅客3.6万人次。"
         "渡轮航线每天往返六次。\n")


@pytest.fixture
def analyzer():
    return QueryAnalyzer(Prompts(Config().prompts_dir), max_chars=200)


def test_the_analyzer_reads_the_questions_language_places_and_years(analyzer):
    q = analyzer.run("杭州2023年的游客人数是多少？")
    assert (q.language, q.answer_language, q.places, q.years, q.refusal) == ("zh", "zh", {"Hangzhou"}, {"2023"}, "")


def test_the_analyzer_answers_in_the_language_asked_for(analyzer):
    q = analyzer.run("How many tourists visited Hangzhou?", "ko")
    assert (q.language, q.answer_language) == ("en", "ko")


def test_the_analyzer_refuses_a_question_in_a_language_it_does_not_read(analyzer):
    q = analyzer.run("東京の人口は何人ですか？")
    assert q.refusal and "Japanese" in q.refusal and q.answer_language == "en"


@pytest.mark.parametrize("question, language", [("", None), ("x" * 201, None), ("How big?", "fr"), ("？！", None)])
def test_the_analyzer_rejects_bad_input_in_one_line(analyzer, question, language):
    with pytest.raises(BadInput) as e:
        analyzer.run(question, language)
    assert "\n" not in str(e.value)


def _blocks(*texts: str) -> tuple[dict[str, Article], dict[str, Passage], list[ContextBlock]]:
    articles, passages, blocks = {}, {}, []
    for i, text in enumerate(texts, 1):
        doc = f"d{i}.txt"
        articles[doc] = Article(doc, text, "", "zh", f"title {i}", False, "2024-01-01", False, "", "utf-8")
        p = Passage(f"{doc}#0", doc, 0, 0, len(text), text, "zh", f"title {i}", "2024-01-01", "", [(0, len(text))])
        passages[p.id] = p
        blocks.append(ContextBlock(i, Hit(p, 1.0), [(0, len(text))]))
    return articles, passages, blocks


def test_markers_for_blocks_never_shown_are_dropped_and_the_rest_renumbered_by_first_use():
    articles, passages, blocks = _blocks("甲港吞吐量为5.2万吨。", "乙港吞吐量为3.6万吨。")
    marked = CitationMapper(articles, passages).mark("乙港为3.6万吨[2]，甲港为5.2万吨[1][7]。", blocks)
    assert marked is not None and marked.text == "乙港为3.6万吨[1]，甲港为5.2万吨[2]。"
    assert [b.marker for b in marked.blocks] == [2, 1]


PORT_LINE = "诺尔维克港2023年货物吞吐量为5.2万吨，比上年增长8%。"


def test_a_claim_marked_with_a_block_sharing_nothing_with_it_is_cited_to_the_one_it_copies():
    articles, passages, blocks = _blocks("渡轮航线每天往返多次。", PORT_LINE)
    marked = CitationMapper(articles, passages).mark("诺尔维克港2023年货物吞吐量为5.2万吨。[1]", blocks)
    assert marked is not None and marked.text == "诺尔维克港2023年货物吞吐量为5.2万吨。[1]"
    assert [b.marker for b in marked.blocks] == [2]


def test_a_claim_its_marked_block_supports_keeps_its_marker():
    articles, passages, blocks = _blocks("诺尔维克港吞吐量为5.2万吨。", PORT_LINE)
    marked = CitationMapper(articles, passages).mark("诺尔维克港2023年货物吞吐量为5.2万吨。[1]", blocks)
    assert marked is not None and [b.marker for b in marked.blocks] == [1]


def test_a_claim_is_re_cited_to_a_block_sharing_more_once_the_ratio_allows():
    articles, passages, blocks = _blocks("诺尔维克港吞吐量为5.2万吨。", PORT_LINE)
    mapper = CitationMapper(articles, passages, remark_ratio=1.0)
    marked = mapper.mark("诺尔维克港2023年货物吞吐量为5.2万吨。[1]", blocks)
    assert marked is not None and [b.marker for b in marked.blocks] == [2]


def test_an_answer_without_markers_is_cited_to_the_block_holding_its_figure():
    articles, passages, blocks = _blocks("甲港吞吐量为5.2万吨。", "乙港吞吐量为3.6万吨。")
    marked = CitationMapper(articles, passages).mark("乙港吞吐量为3.6万吨。", blocks)
    assert marked is not None and marked.text.endswith("[1]") and [b.marker for b in marked.blocks] == [2]


def test_not_found_is_no_answer_and_an_unattributable_one_cites_nothing():
    articles, passages, blocks = _blocks("甲港吞吐量为5.2万吨。")
    mapper = CitationMapper(articles, passages)
    assert mapper.mark("NOT_FOUND", blocks) is None
    marked = mapper.mark("The weather was fine.", blocks)
    assert marked is not None and marked.blocks == []


def test_a_citation_quotes_the_sentence_holding_the_claims_figure():
    text = "甲港年报：甲港码头与甲港灯塔。甲港吞吐量为5.2万吨。"
    articles, passages, _ = _blocks(text)
    p = passages["d1.txt#0"]
    p.sentences = [(0, 15), (15, len(text))]
    block = ContextBlock(1, Hit(p, 1.0), list(p.sentences))
    mapper = CitationMapper(articles, passages)
    marked = mapper.mark("甲港码头与甲港灯塔的吞吐量为5.2万吨[1]。", [block])
    assert marked is not None
    (c,) = mapper.cite(marked.text, mapper.citation_list(marked), marked.blocks)
    assert c.quote == "甲港吞吐量为5.2万吨。" and text[c.start:c.end] == c.quote


def test_a_figure_in_no_source_abstains_with_that_reason(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港2023年货物吞吐量为9.9万吨。[1]"])
    a = pipe.ask("诺尔维克港2023年货物吞吐量是多少？")
    assert a.abstained and a.abstain_reason == "unsupported" and a.citations == []


def test_a_figure_of_another_year_than_asked_abstains_with_that_reason(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港货物吞吐量为5.2万吨。[1]"])
    a = pipe.ask("诺尔维克港2021年货物吞吐量是多少？")
    assert a.abstained and a.abstain_reason == "year"


def test_a_count_of_people_answered_with_tonnes_abstains_with_that_reason(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港有5.2万吨。[1]"])
    a = pipe.ask("诺尔维克港有多少名员工？")
    assert a.abstained and a.abstain_reason == "unit"


def test_the_model_finding_nothing_abstains_with_that_reason(tiny_corpus):
    a = tiny_corpus({"port.txt": PORT}, ["NOT_FOUND"]).ask("诺尔维克港有多少名员工？")
    assert a.abstained and a.abstain_reason == "not_found" and a.to_dict()["abstain_reason"] == "not_found"


def test_an_answer_reciting_the_instructions_abstains_and_is_never_shown(tiny_corpus):
    system = Prompts(Config().prompts_dir).template("answer_system.txt")
    line = next(x for x in system.splitlines() if len(x.strip("- ")) >= 30)
    a = tiny_corpus({"port.txt": PORT}, [line + " [1]"]).ask("诺尔维克港货物吞吐量是多少？")
    assert a.abstained and a.abstain_reason == "leaked" and line not in a.answer


def test_an_answer_that_stands_has_no_abstain_reason(tiny_corpus):
    a = tiny_corpus({"port.txt": PORT}, ["诺尔维克港2023年货物吞吐量为5.2万吨。[1]"]).ask(
        "诺尔维克港2023年货物吞吐量是多少？")
    assert not a.abstained and a.abstain_reason == "" and "5.2万吨" in a.citations[0].quote


def test_a_figure_the_model_left_uncited_is_cited_to_the_shown_passage_holding_it(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT, "ferry.txt": FERRY})
    question = "诺尔维克2023年货物吞吐量和渡轮旅客各是多少？"
    blocks = pipe.answerer.prepare(question).blocks
    port = next(b.marker for b in blocks if b.hit.passage.doc == "port.txt")
    pipe.answerer.llm = pipe.answerer.llm.__class__([f"货物吞吐量为5.2万吨，渡轮运送旅客3.6万人次。[{port}]"])
    a = pipe.ask(question)
    assert not a.abstained and [c.doc for c in a.citations] == ["port.txt", "ferry.txt"]
    assert "3.6万人次 [2]" in a.answer and "3.6万人次" in a.citations[1].quote


def _context(ranked=()) -> Context:
    return Context(RetrievalResult([], [], 0.0), list(ranked), [], None, None, [])


def test_no_refocus_without_a_figure_that_fits_the_question():
    assert RetryPolicy().refocus(_context(), Draft(reason="not_found")) == []


def test_a_draft_in_another_language_than_asked_is_retried_and_a_worse_retry_not_kept():
    policy = RetryPolicy()
    english = Draft("The port handled 52,000 tonnes. [1]", supporting={"f1"})
    assert policy.wrong_language(english, "zh") and not policy.wrong_language(english, "en")
    assert policy.better_language(english, Draft("港口吞吐量为5.2万吨。[1]", supporting={"f1"}), "zh")
    assert not policy.better_language(english, Draft("港口很大。[1]"), "zh")


def test_an_unmarked_sentence_sharing_no_word_is_cited_to_the_block_most_like_it(fake_embedder):
    from rag.sentences_dense import SentenceSimilarity

    articles, passages, blocks = _blocks("The lighthouse keeper rebuilt the lamp house in 1911.",
                                         "Ferries leave the quay six times a day.")
    similar = SentenceSimilarity(fake_embedder)
    answer = "Lighthouse rebuilt."  # two shared words: too few to attribute by words alone
    assert CitationMapper(articles, passages).mark(answer, blocks).blocks == []
    marked = CitationMapper(articles, passages, similar, min_cosine=0.3).mark(answer, blocks)
    assert [b.marker for b in marked.blocks] == [1] and marked.text.endswith("[1]")
    assert CitationMapper(articles, passages, similar, min_cosine=1.01).mark(answer, blocks).blocks == []


class _Lookup:
    """An embedder whose vectors are given per text (any other text: the zero vector)."""

    id, dim = "lookup", 2

    def __init__(self, vectors: dict[str, list[float]]):
        self.vectors = vectors

    def warm_up(self) -> None:
        pass

    def _one(self, text: str):
        import numpy as np

        return np.asarray(self.vectors.get(text.strip(), [0.0, 0.0]), dtype=np.float32)

    def embed_query(self, text: str):
        return self._one(text)

    def embed_passages(self, texts: list[str]):
        import numpy as np

        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, 2), dtype=np.float32)


def _titled_block(body: str = "渡轮航线每天往返多次。"
                  ) -> tuple[dict[str, Article], dict[str, Passage], list[ContextBlock]]:
    title = "Norrvik ferry line\n"
    articles, passages, _ = _blocks(title + body)
    p = passages["d1.txt#0"]
    p.sentences = [(0, len(title)), (len(title), len(title) + len(body))]
    return articles, passages, [ContextBlock(1, Hit(p, 1.0), list(p.sentences))]


CLAIM = "The Norrvik ferry line sails many times a day."


def test_a_claim_in_another_language_quotes_the_sentence_most_like_it_not_a_title_sharing_its_words():
    from rag.sentences_dense import SentenceSimilarity

    articles, passages, blocks = _titled_block()
    quotes = SentenceSimilarity(_Lookup({CLAIM: [1.0, 0.0], "渡轮航线每天往返多次。": [0.9, 0.1],
                                         "Norrvik ferry line": [0.1, 0.9]}))
    mapper = CitationMapper(articles, passages, quotes=quotes)
    assert mapper.best_sentence(blocks[0], CLAIM) == blocks[0].sentences[1]


def test_without_vectors_a_claim_quotes_the_sentence_sharing_most_words():
    articles, passages, blocks = _titled_block()
    assert CitationMapper(articles, passages).best_sentence(blocks[0], CLAIM) == blocks[0].sentences[0]


def test_a_question_the_model_found_nothing_for_in_another_languages_passages_is_asked_again_translated(
        tiny_corpus):
    translated = "诺尔维克港2023年货物吞吐量是多少？"
    pipe = tiny_corpus({"port.txt": PORT}, ["NOT_FOUND", translated, "The port handled 5.2万吨 in 2023. [1]"],
                       translate_retry=True)
    question = "How much cargo did the port of Norrvik handle in 2023?"
    a = pipe.ask(question)
    calls = pipe.llm.calls
    assert len(calls) == 3 and "Translate into Chinese" in calls[1][-1]["content"]
    assert f"Question: {question} ({translated})" in calls[2][-1]["content"]  # the asker's words and theirs
    assert not a.abstained and a.language == "en" and "5.2万吨" in a.citations[0].quote


def test_a_translation_in_another_language_than_asked_for_is_not_used(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["NOT_FOUND", "How much cargo was handled?"], translate_retry=True)
    a = pipe.ask("How much cargo did the port of Norrvik handle in 2023?")
    assert len(pipe.llm.calls) == 2 and a.abstained and a.abstain_reason == "not_found"


def test_no_translation_for_a_question_in_its_passages_language(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["NOT_FOUND"], translate_retry=True)
    a = pipe.ask("诺尔维克港有多少名员工？")
    assert len(pipe.llm.calls) == 1 and a.abstained


def test_no_translation_unless_configured(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["NOT_FOUND", "诺尔维克港2023年货物吞吐量是多少？"])
    a = pipe.ask("How much cargo did the port of Norrvik handle in 2023?")
    assert len(pipe.llm.calls) == 1 and a.abstained and a.abstain_reason == "not_found"


def test_a_question_in_another_language_than_its_passages_is_translated_before_the_first_draft(tiny_corpus):
    translated = "诺尔维克港2023年货物吞吐量是多少？"
    pipe = tiny_corpus({"port.txt": PORT}, [translated, "诺尔维克港2023年货物吞吐量为5.2万吨。 [1]",
                                            "The port of Norrvik handled 5.2万吨 of cargo in 2023."],
                       translate_query=True)
    question = "How much cargo did the port of Norrvik handle in 2023?"
    a = pipe.ask(question)
    calls = pipe.llm.calls
    assert "Translate into Chinese" in calls[0][-1]["content"]
    assert f"Question: {question} ({translated})" in calls[1][-1]["content"]
    assert not a.abstained and "5.2万吨" in a.citations[0].quote and a.question_translation == translated


def test_a_question_in_its_passages_language_is_not_translated(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港2023年货物吞吐量为5.2万吨。 [1]"], translate_query=True)
    pipe.ask("诺尔维克港2023年货物吞吐量是多少？")
    assert not any("Translate into" in c[-1]["content"] for c in pipe.llm.calls)


def test_a_reply_that_is_no_translation_leaves_the_question_as_asked(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["The cargo was 5.2万吨.", "诺尔维克港2023年货物吞吐量为5.2万吨。 [1]"],
                       translate_query=True)
    question = "How much cargo did the port of Norrvik handle in 2023?"
    pipe.ask(question)
    assert f"Question: {question}\n" in pipe.llm.calls[1][-1]["content"]


def test_an_answer_restating_the_translated_question_abstains(tiny_corpus):
    translated = "诺尔维克港2023年货物吞吐量是多少？"
    pipe = tiny_corpus({"port.txt": PORT}, [translated, translated + " [1]"], translate_query=True)
    a = pipe.ask("How much cargo did the port of Norrvik handle in 2023?")
    assert a.abstained and a.abstain_reason == "restated"


def test_a_translation_is_asked_for_once(fake_llm):
    from rag.answering.translate import QueryTranslator

    llm = fake_llm(["诺尔维克港有几座码头？"])
    translator = QueryTranslator(llm, Prompts(Config().prompts_dir))
    assert translator.run("How many piers does Norrvik have?", "zh") == "诺尔维克港有几座码头？"
    assert translator.run("How many piers does Norrvik have?", "zh") == "诺尔维克港有几座码头？"
    assert len(llm.calls) == 1


def test_an_answer_parroting_the_prompts_instructions_abstains_as_echoed(tiny_corpus):
    instruction = Prompts(Config().prompts_dir).template("answer_quote_names.txt").strip()
    pipe = tiny_corpus({"port.txt": PORT}, [instruction + " [1]"])
    a = pipe.ask("诺尔维克港货物吞吐量是多少？")
    assert a.abstained and a.abstain_reason == "echoed" and instruction not in a.answer


def test_the_rule_on_translated_names_is_in_the_system_prompt_not_after_the_question(tiny_corpus):
    # After the question, the small model took it for its answer's first line.
    rule = Prompts(Config().prompts_dir).template("answer_quote_names.txt").strip()
    pipe = tiny_corpus({"port.txt": PORT}, ["诺尔维克港2023年货物吞吐量为1.2亿吨。 [1]"])
    pipe.ask("How much cargo did the port of Norrvik handle in 2023?")
    system, user = pipe.llm.calls[0]
    assert rule in system["content"] and rule not in user["content"]


def test_an_unmarked_answer_is_cited_to_the_passage_the_model_names(tiny_corpus):
    # No word of the English answer is in the Chinese passage: only the model can say where it read it.
    pipe = tiny_corpus({"port.txt": PORT}, ["The lighthouse was rebuilt long ago.", "[1]"])
    a = pipe.ask("When was the lighthouse of Norrvik rebuilt?")
    assert not a.abstained and a.answer.endswith("[1]") and [c.doc for c in a.citations] == ["port.txt"]
    follow_up = pipe.llm.calls[1]
    assert follow_up[-2] == {"role": "assistant", "content": "The lighthouse was rebuilt long ago."}
    assert follow_up[:2] == pipe.llm.calls[0]  # the same prompt, extended: the server's cache holds it


def test_a_named_passage_that_was_never_shown_leaves_the_answer_uncited(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["The lighthouse was rebuilt long ago.", "[7]"])
    a = pipe.ask("When was the lighthouse of Norrvik rebuilt?")
    assert a.abstained and a.abstain_reason == "uncited"


def test_without_ask_source_an_unmarked_answer_abstains_at_once(tiny_corpus):
    pipe = tiny_corpus({"port.txt": PORT}, ["The lighthouse was rebuilt long ago.", "[1]"], ask_source=False)
    a = pipe.ask("When was the lighthouse of Norrvik rebuilt?")
    assert a.abstained and a.abstain_reason == "uncited" and len(pipe.llm.calls) == 1


def test_without_vectors_a_claim_quotes_the_sentence_writing_its_number_as_a_word():
    articles, passages, blocks = _titled_block("渡轮航线每天往返六次。")
    claim = "The Norrvik ferry line sails 6 times a day."
    assert CitationMapper(articles, passages).best_sentence(blocks[0], claim) == blocks[0].sentences[1]
