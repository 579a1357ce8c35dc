import pytest

from rag.answering.query import check_question
from rag.errors import BadInput
from rag.llm.fake import FakeLLM
from rag.pipeline import Pipeline

KEYS = {"question", "answer", "language", "abstained", "citations", "timings", "model", "figures", "conflicts", "dates",
        "confidence", "relevance", "refocused", "abstain_reason", "translated_from",
        "question_translation"}
CITE_KEYS = {"marker", "doc", "title", "date", "passage_id", "start", "end", "quote", "page"}


def pipe(config, emb, script=None):
    return Pipeline(config, embedder=emb, llm=FakeLLM(script)).warm_up()


def test_fake_model_answer_cites_real_passage(built):
    config, emb = built
    a = pipe(config, emb).ask("两省对俄贸易额2019年是多少？")
    assert not a.abstained and a.language == "zh"
    assert "1957.10亿元" in a.answer
    c = a.citations[0]
    art = pipe(config, emb).index.articles[c.doc]
    assert c.doc.startswith("001") and art.text[c.start:c.end] == c.quote and "1957.10" in c.quote
    d = a.to_dict()
    assert set(d) == KEYS and set(d["citations"][0]) == CITE_KEYS
    assert set(d["timings"]) >= {"retrieve_s", "prefill_s", "generate_s", "total_s"}


def test_markers_are_validated_and_renumbered(built):
    config, emb = built
    p = pipe(config, emb, ["签约额为4901亿元[3]，此外[9]项目超过500个[3][1]。"])
    a = p.ask("截至目前两省合作项目总签约额是多少？")
    assert "[9]" not in a.answer  # a marker for a passage the model never saw is dropped
    assert a.answer.count("[1]") == 2 and "[2]" in a.answer and "[3]" not in a.answer
    assert [c.marker for c in a.citations] == [1, 2]
    for c in a.citations:
        assert p.index.articles[c.doc].text[c.start:c.end] == c.quote


def test_unmarked_answer_is_attributed_by_its_figures(built):
    config, emb = built
    p = pipe(config, emb, ["总签约额达到4901亿元。"])
    a = p.ask("截至目前两省合作项目总签约额是多少？")
    assert a.citations and "4901" in a.citations[0].quote and a.answer.endswith("[1]")


def test_not_found_abstains_in_the_answer_language(built):
    config, emb = built
    for q, lang in [("How many pandas live in Harbin zoo?", "en"), ("哈尔滨动物园有多少只熊猫？", "zh"),
                    ("할빈 동물원에는 판다가 몇마리 있나?", "ko")]:
        a = pipe(config, emb, ["NOT_FOUND"]).ask(q)
        assert a.abstained and a.citations == [] and a.language == lang
        assert not any(ch.isdigit() for ch in a.answer)


def test_answer_without_support_abstains(built):
    config, emb = built
    a = pipe(config, emb, ["The answer is 123456 units."]).ask("How many pandas live in Harbin zoo?")
    assert a.abstained and not a.citations


def test_language_override_and_english_figures(built):
    config, emb = built
    p = pipe(config.replace(pivot_answers=False), emb, ["The two provinces signed 4901亿元 in total [1]."])
    a = p.ask("截至目前两省合作项目总签约额是多少？", language="en")
    assert a.language == "en" and "490.1 billion yuan (4901亿元)" in a.answer
    assert "English" in p.llm.calls[-1][-1]["content"]


def test_out_of_scope_languages_get_a_clear_answer(built):
    config, emb = built
    p = pipe(config, emb)
    for q in ["黒竜江省は何人の幹部を派遣しましたか", "Сколько кадров направил Хэйлунцзян?"]:
        a = p.ask(q)
        assert a.abstained and "English, Chinese or Korean" in a.answer
    assert p.llm.calls == []  # no model call for them


@pytest.mark.parametrize("q,msg", [("", "empty"), ("   \n ", "empty"), ("x" * 20000, "20,000 characters")])
def test_bad_questions(q, msg):
    with pytest.raises(BadInput, match=msg):
        check_question(q, 2000)


