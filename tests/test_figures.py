"""Figures: parsing across zh/ko/en, round trips, extraction in context, conflicts, verification."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import chunk
from rag.figures import format_value, parse_figures
from rag.figures.conflicts import comparable, find_conflicts
from rag.figures.extract import extract_figures
from rag.figures.parse import UNIT_CLASS
from rag.figures.verify import FigureVerifier
from rag.ingest import read_article
from tests.conftest import SEEDS


@pytest.mark.parametrize("text,value,unit,qualifier", [
    ("总签约额接近5000亿元", "500000000000", "yuan", "nearly"),
    ("达到4901亿元", "490100000000", "yuan", ""),
    ("투자액이 루계로 49억 6000만원이였다", "4960000000", "yuan", ""),
    ("计划投资总额1504.73亿元。", "150473000000", "yuan", ""),
    ("2600만명 이상의 관광객", "26000000", "people", "over"),
    ("培养各类孵化管理人才300余名", "300", "people", "over"),
    ("30여차례 도킹하고", "30", "times", "over"),
    ("在储量51.65万吨", "516500", "tonnes", ""),
    ("약 600만톤의 량곡", "6000000", "tonnes", "about"),
    ("投资金额超千亿元", "100000000000", "yuan", "over"),
    ("거의 만명이나 되는 간부", "10000", "people", "nearly"),
    ("其中,投资超亿元项目", "100000000", "yuan", "over"),
    ("43.42万平方米工程建设", "434200", "m²", ""),
    ("增长率达58%", "58", "%", ""),
    ("1.2万亿元", "1200000000000", "yuan", ""),
    ("nearly 490.1 billion yuan", "490100000000", "yuan", "nearly"),
    ("more than 26 million tourists", "26000000", "people", "over"),
    ("RMB 4.9 billion", "4900000000", "yuan", ""),
    ("2,639 government service items", "2639", "items", ""),
    ("about 3,000 tonnes", "3000", "tonnes", "about"),
    ("선박 핵심부품 14세트를 맞춤 제작", "14", "sets", ""),
    ("a 58 percent rise", "58", "%", ""),
    ("반기문을 비롯한 3인의 대표단", "3", "people", ""),
    ("대한민국의 7인조 보이 그룹", "7", "people", ""),
    ("the band's 7 members", "7", "people", ""),
])
def test_surface_forms(text, value, unit, qualifier):
    (f,) = [f for f in parse_figures(text) if not f.is_bare]
    assert f.value == Decimal(value) and f.unit == unit and f.qualifier == qualifier


@pytest.mark.parametrize("text", ["2024-10-18 15:50:15", "제8회 중러박람회", "5월 20일 오전", "2017年12月17日",
                                  "CN23-0019", "与万科合作", "跨越千里", "最近3年", "中俄建交75周年",
                                  "数万名游客", "十几亿元", "수십억원", "화면은 3인치", "2인자로 꼽힌다"])
def test_dates_ordinals_and_words_are_not_figures(text):
    assert [f for f in parse_figures(text) if not f.is_bare] == []


def test_qualifier_not_read_inside_a_word():
    (f,) = parse_figures("계약 3개")  # 계약 ends in 약 ("about"), but is "contract"
    assert f.qualifier == ""
    (g,) = [x for x in parse_figures("有57个项目签约") if not x.is_bare]
    assert g.unit == "projects" and g.qualifier == ""


AMOUNTS = st.one_of(
    st.integers(min_value=1, max_value=10**13).map(Decimal),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2).filter(lambda d: d > 0),
)
UNITS = ["yuan", "people", "tonnes", "items", "pairs", "km", "m²", "times", "projects", "households"]


@settings(max_examples=300, deadline=None)
@given(value=AMOUNTS, unit=st.sampled_from(UNITS), lang=st.sampled_from(["zh", "ko", "en"]))
def test_format_then_parse_round_trips(value, unit, lang):
    text = format_value(value, unit, lang)
    found = [f for f in parse_figures(text) if not f.is_bare or f.value == value]
    assert len(found) == 1, (text, found)
    assert found[0].value == value, text
    assert UNIT_CLASS[found[0].unit] == UNIT_CLASS[unit], text


@settings(max_examples=100, deadline=None)
@given(value=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("999.9"), places=1),
       lang=st.sampled_from(["zh", "ko", "en"]))
def test_percent_round_trips(value, lang):
    (f,) = parse_figures(format_value(value, "%", lang))
    assert f.value == value and f.unit == "%"


@pytest.fixture(scope="module")
def seeds():
    articles = {a.doc: a for a in (read_article(p) for p in sorted(SEEDS.iterdir()))}
    passages = [p for a in articles.values() for p in chunk(a, 280, 80, 1)]
    return articles, passages, extract_figures(articles, passages)


def _fig(figs, doc, text):
    (f,) = [f for f in figs if f.doc.startswith(doc) and f.text == text][:1]
    return f


def test_extraction_reads_period_measure_and_scope(seeds):
    articles, passages, figs = seeds
    f = _fig(figs, "000", "407명")
    assert (f.period, f.as_of, f.measure, f.unit) == ("by end-2022", "2022-12-31", "간부", "people")  # 407명의 간부를
    assert f.scope[:2] == ["Heilongjiang", "Guangdong"] and f.scope_explicit
    assert articles[f.doc].text[f.start:f.end] == "407명"
    assert _fig(figs, "001", "341名").period == "by 2020"
    assert _fig(figs, "001", "1241.99亿元").period == "2017" and _fig(figs, "001", "1957.10亿元").period == "2019"
    assert _fig(figs, "002", "15.63万吨").period == "2024-01..08"  # 截至8月末，今年 against the 2024 article
    assert "per_year" in _fig(figs, "000", "600만톤").flags
    assert _fig(figs, "001", "2600万").unit == "people"  # 旅游客源互送人数突破2600万
    assert _fig(figs, "000", "만명").unit == "person-times"  # 연인수로 거의 만명
    assert not [f for f in figs if f.text == "6쌍"]  # ‘1주 6쌍’ names a programme


def test_conflicts_in_the_seeds(seeds):
    # Regression. The true ones, 84개 vs 133项 government-service items (정무서비스 meets 政务服务
    # through the glossary, 사항 meets 事项 through the reading), each direction its own.
    _, _, figs = seeds
    found = find_conflicts(figs)
    assert sorted(tuple(sorted(v.text for v in c.values)) for c in found) == [("133项", "84개"), ("2639개", "2701项")]
    for c in found:
        newest = next(v for v in c.values if v.passage_id == c.newest)
        assert newest.doc.startswith("002") and newest.as_of == "2024-10-18"
    # No false ones: 407 and 30 cadres sent opposite ways against a two-way 341; yearly vs cumulative
    # grain; registered vs attracted firms; one project's investment against another's.
    paired = {v.text for c in found for v in c.values}
    assert not paired & {"407명", "30명", "341名", "600만톤", "2200万吨", "286家", "56개", "6亿元", "49억 6000만원"}


def _made(doc, value, scope, explicit, as_of="2022-12-31"):
    from rag.types import Figure

    return Figure(f"{doc}@0", value, value, "people", "", "by end-2022", as_of, "cadres_posted", scope, explicit,
                  [], doc, f"{doc}#0", 0, 1, 0, 1, as_of, "zh")


def test_figures_comparable_only_through_a_third_are_no_conflict():
    one_way = _made("a", "407", ["Heilongjiang", "Guangdong"], True)
    other_way = _made("b", "30", ["Guangdong", "Heilongjiang"], True)
    both_ways = _made("c", "341", ["Heilongjiang", "Guangdong"], False)
    assert comparable(one_way, both_ways) and comparable(other_way, both_ways)
    assert not comparable(one_way, other_way)
    assert find_conflicts([one_way, other_way, both_ways]) == []
    same_way = _made("d", "400", ["Heilongjiang", "Guangdong"], True, "2023-06-30")
    assert [sorted(v.value for v in c.values) for c in find_conflicts([one_way, same_way])] == [["400", "407"]]


def test_yearly_and_cumulative_grain_are_not_comparable(seeds):
    _, _, figs = seeds
    assert not comparable(_fig(figs, "000", "600만톤"), _fig(figs, "001", "2200万吨"))
    assert not comparable(_fig(figs, "001", "2200万吨"), _fig(figs, "002", "15.63万吨"))
    assert comparable(_fig(figs, "000", "84개"), _fig(figs, "002", "133项"), figs)
    assert not comparable(_fig(figs, "000", "84개"), _fig(figs, "002", "2701项"), figs)  # the other direction


@pytest.fixture(scope="module")
def verifier(seeds):
    articles, passages, figs = seeds
    return FigureVerifier(figs, {p.id: p for p in passages}, {d: a.text for d, a in articles.items()},
                          {"en": " (unverified)", "zh": "（未经核实）", "ko": " (미확인)"})


def _pid(seeds, doc, needle):
    articles, passages, _ = seeds
    return next(p.id for p in passages if p.doc.startswith(doc) and needle in articles[p.doc].text[p.start:p.end])


def _run(verifier, text, lang, markers, context=()):
    given = dict(markers)
    v = verifier.run(text, lang, markers, list(context))
    assert markers == given  # the caller's markers are never changed
    return v, [a.passage_id for a in v.added]


def test_verify_exact_and_cross_language(seeds, verifier):
    pid = _pid(seeds, "001", "4901亿元")
    v, _ = _run(verifier, "총 계약액은 4901억원에 달했다 [1].", "ko", {1: pid})
    assert [c.supported for c in v.checks] == [True] and v.checks[0].source_text == "4901亿元"
    assert v.text == "총 계약액은 4901억원에 달했다 [1]."


def test_verify_repairs_scale_slip_and_rounding(seeds, verifier):
    pid = _pid(seeds, "001", "4901亿元")
    v, _ = _run(verifier, "Signed deals reached 5000 billion yuan [1].", "en", {1: pid})
    assert v.checks[0].repaired_from == "5000 billion yuan" and v.checks[0].supported
    assert "500 billion yuan (5000亿元)" in v.text and "5000 billion" not in v.text
    v, _ = _run(verifier, "Signed deals reached about 490 billion yuan [1].", "en", {1: pid})
    assert "490.1 billion yuan (4901亿元)" in v.text and v.checks[0].repaired_from == "490 billion yuan"


def test_a_figure_more_precise_than_the_source_is_not_its_rounding(seeds, verifier):
    # 39.4亿元 (a registered capital elsewhere) is not 39억원 (another project's investment) rounded.
    pid = _pid(seeds, "000", "39억원")
    v, _ = _run(verifier, "注册资本为39.4亿元[1]。", "zh", {1: pid})
    assert not v.all_supported and "39억원" not in v.text and not v.checks[0].repaired_from


def test_verify_marks_unsupported_figures(seeds, verifier):
    pid = _pid(seeds, "001", "4901亿元")
    v, _ = _run(verifier, "签约额为777亿元[1]。", "zh", {1: pid})
    assert not v.all_supported and "777亿元（未经核实）" in v.text


def test_verify_cites_an_uncited_context_passage(seeds, verifier):
    cited = _pid(seeds, "001", "4901亿元")
    other = _pid(seeds, "002", "133项")
    v, added = _run(verifier, "Guangzhou can handle 133 items [1].", "en", {1: cited}, [cited, other])
    assert v.all_supported and added == [other] and "133 items [2]" in v.text


def test_verify_repairs_a_compound_amount_read_at_the_wrong_scale(seeds, verifier):
    pid = _pid(seeds, "000", "49억 6000만원")
    v, _ = _run(verifier, "The 56 firms invested 49.6 billion yuan [1].", "en", {1: pid})
    assert v.all_supported and "4.96 billion yuan (49억 6000만원)" in v.text
    v, _ = _run(verifier, "Guangzhou signed 5 projects [1].", "en", {1: _pid(seeds, "002", "55个")})
    assert not v.all_supported  # 5 vs 55 is not a scale slip, and 5 is not in the passage as a figure
