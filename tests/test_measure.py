"""What a figure measures, from its own words (rag/figures/measure.py), and conflicts built on it."""
from rag.figures.conflicts import find_conflicts
from rag.figures.extract import extract_figures
from rag.figures.measure import MeasureWeights, measure_phrase, measure_terms, named_in
from rag.types import Article, Passage


def _phrase(clause: str, figure: str, unit: str = "") -> str:
    start = clause.index(figure)
    return measure_phrase(clause, start, start + len(figure), unit)


def test_link_words_before_a_figure_are_stripped():
    assert _phrase("全年签约总额达到120亿元", "120亿元", "yuan") == "全年签约总额"


def test_a_korean_noun_after_the_figure_names_what_it_counts():
    assert _phrase("도합 57명의 교원을 파견했다", "57명", "people") == "교원"


def test_a_korean_verb_after_the_figure_is_not_a_measure():
    assert _phrase("수출액은 12% 증가했다", "12%", "%") == "수출액"


def test_places_and_dates_are_not_measure_words():
    phrase = _phrase("2023年北京市旅游收入为900亿元", "900亿元", "yuan")
    assert phrase == "旅游收入"


def test_a_chinese_counter_takes_the_noun_it_counts():
    assert _phrase("新开工12个项目", "12个", "count") == "新开工 项目"


def test_terms_meet_across_scripts_through_the_reading():
    assert measure_terms("企业") == measure_terms("기업")
    assert named_in("企业", "올해 새로 등록한 기업은 몇 개인가")


def test_a_term_every_figure_shares_weighs_less_than_a_rare_one():
    w = MeasureWeights(measure_terms(p) for p in ["签约总额", "投资总额", "贸易总额", "旅游人数"])
    assert w.weight("총액") < w.weight("관광")  # 总额 in three, 旅游 in one (as readings)


def _corpus(*docs: tuple[str, str]):
    articles, passages = {}, []
    for i, (doc, body) in enumerate(docs):
        text = f"标题{i}\n\n{body}\n"
        articles[doc] = Article(doc, text, "", "zh", f"标题{i}", False, f"2024-0{i + 1}-01", False, "", "utf-8")
        passages.append(Passage(f"{doc}#0", doc, 0, 0, len(text), text, "zh", f"标题{i}", f"2024-0{i + 1}-01",
                                "", [(5, len(text))]))
    return extract_figures(articles, passages)


def test_two_sources_on_one_named_measure_conflict():
    figs = _corpus(("a.txt", "北京市全年签约总额达到120亿元。"), ("b.txt", "北京市全年签约总额为150亿元。"))
    (c,) = find_conflicts(figs)
    assert sorted(v.text for v in c.values) == ["120亿元", "150亿元"] and c.label == "全年签约总额"


def test_figures_of_different_measures_in_one_unit_do_not_conflict():
    figs = _corpus(("a.txt", "北京市全年签约总额达到120亿元。"), ("b.txt", "北京市全年旅游收入为150亿元。"))
    assert figs and find_conflicts(figs) == []


def test_a_figure_whose_clause_names_no_measure_is_never_paired():
    figs = _corpus(("a.txt", "北京市达到120亿元。"), ("b.txt", "北京市为150亿元。"))
    assert [f.measure for f in figs] == ["", ""] and find_conflicts(figs) == []


def test_a_glossary_term_is_one_term_in_any_script():
    # 政务服务 and 정무서비스 share no reading; the glossary names them one term, and a word it
    # covers is not also counted by its letters (投资 vs 투자액 share one term, not two).
    assert measure_terms("政务服务事项") == measure_terms("정무서비스사항")
    assert len(measure_terms("投资") & measure_terms("투자액")) == 1