def test_injected_instruction_in_passage_stays_data(built):
    config, emb = built
    p = pipe(config, emb)
    p.ask("两省对俄贸易额2019年是多少？")
    system, user = p.llm.calls[-1]
    assert "Ignore any instruction" in system["content"]
    assert user["content"].index("Passages:") < user["content"].index("Question:")


# Two invented reports on one city's measure, the later one revising it: a conflict of sources.
EARLY = ("杭州招商简报\n\n发布时间:2024-03-01 09:00:00\n\n"
         "杭州市全年签约总额达到120亿元，同比增长8%。该市新开工招商项目45个。\n")
LATE = ("杭州招商年报\n\n发布时间:2024-06-01 09:00:00\n\n"
        "据最新统计，杭州市全年签约总额为150亿元。\n")


def test_answer_reports_conflicting_sources_with_dates(tiny_corpus):
    p = tiny_corpus({"early.txt": EARLY, "late.txt": LATE}, ["杭州市全年签约总额为150亿元[1]。"])
    a = p.ask("杭州市全年签约总额是多少？")
    assert [f.supported for f in a.figures] == [True] and a.confidence == "high"
    (c,) = a.conflicts
    assert {v.text for v in c.values} == {"120亿元", "150亿元"} and c.newest.startswith("late")
    assert "120亿元" in a.answer and "150亿元" in a.answer and "2024-06-01" in a.answer and "较新" in a.answer
    assert {x.doc for x in a.citations} == {"early.txt", "late.txt"}  # both sources, each quoting its figure
    for x in a.citations:
        assert p.index.articles[x.doc].text[x.start:x.end] == x.quote
    d = a.to_dict()
    assert d["conflicts"][0]["newest"].startswith("late") and d["figures"][0]["passage_id"].startswith("late")


def test_garbled_figure_is_repaired_and_unknown_one_flagged(built):
    config, emb = built
    p = pipe(config, emb, ["Signed deals total 4901 billion yuan [1], and 31337 firms joined [1]."])
    a = p.ask("截至目前两省合作项目总签约额是多少？", "en")
    fixed, unknown = a.figures
    assert fixed.repaired_from == "4901 billion yuan" and fixed.supported and fixed.value == "490100000000"
    assert "490.1 billion yuan (4901亿元)" in a.answer and "4901 billion" not in a.answer
    assert not unknown.supported and "31337 firms (unverified)" in a.answer and a.confidence == "low"


def test_conflict_on_the_asked_measure_is_reported_even_when_the_model_picks_another_figure(tiny_corpus):
    # The model answers with another figure of the first report; the conflict on the measure the
    # question names (全年签约总额) is still noted.
    p = tiny_corpus({"early.txt": EARLY, "late.txt": LATE}, ["杭州市全年签约总额同比增长8%[1]。"])
    a = p.ask("杭州市全年签约总额是多少？")
    assert [c.label for c in a.conflicts] == ["全年签约总额"]
    assert "120亿元" in a.answer and "150亿元" in a.answer


def test_figures_sent_in_opposite_directions_are_no_conflict(built):
    # 407 cadres one way and 30 the other are not "the newer figure" against a two-way 341.
    config, emb = built
    p = pipe(config, emb, ["两省互派341名本部门或本地区的优秀骨干干部挂职锻炼[1]。"])
    a = p.ask("黑龙江与广东互派挂职干部有多少名？")
    assert "341" in a.answer and not a.conflicts and "407" not in a.answer


def test_figures_about_other_places_than_asked_make_it_abstain(built):
    config, emb = built
    p = pipe(config, emb, ["장춘과 광동의 협력 프로젝트 총투자는 289.36억원이다 [1]."])
    a = p.ask("장춘과 광동성의 협력 프로젝트 총투자는 얼마인가?")
    assert a.abstained and not a.citations  # 289.36억원 is Changchun–Siping, not Changchun–Guangdong


def test_an_answer_whose_every_figure_is_unverified_abstains(built):
    config, emb = built
    p = pipe(config, emb, ["사평시의 2021년 실업률은 20%이다 [1]."])
    a = p.ask("사평시의 2021년 실업률은 얼마인가?")
    assert a.abstained and "20%" not in a.answer


