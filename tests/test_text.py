from decimal import Decimal

import pytest

from rag.figures import annotate_english, parse_figures
from rag.index.bm25 import BM25
from rag.retrieval import language_quota, rrf
from rag.text.bridge import AliasTable, fold_initial, reading
from rag.text.tokenize import tokens


def test_cjk_bigrams_and_whole_numbers():
    t = tokens("两省合作 4,901亿元 and Harbin", bridge=False)
    assert "两省" in t and "合作" in t and "4901" in t and "harbin" in t and "and" not in t


def test_bridge_gives_han_and_hangul_shared_tokens():
    zh, ko = set(tokens("长春和四平")), set(tokens("장춘과 사평"))
    assert {"장춘", "사평"} <= zh & ko
    assert reading("干部") == "간부"
    assert reading("黑龙江") == "흑룡강"  # Yanbian reading, no initial-sound rule


def test_initial_sound_folding_matches_yanbian_and_standard_spelling():
    assert fold_initial("력") == fold_initial("역") == "역"
    assert fold_initial("림") == "임" and fold_initial("량") == "양" and fold_initial("로") == "노"
    assert set(tokens("력사")) == set(tokens("역사"))


def test_alias_table_and_mined_pairs():
    table = AliasTable.load()
    assert "할빈" in table.expansions("What happened in Harbin?")
    added = table.add_mined(["할빈림공(临空)경제구 흑룡강 곤곤(昆昆)국제경제무역회사 러해보(俄海宝)무역회사"])
    assert added == 1  # 곤곤 and 림공 are plain readings; 러해보 is a transliteration
    assert "俄海宝" in table.expansions("러해보는 무엇인가")


def test_bm25_prefers_matching_document():
    docs = [tokens("长春和四平合作项目"), tokens("广州和齐齐哈尔合作"), tokens("Harbin trade")]
    bm = BM25(docs)
    assert bm.top(tokens("四平合作"), 3)[0][0] == 0
    assert bm.top(tokens("nothing here"), 3) == []


def test_rrf_fuses_by_rank():
    fused = rrf({"a": [1, 2, 3], "b": [3, 1]}, k=60)
    assert [i for i, _, _ in fused] == [1, 3, 2]
    assert abs(fused[0][1] - (1 / 61 + 1 / 62)) < 1e-12
    assert fused[0][2] == {"a": 1, "b": 2}


def test_rrf_ties_follow_the_tiebreak_order():
    # One dense ranking per corpus language: both rank 1s score alike; the one more like the
    # question (earlier in the all-language dense order) must come first, whatever its number.
    rankings = {"dense-ko": [1, 3], "dense-zh": [2, 4]}
    assert [i for i, _, _ in rrf(rankings, 5, tiebreak=[2, 1, 4, 3])] == [2, 1, 4, 3]
    assert [i for i, _, _ in rrf(rankings, 5)] == [1, 2, 3, 4]
    assert [i for i, _, _ in rrf({"a": [9, 8]}, 5, tiebreak=[8])] == [9, 8]  # no tie: rank decides


def test_small_rrf_k_keeps_a_single_ranking_top_hit():
    # BM25's rank 1 that dense misses (a Korean passage for a Chinese question) against a passage
    # both rank middling: k=60 buries the first, k=5 keeps it ahead.
    # Dense rankings weigh 1/2 each with two corpus languages, as in HybridRetriever.
    others = list(range(101, 113))
    rankings = {"bm25": [7] + others, "dense-zh": others[::-1], "dense-ko": [20, 21]}
    weights = {"dense-zh": 0.5, "dense-ko": 0.5}
    assert [i for i, _, _ in rrf(rankings, 60, weights)].index(7) >= 5
    assert [i for i, _, _ in rrf(rankings, 5, weights)].index(7) <= 1


def test_language_quota_makes_room_for_the_other_language():
    ranked = ["zh1", "zh2", "zh3", "zh4", "zh5", "zh6", "ko1", "zh7", "ko2", "ko3"]

    def lang(item):
        return item[:2]

    assert language_quota(ranked, 5, 2, lang) == ["zh1", "zh2", "zh3", "ko1", "ko2"]
    assert language_quota(ranked, 5, 1, lang) == ["zh1", "zh2", "zh3", "zh4", "ko1"]
    assert language_quota(ranked, 5, 0, lang) == ranked[:5]
    # Too few of a language: what there is comes in, and nothing else is dropped.
    assert language_quota(["zh1", "zh2", "zh3", "ko1"], 3, 2, lang) == ["zh1", "zh2", "ko1"]
    assert language_quota(["zh1", "ko1", "zh2"], 2, 2, lang) == ["zh1", "ko1"]


def test_figure_parsing_scales_and_units():
    f = {x.text: x for x in parse_figures("总签约额4901亿元, 49억 6000만원, 407명, 51.65万吨, 58%")}
    assert f["4901亿元"].value == Decimal("490100000000") and f["4901亿元"].unit == "yuan"
    assert f["49억 6000만원"].value == Decimal("4960000000")
    assert f["407명"].unit == "people" and f["51.65万吨"].value == Decimal("516500")
    # A day of the month is a date; "3일 동안" and "3일간" are a duration.
    days = [(x.text, x.unit) for x in parse_figures("10월 18일부터 3일 동안 열렸고 5일간 이어졌다") if not x.is_bare]
    assert days == [("3일 동안", "days"), ("5일간", "days")]
    # Counters for animals: 460只 is a count, and so not the 460天 of a source.
    assert [(x.text, x.unit) for x in parse_figures("有460只大熊猫, 3마리")] == [("460只", "count"), ("3마리", "count")]


def test_english_annotation_keeps_the_source_figure():
    assert annotate_english("The total is 4901亿元 [1].") == "The total is 490.1 billion yuan (4901亿元) [1]."
    assert annotate_english("It reached 289.36억원.") == "It reached 28.936 billion yuan (289.36억원)."
    already = "490.1 billion yuan (4901亿元)"
    assert annotate_english(already) == already


@pytest.mark.parametrize("text, lang, expected", [
    ("总额达到12.5억원 [1]。", "zh", "总额达到12.5亿元 (12.5억원) [1]。"),
    ("총 730亿元 [1].", "ko", "총 730억원 (730亿元) [1]."),
    ("年产3.2万吨。", "ko", "年产3.2만톤 (3.2万吨)。"),
    ("총 730억원 (730亿元) [1].", "ko", "총 730억원 (730亿元) [1]."),  # already glossed
    ("총 730억원 [1].", "ko", "총 730억원 [1]."),  # its own language: nothing to gloss
])
def test_figures_from_another_language_are_glossed_in_the_answer_language(text, lang, expected):
    from rag.figures import gloss_figures

    assert gloss_figures(text, lang) == expected
