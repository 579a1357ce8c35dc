"""GroundingCheck and the "ungrounded" abstention, on documents written for the tests."""
import pytest

from rag.answering.grounding import GroundingCheck
from rag.types import Article

STATION = "北辰站\n\n北辰站位于城市北部，共设出入口六个，二零一九年投入使用。"
BRIDGE = "白鹭桥\n\n白鹭桥横跨东河，全长八百米，是城市东部的重要通道。"
FILLER = ["城市公园\n\n城市公园位于城市西部，面积广阔。", "城市博物馆\n\n城市博物馆位于城市中心。"]


def _articles(texts: dict[str, str], language: str = "zh") -> dict[str, Article]:
    return {d: Article(d, t, "sha", language, d, False, "", False, "", "utf-8") for d, t in texts.items()}


def _shares(texts: dict[str, str]):
    from rag.text.tokenize import tokens

    sets = [set(tokens(t, bridge=False)) for t in texts.values()]
    return lambda toks: {t: sum(t in s for s in sets) / len(sets) for t in toks}


@pytest.fixture
def corpus() -> dict[str, str]:
    return {"station.txt": STATION, "bridge.txt": BRIDGE, **{f"f{i}.txt": t for i, t in enumerate(FILLER)}}


def test_a_question_about_what_the_cited_article_says_is_grounded(corpus):
    check = GroundingCheck(_articles(corpus), _shares(corpus), share_max=0.5)
    g = check.run("北辰站有几个出入口？", "zh", ["station.txt"])
    assert g is not None and g.missing == [] and "北辰" in g.terms


def test_a_question_about_another_subject_than_the_cited_article_is_not(corpus):
    check = GroundingCheck(_articles(corpus), _shares(corpus), share_max=0.5)
    g = check.run("白鹭桥全长多少米？", "zh", ["station.txt"])
    assert g is not None and g.missing_share > 0.5 and "白鹭" in g.missing


def test_words_every_passage_or_no_passage_uses_do_not_count(corpus):
    check = GroundingCheck(_articles(corpus), _shares(corpus), share_max=0.5)
    g = check.run("城市北辰站什么时候投入使用？", "zh", ["station.txt"])
    assert g is not None and "城市" not in g.terms and "什么" not in g.terms


def test_how_the_question_asks_is_not_what_it_is_about(corpus):
    check = GroundingCheck(_articles(corpus), _shares(corpus), share_max=0.5)
    g = check.run("北辰站是什么时候被建成的？", "zh", ["station.txt"])
    assert g is not None and not any(set(t) & set("是什么时候被的") for t in g.terms + g.unseen), g


def test_a_name_no_passage_writes_counts_as_missing(corpus):
    # 南湖桥 appears nowhere: the station article answers for another station.
    check = GroundingCheck(_articles(corpus), _shares(corpus), share_max=0.5)
    g = check.run("南湖桥站有几个出入口？", "zh", ["station.txt"])
    assert g is not None and {"南湖", "湖桥"} <= set(g.unseen) and g.missing_share > 0.5, g


def test_one_unseen_bigram_between_seen_ones_is_not_a_name():
    from rag.answering.grounding import unseen_runs

    seen = {"北辰", "出入"}.__contains__
    assert unseen_runs(["北辰", "辰站", "出入"], seen) == []  # 辰站 alone: two words side by side
    assert unseen_runs(["北辰", "南湖", "湖桥", "出入"], seen) == ["南湖", "湖桥"]
    assert unseen_runs(["南湖", "出入", "湖桥"], seen) == []  # not one span of the question


def test_no_judgement_across_languages_or_on_too_few_words(corpus):
    articles = _articles(corpus)
    check = GroundingCheck(articles, _shares(corpus), share_max=0.5)
    assert check.run("How long is the bridge?", "en", ["station.txt"]) is None
    korean = GroundingCheck({**articles, "ko.txt": Article("ko.txt", "북진역", "s", "ko", "t", False, "", False, "",
                                                           "utf-8")}, _shares(corpus), share_max=0.5)
    assert korean.run("白鹭桥全长多少米？", "zh", ["ko.txt"]) is None
    assert check.run("多少？", "zh", ["station.txt"]) is None


def test_a_share_limit_outside_0_to_1_is_refused(corpus):
    with pytest.raises(ValueError):
        GroundingCheck(_articles(corpus), _shares(corpus), share_max=0.0)


def test_an_answer_from_an_article_about_another_subject_abstains_as_ungrounded(tiny_corpus, corpus):
    question = "横跨东河的白鹭桥有几个出入口？"
    pipe = tiny_corpus(corpus, [], grounding_share_max=0.5, context_passage_min=0.0)
    station = next(b.marker for b in pipe.answerer.prepare(question).blocks if b.hit.passage.doc == "station.txt")
    pipe.llm.script.append(f"白鹭桥有六个出入口。 [{station}]")  # the exits of the station, offered for the bridge
    a = pipe.ask(question)
    assert a.abstained and a.abstain_reason == "ungrounded"


def test_an_english_question_is_not_judged_by_the_models_translation_of_it(tiny_corpus, corpus):
    # The small model renders names its own way (帕克尔 for 帕乔里), here with another article's
    # words: on ext-dev, judging its translations abstained on 10 right answers, so only the
    # asker's own words are compared.
    question = "How many entrances does Beichen Station have?"
    translated = "横跨东河的白鹭站有几个出入口？"
    pipe = tiny_corpus(corpus, [translated], grounding_share_max=0.5, context_passage_min=0.0,
                       translate_query=True)
    answerer = pipe.answerer
    shown = answerer.selector.run(translated, answerer.retriever.search(question, also=[translated])).blocks
    station = next(b.marker for b in shown if b.hit.passage.doc == "station.txt")
    pipe.llm.script.append(f"北辰站共设出入口六个。 [{station}]")
    a = pipe.ask(question)
    assert not a.abstained and a.question_translation == translated


def test_off_at_one(tiny_corpus, corpus):
    pipe = tiny_corpus(corpus, [], grounding_missing_max=1.0)
    assert pipe.answerer.guard.grounding is None


def test_korean_words_are_compared_without_the_particles_glued_on():
    from rag.answering.grounding import stems

    assert stems("관광객은 몇명인가", "ko") == "관광객 몇명인" and stems("游客多少", "zh") == "游客多少"
    texts = {"k.txt": "항구 소식\n\n등대관리소는 해마다 관광객을 맞이한다.",
             "o.txt": "다른 소식\n\n관광객과 등대관리소."}
    articles = _articles(texts, "ko")
    check = GroundingCheck(articles, lambda toks: {t: 0.5 for t in toks}, share_max=0.5)
    g = check.run("등대관리소의 관광객은?", "ko", ["k.txt"])
    assert g is not None and g.missing == [], g