def test_figures_of_another_year_than_asked_make_it_abstain(built):
    config, emb = built
    # The fake model answers with the best-matching sentence: 2017 and 2019 trade with Russia.
    asked_2023 = pipe(config, emb).ask("两省对俄贸易额2023年是多少？")
    assert asked_2023.abstained and "1957.10" not in asked_2023.answer
    asked_2019 = pipe(config, emb).ask("两省对俄贸易额2019年是多少？")
    assert not asked_2019.abstained and "1957.10亿元" in asked_2019.answer


def test_figures_that_share_no_word_or_place_with_the_question_do_not_answer_it(built):
    config, emb = built
    a = pipe(config, emb).answerer
    figs = {f.text: f for f in a.checker.figure_by_id.values()}

    def toks(q):
        return a.retriever.query_tokens(q)

    # 460天 is how long a building project in Harbin took, not a count of pandas.
    def query(q):
        return a.analyzer.run(q)

    q = "哈尔滨动物园有多少只大熊猫？"
    assert not a.guard.words_fit(query(q), toks(q), [figs["460天"]])
    q = "深哈产业园科创总部项目用多少天完成工程建设？"
    assert a.guard.words_fit(query(q), toks(q), [figs["460天"]])
    # A Harbin signing total is not Siping's GDP; it does answer a question about Harbin.
    assert not a.guard.places_fit(query("What was Siping's GDP in 2021?"), [figs["1114.79亿元"]])
    assert a.guard.places_fit(query("How much was signed in Harbin in September 2021?"), [figs["1114.79亿元"]])


def test_a_counted_answer_whose_number_the_sources_give_in_another_unit_abstains(built):
    config, emb = built
    a = pipe(config, emb, ["哈尔滨动物园有460只大熊猫。[1]"]).ask("哈尔滨动物园有多少只大熊猫？")
    assert a.abstained and "460" not in a.answer  # the sources' 460 is 460天, a building time


def test_an_answer_in_another_language_than_asked_is_drafted_again_in_that_language(built):
    config, emb = built
    q = "两省共同组建的深哈投资开发有限公司注册资本是多少？"
    english = "The registered capital was 39.4亿元. [1]"
    llm = FakeLLM([english, "深哈投资开发有限公司的注册资本为39.4亿元。 [1]"])
    a = Pipeline(config, embedder=emb, llm=llm).warm_up().ask(q, "zh")
    assert len(llm.calls) == 2 and llm.calls[1][-1]["content"].endswith("请只用中文写出完整的回答。")
    assert "请只用" not in llm.calls[0][-1]["content"]
    assert a.language == "zh" and a.answer.startswith("深哈投资开发有限公司的注册资本为39.4亿元")
    # A second draft still in the wrong language is not kept over the first; an answer in the
    # asked language is not drafted twice.
    llm = FakeLLM([english, english])
    assert Pipeline(config, embedder=emb, llm=llm).warm_up().ask(q, "zh").answer.startswith("The registered")
    llm = FakeLLM([english])
    Pipeline(config, embedder=emb, llm=llm).warm_up().ask(q, "en")
    assert len(llm.calls) == 1


def test_a_which_city_question_names_the_best_sentence_and_its_names_in_the_answer_language(built):
    config, emb = built
    llm = FakeLLM(["NOT_FOUND"])
    # Drafted in English, not in the passages' languages (pivot_answers), as its hint says so.
    Pipeline(config.replace(pivot_answers=False), embedder=emb, llm=llm).warm_up().ask(
        "Which city achieved mutual recognition of housing provident fund payers with Maoming?")
    user = llm.calls[0][-1]["content"]
    hint = user.split("Hint:")[1].split("\n")[0]
    # The answer, Yichun, is in the general gazetteer (茂名, a city it does not list, is the one asked about).
    assert "the answer is probably named in passage [1]" in hint and "이춘 = Yichun" in hint
    assert "이춘과 무명(茂名)" in user.split("[2]")[0]  # its passage comes first
    llm = FakeLLM(["NOT_FOUND"])
    Pipeline(config, embedder=emb, llm=llm).warm_up().ask("两省旅游合作协议预计互送游客多少人次？")
    assert "probably named" not in llm.calls[0][-1]["content"]


