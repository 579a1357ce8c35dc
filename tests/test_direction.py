"""Which way a figure goes between two places, and what else the ranking reads from a question:
standing totals, 两省 vs 两市, thresholds as conditions, roundings beside an exact figure."""
import pytest

from rag.figures.context import entities_in
from rag.figures.direction import (
    Direction,
    direction_fit,
    figure_direction,
    home_province,
    mentions,
    question_direction,
)
from rag.figures.focus import Candidate, asked_units
from rag.figures.leads import lead_figure, rounds
from rag.text.bridge import AliasTable
from rag.types import Figure

from .test_focus import focus  # noqa: F401  (fixture)

KO = ("2022년말의 수치에 따르면 흑룡강성은 도합 407명의 간부를 광동에 파견하여 림시직을 맡게 했으며 "
      "광동에서도 30명의 간부를 우리 성에 파견하여 림시직을 맡으면서 단련하게 했다.")


@pytest.mark.parametrize("question, source, target", [
    ("截至2022年底，广东向黑龙江派出多少名干部挂职？", "Guangdong", "Heilongjiang"),
    ("截至2022年底，黑龙江向广东派出多少名干部挂职？", "Heilongjiang", "Guangdong"),
    ("흑룡강성이 광동에 파견한 간부 수를 중국어로 알려 주세요.", "Heilongjiang", "Guangdong"),
    ("광동성은 흑룡강을 위해 몇명의 인큐베이션 관리인재를 양성했는가?", "Guangdong", "Heilongjiang"),
    ("How many tourists did Guangzhou send to Qiqihar in 2023?", "Guangzhou", "Qiqihar"),
    ("How many Heilongjiang cadres had been sent to Guangdong?", "Heilongjiang", "Guangdong"),
    ("How many tourists had Heilongjiang and Guangdong sent to each other?", "", ""),
    ("2021년 9월 12일 할빈에서 두 성은 몇개 프로젝트를 얼마에 체결했는가?", "", ""),
])
def test_question_direction(question, source, target):
    d = question_direction(question)
    assert (d.source, d.target) == (source, target)


def test_figure_direction_reads_particles_and_the_home_province():
    i, j = KO.index("407명"), KO.index("30명")
    there = figure_direction(KO, 0, i, i + 4, j, "Heilongjiang")
    back = figure_direction(KO, i + 4, j, j + 3, len(KO), "Heilongjiang")  # 우리 성 = the home province
    assert (there.source, there.target) == ("Heilongjiang", "Guangdong")
    assert (back.source, back.target) == ("Guangdong", "Heilongjiang")
    zh = "广东省通过多种形式为我省培养各类孵化管理人才300余名,助力科技孵化市场建设。"
    k = zh.index("300")
    got = figure_direction(zh, 0, k, k + 6, zh.index(","), "Heilongjiang")
    assert (got.source, got.target) == ("Guangdong", "Heilongjiang")
    both = "截至2020年,两省互派341名本部门或本地区的优秀骨干干部挂职锻炼。"
    assert figure_direction(both, 0, both.index("341"), both.index("341") + 4, len(both)).mutual
    joint = "사평과 장춘은 30여차례 도킹하고 32개의 주요 협력 프로젝트가"
    assert figure_direction(joint, 0, joint.index("32개"), joint.index("32개") + 3, len(joint)).mutual


def test_direction_fit_rewards_the_asked_way_and_penalises_the_other():
    asked = Direction("Guangdong", "Heilongjiang")
    assert direction_fit(asked, Direction("Guangdong", "Heilongjiang")) > 0
    assert (direction_fit(asked, Direction("Heilongjiang", "Guangdong"))
            < direction_fit(asked, Direction(mutual=True)) < 0)
    assert direction_fit(asked, Direction()) == 0 and direction_fit(Direction(), Direction("Harbin", "")) == 0


def test_home_province_is_the_one_never_beside_wo_sheng():
    text = "拉开了我省与广东省全方位合作的序幕。黑龙江和广东携手。黑龙江省加大投入。广东省支持。我省引入广东资金。"
    assert home_province(text) == "Heilongjiang"
    assert home_province("Nothing here.") == ""


def test_pair_compounds_name_both_places_and_give_no_direction():
    assert entities_in("截至目前,京津两市累计签约合作项目55个") == ["Beijing", "Tianjin"]
    assert [m.name for m in mentions("去年京津两市在沈阳再次签约")] == ["Shenyang"]
    table = AliasTable.load()
    assert "京津" in table.expansions("How many projects have Beijing and Tianjin signed?")
    assert "京津" not in table.expansions("How many projects has Beijing signed?")
    assert "Tianjin" in table.expansions("京津两市累计签约多少个项目")


def test_a_compound_inside_a_place_name_or_an_ordinary_word_is_not_a_pair():
    from rag.text.gazetteer import compounds

    pairs = compounds()
    assert "辽宁" not in pairs  # 辽 + 宁, but Liaoning itself
    assert "藏青" not in pairs  # a colour
    assert pairs["中俄"] == ("China", "Russia")
    assert "美中" not in pairs  # countries pair only in the gazetteer's order


def test_a_country_named_by_its_abbreviation_alone_is_a_mention():
    from rag.figures.context import entities_in

    assert entities_in("两省对俄贸易额增长") == ["Russia"]
    assert entities_in("日企在华投资") == ["Japan"]
    assert entities_in("我们对法律负责") == []  # an ordinary word, listed in the data file
    assert entities_in("其中方式不同") == []  # 中 is skipped: too common as a character


def test_ranking_follows_the_asked_direction(focus):  # noqa: F811
    assert focus("截至2022年底，广东向黑龙江派出多少名干部挂职？") == ["30명"]
    assert focus("截至2022年底，黑龙江向广东派出多少名干部挂职？") == ["407명"]
    assert focus("광동성은 흑룡강을 위해 몇명의 인큐베이션 관리인재를 양성했는가?") == ["300余名"]


def test_a_standing_total_beats_one_events_total(focus):  # noqa: F811
    assert focus("截至目前两省合作项目的总签约额达到多少？") == ["4901亿元"]
    assert focus("흑룡강과 광동의 합작프로젝트 총계약액은 얼마에 달했는가?") == ["4901亿元"]
    # 此后 asks what came after, not the standing total.
    assert focus("此后两省新生成了多少个合作项目？") == ["148个"]


def test_a_stated_threshold_is_a_condition_not_the_asked_unit():
    assert asked_units("How many projects with investment over 100 million yuan did Guangzhou and Qiqihar sign?") \
        == {"count"}
    assert asked_units("Around the 23 key cooperation items, how many projects did they land, and with what total "
                       "investment?") == {"count", "money"}


def _fig(text, value, qualifier="", start=0):
    return Figure(id=f"d@{start}", text=text, value=value, unit="yuan", qualifier=qualifier, period="", as_of="",
                  measure="", scope=[], scope_explicit=False, flags=[], doc="d", passage_id="d#1", start=start,
                  end=start + len(text), sentence_start=0, sentence_end=80, date="", language="zh")


def test_a_rounding_beside_the_exact_figure_is_no_rival_to_the_lead():
    exact, rounding = _fig("4901亿元", "490100000000", start=20), _fig("5000亿元", "500000000000", "nearly", 10)
    assert rounds(rounding, exact) and not rounds(exact, rounding)
    other = _fig("1114.79亿元", "111479000000", start=40)
    assert lead_figure([Candidate(exact, 6.0), Candidate(rounding, 5.75)]).figure is exact
    assert lead_figure([Candidate(exact, 6.0), Candidate(other, 5.75)]) is None
