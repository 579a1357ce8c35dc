"""The figure a question asks for: ranking source figures, context order, and the refocused retry."""
import re

import pytest

from rag.figures.focus import FigureFocus, asked_flags, asked_units
from rag.index.store import IndexStore
from rag.llm.fake import FakeLLM
from rag.pipeline import Pipeline
from rag.text.bridge import AliasTable
from rag.text.tokenize import tokens


@pytest.mark.parametrize("question, units", [
    ("두 성 사이에 서로 보낸 관광객은 몇명을 돌파했는가?", {"people"}),
    ("两省旅游合作协议预计互送游客多少人次？", {"people", "person-times"}),
    ("How many tonnes of grain were stored?", {"mass"}),
    ("By how much did Siping's fixed-asset investment grow in the first half of 2021?", {"percent"}),
    ("长春和四平围绕多少个重点合作事项对接了多少次？", {"count", "times"}),
    ("How many cooperation projects have Guangzhou and Qiqihar signed?", {"count"}),
    ("광주 지하철 전문관 판촉행사는 며칠 동안 열렸는가?", {"days"}),
    ("Who is the Party Secretary of Siping?", set()),
])
def test_asked_units(question, units):
    assert asked_units(question) == units


def test_asked_flags():
    assert asked_flags("两省旅游合作协议预计互送游客多少人次？") == {"expected"}
    assert asked_flags("How much grain does Heilongjiang send to Guangdong every year?") == {"per_year"}
    assert asked_flags("What is the total since the cooperation began?") == {"cumulative"}


@pytest.fixture
def focus(built):
    config, _ = built
    idx = IndexStore(config.index_dir).load()
    spans = [(p.doc, p.start, p.end) for p in idx.passages]
    aliases = AliasTable.load()

    def top(question: str, n: int = 1) -> list[str]:
        toks = tokens(question) + [t for f in aliases.expansions(question) for t in tokens(f)]
        ranked = FigureFocus(idx.figures, {d: a.text for d, a in idx.articles.items()}).rank(question, toks, spans)
        return [c.figure.text for c in ranked[:n]]
    return top


def test_ranking_over_the_whole_corpus_picks_the_asked_figure(focus):
    # Achieved vs expected tourists, cumulative vs yearly grain: same measure, different question.
    assert sorted(focus("두 성 사이에 서로 보낸 관광객은 몇명을 돌파했는가?", 2)) == ["2600万", "2600만명"]
    assert focus("两省旅游合作协议预计互送游客多少人次？") == ["595만명"]
    assert focus("How much grain does Heilongjiang send to Guangdong every year?") == ["600만톤"]
    # Gone with the seed-written measure lexicon, whose English words carried them: "total scale of
    # … grain shipped … since" → 2200万吨 (规模), "sister cities" → 13쌍 (도시).
    assert focus("两省对俄贸易额2019年是多少？") == ["1957.10亿元"]


QUESTION = "두 성 사이에 서로 보낸 관광객은 몇명을 돌파했는가?"


def _ask(built, script):
    config, emb = built
    llm = FakeLLM(script)
    return Pipeline(config, embedder=emb, llm=llm).warm_up().ask(QUESTION), llm


def test_context_shows_the_best_fitting_sentence_first_and_once(built):
    _, llm = _ask(built, ["NOT_FOUND"])
    user = llm.calls[0][-1]["content"]
    first = user.split("[2]")[0]
    assert "2600" in first
    sentences = [s for s in user.split("\n") if s and not s.startswith("[")]
    body = " ".join(sentences)
    assert body.count("연인수로 595만명의 관광객을 서로 보내줄 것으로 예상된다") <= 1


# An invented report holding the achieved and the expected count of one measure.
VISITS = ("청석 관광 소식\n\n발표시간:2024-03-01 09:00:00\n\n"
          "2023년말까지 청석시는 관광객 120만명을 맞이했다. "
          "앞으로 연인수로 150만명의 관광객을 맞이할 것으로 예상된다.\n")
VISITS_Q = "청석시는 2023년말까지 관광객을 몇명 맞이했는가?"
ACHIEVED = "2023년말까지 청석시는 관광객 120만명을 맞이했다. [1]"


def _ask_visits(tiny_corpus, script):
    pipe = tiny_corpus({"visits.txt": VISITS}, script)
    return pipe.ask(VISITS_Q), pipe.llm


def test_a_worse_fitting_figure_is_asked_again_from_the_best_sentence(tiny_corpus):
    a, llm = _ask_visits(tiny_corpus, ["청석시는 150만명의 관광객을 맞이할 것이다. [1]", ACHIEVED])
    assert len(llm.calls) == 2
    second = llm.calls[1][-1]["content"]
    shown = second.split("Passages:\n")[1].split("\nHint:")[0].split("\n")[1::2]
    assert shown and all("120만명" in x and "150만명" not in x for x in shown)  # the best sentence only
    assert a.refocused and "120만명" in a.answer and "150" not in a.answer
    assert a.citations and "120만명" in a.citations[0].quote
    assert a.timings.prompt_tokens > len(second)  # both drafts counted