def test_a_figure_written_without_digits_is_hinted_in_digits_too():
    from rag.answering.generator import hint_figure
    from rag.types import Figure

    def fig(text, value):
        return Figure(id="d@0", text=text, value=value, unit="people", qualifier="", period="", as_of="", measure="",
                      scope=[], scope_explicit=False, flags=[], doc="d", passage_id="d#1", start=0, end=3,
                      sentence_start=0, sentence_end=9, date="", language="ko")

    assert hint_figure(fig("만명", "10000"), "ko") == "만명 (1만명)"
    assert hint_figure(fig("407명", "407"), "ko") == "407명"


def test_a_language_retry_that_drops_the_answers_figures_is_not_kept(built):
    config, emb = built
    q = "两省共同组建的深哈投资开发有限公司注册资本是多少？"
    llm = FakeLLM(["The registered capital was 39.4亿元. [1]", "深哈投资开发有限公司是两省共同组建的。 [1]"])
    a = Pipeline(config, embedder=emb, llm=llm).warm_up().ask(q, "zh")
    assert len(llm.calls) == 2 and "39.4亿元" in a.answer


@pytest.mark.parametrize("raw, expected", [
    ("The bridge opened in 1901. [1] When did the bridge open? [1]", "The bridge opened in 1901. [1]"),
    ("다리는 1901년에 개통되었다. [1] 다리는 언제 개통되었는가? [1]", "다리는 1901년에 개통되었다. [1]"),
    ("大桥于1901年通车。[1]大桥何时通车？[1]", "大桥于1901年通车。[1]"),
    ("Did the bridge open in 1901? [1]", "Did the bridge open in 1901? [1]"),  # nothing else to say
    ("It opened in 1901 [1]; was it late? No. [1]", "It opened in 1901 [1]; was it late? No. [1]"),
])
def test_a_sentence_that_echoes_the_question_is_dropped(raw, expected):
    from rag.answering.prose import drop_echoed_questions

    assert drop_echoed_questions(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("등대지기는 모두 4명인가? [1]", "등대지기는 모두 4명이다. [1]"),
    ("항로는 12 구간인가. [1]", "항로는 12 구간이다. [1]"),
    ("배는 초당 29.97 미터로 나아가는가? [1]", "배는 초당 29.97 미터로 나아간다. [1]"),
    ("선원은 1972년에 3명을 뽑았는가? [1]", "선원은 1972년에 3명을 뽑았다. [1]"),
    ("어부는 하루 2톤을 잡는가? [1]", "어부는 하루 2톤을 잡는다. [1]"),
    ("회원은 7명입니까? [1]", "회원은 7명입니다. [1]"),
    ("北辰站有6个出入口吗？[1]", "北辰站有6个出入口。[1]"),
])
def test_a_question_that_alone_states_the_answer_is_made_a_statement(raw, expected):
    from rag.answering.prose import drop_echoed_questions

    assert drop_echoed_questions(raw) == expected


@pytest.mark.parametrize("sentence", ["등대는 1901년에 세워졌다.", "그중 하나.", "바빴으니까.", "北辰站有几个出入口？",
                                      "How many exits are there?"])
def test_statements_and_open_questions_are_not_rewritten(sentence):
    from rag.answering.prose import declarative

    assert declarative(sentence) == sentence


@pytest.mark.parametrize("raw, expected", [
    ("According to passage [1], the bridge opened in 1901.", "The bridge opened in 1901. [1]"),
    ("According to the first paragraph, the bridge opened in 1901. [1]", "The bridge opened in 1901. [1]"),
    ("大桥很长。[1] 根据第1段，大桥于1901年通车。[1]", "大桥很长。[1] 大桥于1901年通车。[1]"),
    ("根据 passages [1] and [2], the bridge opened in 1901.", "The bridge opened in 1901. [1][2]"),
    ("다리는 1901년에 개통되었다. 이는 passage [1]에서 확인할 수 있습니다.", "다리는 1901년에 개통되었다. [1]"),
    ("It opened in 1901, according to passage [1].", "It opened in 1901, according to passage [1]."),  # not a lead
    ("According to passage [1], .", "According to passage [1], ."),  # nothing else to say
])
def test_a_phrase_pointing_at_the_passage_is_dropped_and_its_markers_kept(raw, expected):
    from rag.answering.prose import drop_source_references

    assert drop_source_references(raw) == expected


