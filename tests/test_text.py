from decimal import Decimal

from rag.figures import annotate_english, parse_figures
from rag.index.bm25 import BM25
from rag.retrieval import rrf
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


def test_figure_parsing_scales_and_units():
    f = {x.text: x for x in parse_figures("总签约额4901亿元, 49억 6000만원, 407명, 51.65万吨, 58%")}
    assert f["4901亿元"].value == Decimal("490100000000") and f["4901亿元"].unit == "yuan"
    assert f["49억 6000만원"].value == Decimal("4960000000")
    assert f["407명"].unit == "people" and f["51.65万吨"].value == Decimal("516500")


def test_english_annotation_keeps_the_source_figure():
    assert annotate_english("The total is 4901亿元 [1].") == "The total is 490.1 billion yuan (4901亿元) [1]."
    assert annotate_english("It reached 289.36억원.") == "It reached 28.936 billion yuan (289.36억원)."
    already = "490.1 billion yuan (4901亿元)"
    assert annotate_english(already) == already