def test_the_retry_is_dropped_when_it_does_not_use_the_best_figure(tiny_corpus):
    a, llm = _ask_visits(tiny_corpus, ["청석시는 150만명의 관광객을 맞이할 것이다. [1]", "NOT_FOUND"])
    assert len(llm.calls) == 2 and not a.refocused and "150만명" in a.answer


def test_a_fitting_answer_is_not_asked_again(built):
    a, llm = _ask(built, ["2022년말까지 서로 2600만명 이상의 관광객을 보냈다. [1]"])
    assert len(llm.calls) == 1 and not a.refocused and "2600만명" in a.answer


def test_the_prompt_names_a_clear_lead_and_an_abstention_is_asked_again(tiny_corpus):
    a, llm = _ask_visits(tiny_corpus, ["NOT_FOUND", ACHIEVED])
    first = llm.calls[0][-1]["content"]
    assert "Hint:" in first and "120만명" in first.split("Hint:")[1].split("\n")[0]
    assert len(llm.calls) == 2 and a.refocused and not a.abstained and "120만명" in a.answer


def test_no_lead_no_hint_for_a_question_without_a_clear_figure(built):
    config, emb = built
    llm = FakeLLM(["NOT_FOUND"])
    a = Pipeline(config, embedder=emb, llm=llm).warm_up().ask("화웨이는 심천(할빈)산업단지에 얼마를 투자했는가?")
    drafts = [c for c in llm.calls if "Question:" in c[-1]["content"]]  # not the question's translation
    assert "Hint:" not in drafts[0][-1]["content"] and a.abstained
    assert all("Hint:" not in c[-1]["content"] for c in drafts[1:])  # no refocus either


@pytest.mark.parametrize("question, units, ok", [
    ("深圳（哈尔滨）产业园2023年的产值是多少？", ["m²", "days"], False),
    ("2022년 광주와 치치할의 무역액은 얼마인가?", ["count"], False),
    ("两省旅游合作协议预计互送游客多少人次？", ["people"], True),
    ("두 성 사이에 서로 보낸 관광객은 몇명을 돌파했는가?", ["person-times"], True),
    ("흑룡강과 광동의 합작프로젝트 총계약액은 얼마에 달했는가?", ["yuan"], True),
    ("What was the growth rate of trade with Russia from 2017 to 2019?", ["%"], True),
    ("How many tourists?", [""], True),  # a figure of unknown unit is not held against the answer
    ("Who is the Party Secretary of Siping?", ["people"], True),
])
def test_an_answer_in_another_kind_of_unit_than_asked(question, units, ok):
    from rag.figures.focus import fits_asked_unit

    assert fits_asked_unit(question, units) is ok


@pytest.fixture
def corpus_focus(built):
    config, _ = built
    idx = IndexStore(config.index_dir).load()
    return FigureFocus(idx.figures, {d: a.text for d, a in idx.articles.items()}), idx.figures


def test_a_figure_is_described_by_the_words_since_the_previous_figure_of_its_kind(corpus_focus):
    focus, figs = corpus_focus
    span = {f.text: focus.span_text(f) for f in figs}
    # An enumeration: each item's words, including the topic before the comma clause.
    assert "생태건설" in span["178.2억원"] and "생태건설" in span["47개 프로젝트"]
    assert "생태건설" not in span["197.8억원"] and "개방면" in span["197.8억원"]
    assert "써비스" in span["186.2억원"] and "개방면" not in span["186.2억원"]
    # A restatement or a change shares the words of the figure just before it.
    assert "签约额" in span["4901亿元"]
    assert "对俄贸易额" in span["1957.10亿元"]


def test_a_two_part_question_leads_with_one_sentence_holding_both(built):
    from rag.figures.leads import lead_set

    config, emb = built
    pipe = Pipeline(config, embedder=emb, llm=FakeLLM()).warm_up(llm=False)
    a = pipe.answerer

    def leads(question):
        r = pipe.retriever.search(question)
        return [c.figure.text for c in lead_set(a.selector.rank_figures(question, r), question)]

    assert leads("사평과 장춘이 산업단지를 함께 건설하면서 몇개 프로젝트가 락착했고 총투자는 얼마인가?") \
        == ["54개 프로젝트", "418.3억원"]
    assert leads("四平在生态建设方面围绕多少个项目投资了多少？") == ["47개 프로젝트", "178.2억원"]
    # Two years asked: one figure for each, from the sentence that holds both.
    assert leads("两省对俄贸易额2017年和2019年分别是多少？") == ["1241.99亿元", "1957.10亿元"]
    # One unit asked: the single lead, as before.
    assert leads("两省旅游合作协议预计互送游客多少人次？") == ["595만명"]