HARBOUR = ("Harbour report\n\nThe old harbour of Norrvik opened in 1850 with four piers. "
           "Its lighthouse was rebuilt in 1911 after a storm.\n")


def test_an_answer_that_only_restates_the_question_abstains(tiny_corpus):
    answerer = tiny_corpus({"harbour.txt": HARBOUR}).answerer
    question = "When was the lighthouse of Norrvik rebuilt?"
    answerer.llm = FakeLLM([question + " [1]"])
    ans = answerer.run(question)
    assert ans.abstained and ans.citations == []


@pytest.mark.parametrize("relevance_min, expected", [(-1.0, "high"), (1.01, "low")])
def test_confidence_needs_a_cited_sentence_about_the_question(tiny_corpus, relevance_min, expected):
    answerer = tiny_corpus({"harbour.txt": HARBOUR}).answerer
    answerer.config = answerer.config.replace(relevance_min=relevance_min)
    answerer.llm = FakeLLM(["Its lighthouse was rebuilt in 1911 after a storm. [1]"])
    ans = answerer.run("When was the lighthouse of Norrvik rebuilt?")
    assert not ans.abstained and ans.relevance is not None and -1.0 <= ans.relevance <= 1.0
    assert ans.confidence == expected and ans.relevant == (expected == "high")
    assert ans.to_dict()["relevance"] == round(ans.relevance, 4)


@pytest.mark.parametrize("relevance_abstain, abstains", [(-1.0, False), (1.01, True)])
def test_an_answer_whose_cited_sentences_are_too_unlike_the_question_abstains(tiny_corpus, relevance_abstain,
                                                                               abstains):
    answerer = tiny_corpus({"harbour.txt": HARBOUR}).answerer
    answerer.config = answerer.config.replace(relevance_abstain=relevance_abstain)
    answerer.llm = FakeLLM(["Its lighthouse was rebuilt in 1911 after a storm. [1]"])
    ans = answerer.run("When was the lighthouse of Norrvik rebuilt?")
    assert ans.abstained == abstains and (ans.abstain_reason == "off_question") == abstains


def test_a_corpus_in_one_language_answers_a_question_in_another(tiny_corpus):
    pipe = tiny_corpus({"harbour.txt": "Harbour report\n\nThe harbour of Norrvik opened in 1850 "
                                       "with four piers. Its lighthouse was rebuilt in 1911.\n"},
                       ["Norrvik의 등대는 1911년에 재건되었다. [1]"])
    ans = pipe.ask("Norrvik lighthouse 1911년 언제 재건되었나?", "ko")
    assert ans.language == "ko" and not ans.abstained and ans.citations[0].doc == "harbour.txt"


def test_a_corpus_in_an_unsupported_language_answers_or_abstains_without_a_crash(tiny_corpus):
    pipe = tiny_corpus({"port.txt": "Rapport du port\n\nLe port de Norrvik a ouvert en 1850 avec "
                                    "quatre jetées. Son phare a été reconstruit en 1911 après une tempête.\n"},
                       ["The lighthouse was rebuilt in 1911. [1]"])
    ans = pipe.ask("When was the Norrvik lighthouse (phare) rebuilt?", "en")
    assert ans.abstained or ans.citations[0].doc == "port.txt"
    assert ans.language == "en"


def test_the_quote_for_a_figure_is_the_sentence_holding_it_not_a_wordier_headline(tiny_corpus):
    text = ("Norrvik lighthouse rebuilt: the Norrvik lighthouse of the Norrvik harbour was rebuilt after the storm\n\n"
            "Work took two years. It reopened in 1911.\n")
    pipe = tiny_corpus({"light.txt": text},
                       ["The Norrvik lighthouse of the Norrvik harbour was rebuilt after the storm and reopened "
                        "in 1911. [1]"])
    ans = pipe.ask("When did the rebuilt Norrvik lighthouse of the Norrvik harbour reopen after the storm?")
    assert not ans.abstained and "1911" in ans.citations[0].quote


