"""Small numbers written as words (rag/data/number_words.tsv), on sentences written for the test."""
import pytest

from rag.figures.extract import extract_figures
from rag.figures.parse import numbers, spelled_numbers
from rag.figures.verify import FigureVerifier
from rag.types import Article, Passage


@pytest.mark.parametrize("text, value", [
    ("会议选出 五位 代表", "5"), ("形成三大任务", "3"), ("新建二十三个站点", "23"), ("十五名队员", "15"),
    ("两个方案", "2"), ("다섯 명의 대표", "5"), ("스물다섯 명이 참가했다", "25"), ("열 곳의 공장", "10"),
    ("Seven teams entered", "7"),
])
def test_a_small_number_written_as_a_word_is_read(text, value):
    assert spelled_numbers(text) == {value}


@pytest.mark.parametrize("text", ["第三个方案", "几十个城市", "统一部署", "한국에서 한 대학이", "one of them"])
def test_ordinals_vague_counts_and_words_that_merely_contain_a_numeral_are_not(text):
    assert spelled_numbers(text) == set()


def test_numbers_holds_digits_and_words_alike():
    assert numbers("共有3个站和五位代表") == {"3", "5"}


def _verifier(text: str) -> tuple[FigureVerifier, str]:
    p = Passage("d#0-x", "d", 0, 0, len(text), text, "zh", "t", "", "x")
    return FigureVerifier([], {p.id: p}, {"d": text}, {"en": " (unverified)"}), p.id


def test_an_answer_figure_the_passage_writes_as_a_word_is_supported():
    verifier, pid = _verifier("委员会由五位专家组成。")
    v = verifier.run("The committee has 5 people [1].", "en", {1: pid}, [pid])
    assert v.all_supported and v.checks[0].note == "written as a word" and "unverified" not in v.text


def test_a_count_the_passage_does_not_write_stays_unsupported():
    verifier, pid = _verifier("委员会由五位专家组成。")
    v = verifier.run("The committee has 6 people [1].", "en", {1: pid}, [pid])
    assert not v.all_supported and "6 people (unverified)" in v.text


def test_a_count_spelled_only_in_an_uncited_passage_does_not_support_the_answer():
    cited = Passage("d#0-x", "d", 0, 0, 6, "委员会成立。", "zh", "t", "", "x")
    other = Passage("d#1-y", "d", 1, 6, 17, "委员会由五位专家组成。", "zh", "t", "", "y")
    text = "委员会成立。委员会由五位专家组成。"
    verifier = FigureVerifier([], {cited.id: cited, other.id: other}, {"d": text}, {"en": " (unverified)"})
    for answer in ("The committee has 5 people [1].", "The committee has 5 [1]."):  # a unit, and a bare number
        v = verifier.run(answer, "en", {1: cited.id}, [cited.id, other.id])
        assert not v.all_supported and not v.added


def test_a_figure_held_by_a_passage_another_sentence_cites_gets_that_marker():
    text = "游客达到3000人。展会签约17个项目。"
    cut = text.index("。") + 1
    first = Passage("d#0-x", "d", 0, 0, cut, text[:cut], "zh", "t", "", "x", sentences=[(0, cut)])
    second = Passage("d#1-y", "d", 1, cut, len(text), text[cut:], "zh", "t", "", "y", sentences=[(cut, len(text))])
    article = Article("d", text, "", "zh", "t", False, "", False, "", "utf-8")
    verifier = FigureVerifier(extract_figures({"d": article}, [first, second]), {first.id: first, second.id: second},
                              {"d": text}, {"en": " (unverified)", "zh": "（未经核实）"})
    # The model credits the 17 projects to [1], whose passage says nothing of them.
    v = verifier.run("游客达到3000人 [1]。展会签约17个项目 [1]。", "zh", {1: first.id, 2: second.id},
                     [first.id, second.id])
    assert v.all_supported and not v.added
    assert v.text == "游客达到3000人 [1]。展会签约17个项目 [2] [1]。"


QUALIFIED = {"en": {"nearly": "nearly {figure}", "over": "over {figure}"},
             "zh": {"nearly": "近{figure}"}, "ko": {"over": "{figure} 이상"}}


def _qualified_verifier(text: str, lang: str) -> tuple[FigureVerifier, str]:
    p = Passage("d#0-x", "d", 0, 0, len(text), text, lang, "t", "", "x", sentences=[(0, len(text))])
    article = Article("d", text, "", lang, "t", False, "", False, "", "utf-8")
    return FigureVerifier(extract_figures({"d": article}, [p]), {p.id: p}, {"d": text},
                          {"en": " (unverified)"}, QUALIFIED), p.id


@pytest.mark.parametrize("source, answer, lang, shown", [
    ("海港签约额近5000亿元。", "海港签约额为5000亿元 [1]。", "zh", "海港签约额为近5000亿元 [1]。"),
    ("海港签约额近5000亿元。", "Deals reached 5000亿元 [1].", "en", "Deals reached nearly 5000亿元 [1]."),
    ("행사에 300여명이 참가했다.", "행사에 300명이 참가했다 [1].", "ko", "행사에 300명 이상이 참가했다 [1]."),
])
def test_a_qualifier_the_answer_dropped_is_put_back(source, answer, lang, shown):
    verifier, pid = _qualified_verifier(source, lang)
    v = verifier.run(answer, lang, {1: pid}, [pid])
    assert v.all_supported and v.text == shown


def test_an_answer_keeping_the_qualifier_is_left_as_it_is():
    verifier, pid = _qualified_verifier("海港签约额近5000亿元。", "zh")
    v = verifier.run("海港签约额接近5000亿元 [1]。", "zh", {1: pid}, [pid])
    assert v.all_supported and v.text == "海港签约额接近5000亿元 [1]。"


@pytest.mark.parametrize("answer", ["The total investment was 417.25 billion won [1].",  # and ten times too much
                                    "The total investment was 41.725 billion won [1]."])
def test_a_sources_bare_won_read_as_the_other_currency_is_written_as_the_source_has_it(answer):
    shown = "The total investment was 41.725 billion yuan (417.25억원) [1]."
    from rag.types import Figure

    text = "32개 항목의 총투자는 417.25억원이다."
    p = Passage("d#0-x", "d", 0, 0, len(text), text, "ko", "t", "", "x", sentences=[(0, len(text))])
    start = text.index("417.25")
    # A Yanbian paper's 원 is yuan (decided per article at index time).
    f = Figure("d@1", "417.25억원", "41725000000", "yuan", "", "", "", "총투자", [], False, [], "d", p.id,
               start, start + 9, 0, len(text), "", "ko")
    v = FigureVerifier([f], {p.id: p}, {"d": text}, {"en": " (unverified)"}).run(answer, "en", {1: p.id}, [p.id])
    assert v.all_supported and v.text == shown