def test_an_answer_with_part_of_the_set_is_asked_again_with_its_sentence(built):
    config, emb = built
    question = "사평과 장춘이 산업단지를 함께 건설하면서 몇개 프로젝트가 락착했고 총투자는 얼마인가?"
    llm = FakeLLM(["54개 프로젝트가 락착했다. [1]", "54개 프로젝트가 락착해 총투자액이 418.3억원에 달했다. [1]"])
    a = Pipeline(config, embedder=emb, llm=llm).warm_up().ask(question)
    hint = llm.calls[0][-1]["content"].split("Hint:")[1].split("\n")[0]
    assert "54개 프로젝트 and 418.3억원" in hint
    second = llm.calls[1][-1]["content"]
    shown = second.split("Passages:\n")[1].split("\nHint:")[0].split("\n")[1::2]
    assert len(shown) == 1 and "418.3억원" in shown[0]
    assert a.refocused and "418.3억원" in a.answer


def test_dates_are_ranked_by_their_sentence_and_the_next():
    from rag.figures.dates import asks_date, lead_date, rank_dates, render_date

    text = ("2020년 8월 13일은 장춘과 사평에 있어 력사에 기록될 날이다. 량측은 협동전략협력 프레임워크협정에 서명했다. "
            "2021년 5월 장춘은 회의를 열었다.")
    ends = [m.end() for m in re.finditer(r"다\.", text)]
    sentences = [(0, ends[0]), (ends[0] + 1, ends[1]), (ends[1] + 1, ends[2])]
    assert text[sentences[1][0]:sentences[1][1]].startswith("량측은")
    words = set(tokens("협동전략협력 프레임워크협정은 언제 서명했는가?"))
    ranked = rank_dates(words, "d", text, sentences)
    assert [c.key for c in ranked] == ["2020-08-13", "2021-05"]
    assert lead_date(ranked).text == "2020년 8월 13일"
    assert asks_date("长平一体化协同战略合作框架协议是哪天签署的？") and asks_date("On what date was it signed?")
    assert not asks_date("两省旅游合作协议预计互送游客多少人次？")
    assert [render_date("2019-05-09", lang) for lang in ("en", "zh", "ko")] == \
        ["9 May 2019", "2019年5月9日", "2019년 5월 9일"]
    assert render_date("2023-04", "en") == "April 2023"


def test_a_when_question_names_the_clear_date_in_the_prompt(built):
    config, emb = built
    llm = FakeLLM(["NOT_FOUND", "NOT_FOUND"])
    # Drafted in English (not pivoting), so the date is also written as English will write it.
    pipe = Pipeline(config.replace(pivot_answers=False), embedder=emb, llm=llm).warm_up()
    pipe.ask("On what date did Shenzhen and Harbin sign the agreement to jointly build the industrial park?")
    user = llm.calls[0][-1]["content"]
    assert "the date that best fits the question is probably 2019年5月9日 (9 May 2019) in passage" in user
    assert "2019年5月9日" in user.split("[2]")[0]  # its passage comes first
    llm.calls.clear()
    pipe.ask("两省旅游合作协议预计互送游客多少人次？")
    assert "the date that" not in llm.calls[0][-1]["content"]


def test_entity_questions_rank_sentences_holding_the_asked_kind_of_name():
    from rag.figures.entity import asks_entity, days, holds_answer_type, lead_sentence, rank_sentences

    assert asks_entity("사평시당위 서기는 누구인가?") and asks_entity("哪家公司在哈尔滨开展巴伦支海海产品进口业务？")
    assert not asks_entity("How many projects did Guangzhou sign?")
    assert days("on 20 May 2024") == {(5, 20)} and days("5월 20일 오전") == {(5, 20)}
    assert days("2019年5月9日") == {(5, 9)}
    who = "Who surveyed opening-up cooperation work in Harbin on 20 May 2024?"
    assert holds_answer_type(who, "5월 20일 오전, 성인대상무위원회 주임 허근은 할빈에서", set())
    assert not holds_answer_type(who, "两省党委、政府先后20次组成省级专题考察团", set())
    text = "两省党委先后调研对外开放合作。5월 20일 오전, 주임 허근은 대외개방 협력을 조사했다。"
    sentences = [(0, 15), (15, len(text))]
    ranked = rank_sentences({"调研", "对外", "开放", "대외", "개방"}, "d", text, sentences, {(5, 20)},
                            lambda s: holds_answer_type(who, s, set()))
    assert [c.sentence for c in ranked] == [(15, len(text))] and ranked[0].score == 2 + 3.0
    assert lead_sentence(ranked) is ranked[0]
    assert lead_sentence(ranked, least=6.0) is None


def test_a_bare_number_the_question_shares_with_a_figure_is_no_fit():
    from rag.figures.extract import extract_figures
    from rag.types import Article, Passage

    text = "경기 보고\n\n그 팀은 2-1로 이겼고 관중은 3만명이었다.\n"
    article = Article("match.txt", text, "", "ko", "경기 보고", False, "2024-01-01", False, "", "utf-8")
    passage = Passage("match.txt#0", "match.txt", 0, 0, len(text), text, "ko", "경기 보고", "2024-01-01", "",
                      [(6, len(text))])
    figs = extract_figures({"match.txt": article}, [passage])
    focus = FigureFocus(figs, {"match.txt": text})
    question = "Who did internet2 partner with?"
    ranked = focus.rank(question, tokens(question), [("match.txt", 0, len(text))])
    assert figs and all(c.score <= 0 for c in ranked)