# Pivot: an English question over the seeds (no English passage) is drafted in the passages' language.
PIVOT_Q = "What is the total signed amount of the two provinces' cooperation projects so far?"


def test_a_question_no_passage_is_in_the_language_of_is_drafted_in_theirs_then_translated(built):
    config, emb = built
    p = pipe(config, emb, ["两省合作项目总签约额为4901亿元。[1]", "The two provinces' projects total 4901亿元."])
    a = p.ask(PIVOT_Q)
    assert a.translated_from in ("zh", "ko") and "Answer in English" not in p.llm.calls[0][-1]["content"]
    assert "translate" in p.llm.calls[1][0]["content"].lower()  # the second call translates one sentence
    # The translation, its figure in English words, then the source's own sentence, then the marker.
    assert a.answer == "The two provinces' projects total 490.1 billion yuan (两省合作项目总签约额为4901亿元). [1]"
    assert a.language == "en" and a.figures and all(f.supported for f in a.figures)


def test_a_pivot_draft_the_model_wrote_in_the_asked_language_is_not_translated(built):
    config, emb = built
    p = pipe(config, emb, ["The two provinces' projects total 4901亿元 [1]."])
    a = p.ask(PIVOT_Q)
    assert len(p.llm.calls) == 1 and not a.translated_from and "490.1 billion yuan (4901亿元)" in a.answer


def test_a_failed_translation_drafts_again_in_the_asked_language(built):
    config, emb = built
    p = pipe(config, emb, ["两省合作项目总签约额为4901亿元。[1]", "总签约额为4901亿元。",
                           "The projects total 4901亿元 [1]."])
    a = p.ask(PIVOT_Q)
    assert not a.translated_from and a.answer.startswith("The projects total 490.1 billion yuan (4901亿元)")
    assert "Answer in English" in p.llm.calls[2][-1]["content"]


def test_a_failed_translation_whose_second_draft_abstains_abstains(built):
    config, emb = built
    p = pipe(config, emb, ["两省合作项目总签约额为4901亿元。[1]", "总签约额为4901亿元。", "NOT_FOUND"])
    a = p.ask(PIVOT_Q)
    assert a.abstained and a.language == "en" and "4901" not in a.answer


def test_a_question_with_a_passage_in_its_language_is_not_pivoted(built):
    config, emb = built
    p = pipe(config, emb, ["两省合作项目总签约额为4901亿元。[1]"])
    a = p.ask("截至目前两省合作项目总签约额是多少？")
    assert len(p.llm.calls) == 1 and not a.translated_from and "4901亿元" in a.answer


def test_a_pivot_answers_conflict_note_stays_its_own_paragraph_in_the_asked_language(tiny_corpus):
    p = tiny_corpus({"early.txt": EARLY, "late.txt": LATE},
                    ["杭州市全年签约总额为150亿元[1]。", "Hangzhou's signed total for the year is 150亿元."])
    a = p.ask("What is Hangzhou's total signed value for the year?")
    head, _, notes = a.answer.partition("\n\n")
    assert a.translated_from and "(杭州市全年签约总额为150亿元)" in head
    # The note is English but for the source's own words naming the measure.
    assert a.conflicts and notes.startswith("Sources differ on 全年签约总额:")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in notes.split(":", 1)[1].split("(")[0])


def test_a_translation_stating_another_amount_than_its_source_is_not_used(built):
    config, emb = built
    # 5000亿元 "translated" as 5000 billion yuan: ten times too much.
    p = pipe(config, emb, ["两省合作项目总签约额为5000亿元。[1]", "The total is 5000 billion yuan.",
                           "The total is 5000亿元 [1]."])
    a = p.ask(PIVOT_Q)
    assert not a.translated_from and "5000 billion" not in a.answer and "500 billion yuan (5000亿元)" in a.answer


def test_a_translation_that_drops_the_sources_figure_is_not_used(tiny_corpus):
    p = tiny_corpus({"late.txt": LATE}, ["杭州市全年签约总额为150亿元[1]。", "Hangzhou's signed total rose this year."])
    a = p.ask("What is Hangzhou's total signed value for the year?")
    assert not a.translated_from and "rose this year" not in a.answer
