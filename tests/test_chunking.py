import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import chunk
from rag.ingest import parse_text, read_article
from rag.text.sentences import display, split
from tests.conftest import SEEDS


def all_passages():
    return [p for path in sorted(SEEDS.iterdir()) for p in chunk(read_article(path))]


def test_passages_carry_offsets_and_stable_ids():
    ps = all_passages()
    assert 60 <= len(ps) <= 120
    again = all_passages()
    assert [p.id for p in ps] == [p.id for p in again]
    for p in ps:
        art = read_article(SEEDS / p.doc)
        assert p.start < p.end and p.id.startswith(p.doc + "#")
        for s, e in p.sentences:
            assert display(art.text, s, e) in p.text  # every sentence is the source, cleaned
        assert len(p.text) <= 280 * 1.4


def test_figures_are_never_split():
    ps = all_passages()
    for figure in ["289.36억원", "4901亿元", "1504.73亿元", "49억 6000만원", "1957.10亿元", "51.65万吨"]:
        assert any(figure in p.text for p in ps), figure


def test_layout_broken_sentence_is_rejoined():
    ps = all_passages()
    assert any("已派出2546名干部赴广东参加各类培训学习" in p.text for p in ps)
    assert not any("本报资料片" in p.text for p in ps)


def test_korean_and_chinese_sentence_ends():
    text = ("총투자가 289.36억원에 달한다. 현재 5개 대상이 생산에 투입되였다.\n"
            "截至目前,签约额接近5000亿元。基本实现目标！")
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    sents = [text[s.start:s.end] for s in split(text, spans)]
    assert sents == ["총투자가 289.36억원에 달한다.", "현재 5개 대상이 생산에 투입되였다.",
                     "截至目前,签约额接近5000亿元。", "基本实现目标！"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 9999), st.integers(0, 99), st.sampled_from(["억원", "万吨", "명", "%"])),
                min_size=1, max_size=30))
def test_generated_figures_survive_chunking(figs):
    sentences = [f"항목 {i}의 값은 {a}.{b:02d}{u}이다." for i, (a, b, u) in enumerate(figs)]
    text = "\n".join(sentences)
    art = parse_text(text, "gen.txt")
    joined = "\n".join(p.text for p in chunk(art, max_chars=120, min_chars=30))
    for a, b, u in figs:
        assert f"{a}.{b:02d}{u}" in joined


def test_a_title_does_not_run_on_past_its_dateline():
    from rag.ingest.clean import body_spans

    text = ("专题|港口合作,两市携手焕发新活力\n\n发布时间:2031-07-14 09:00:00\n\n"
            "编者按:两市持续深化合作,共同谱写新篇章。\n\n截至2030年,甲市已派出120名干\n\n部赴乙市学习。\n")
    sents = [s.text(text) for s in split(text, body_spans(text))]
    assert sents[0] == "专题|港口合作,两市携手焕发新活力"  # not joined to the editor's note below
    assert sents[1].startswith("编者按:")
    assert "截至2030年,甲市已派出120名干部赴乙市学习。" in sents  # a layout break is still rejoined
