"""Briefing scope and key figures on tiny documents written for these tests (invented lines,
stations and figures); one behaviour per test."""
import json

import pytest

from rag.brief.scope import TopicScope
from rag.figures.parse import parse_figures
from rag.types import Article

# Two railway articles whose names nest (as 龙烟铁路 sits inside 德龙烟铁路), and a station article.
RAIL = "青石铁路\n\n青石铁路是一条连接两座山城的铁路，全长125公里，共设9座车站。青石铁路总投资为36亿元。\n"
LONGER = "白青石铁路\n\n白青石铁路全长410公里，总投资为88亿元。它由白河铁路和青石铁路合称而成。\n"
STATION = "柳桥站\n\n柳桥站是一座地下车站，车站全长186米，设有4个出入口。\n"


def _units(text: str) -> dict[str, str]:
    return {m.text: m.unit for m in parse_figures(text)}


def test_a_generic_counter_counts_the_noun_written_before_the_number():
    assert _units("累计签约合作项目12个，建设园区3个。") == {"12个": "projects", "3个": "count"}
    assert _units("입주 기업 17개") == {"17개": "companies"}


def test_a_generic_counter_counts_the_noun_after_it_within_its_noun_phrase():
    assert _units("7개의 신규 협력 프로젝트가 착공했다") == {"7개": "projects"}
    assert _units("新增9个重点项目") == {"9个": "projects"}


def test_a_genitive_ends_the_noun_phrase_a_counter_counts():
    assert _units("3개 도시의 프로젝트") == {"3개": "count"}  # three cities, not three projects
    assert _units("5个城市的项目") == {"5个": "count"}


def test_metres_are_a_unit():
    assert _units("车站全长186米") == {"186米": "m"}


def _scope(docs: dict[str, str], share_max: float = 0.5, coverage_min: float = 0.5):
    from rag.index.bm25 import BM25
    from rag.text.tokenize import tokens

    arts = {d: Article(doc=d, text=t, sha256="", language="zh", title=t.split("\n")[0], title_inferred=False,
                       date="", date_inferred=False, outlet="", encoding="utf-8") for d, t in docs.items()}
    bm25 = BM25([tokens(t, bridge=False) for t in docs.values()])
    return TopicScope(arts, bm25.shares, share_max, coverage_min), arts


def test_a_topic_phrase_inside_a_longer_name_another_article_bears_is_not_that_article():
    ts, arts = _scope({"a.txt": RAIL, "b.txt": LONGER, "c.txt": STATION, "d.txt": "天气\n\n今天晴。\n"})
    scope = ts.run("青石铁路")
    assert scope.terms == ["青石铁路"]
    assert ts.coverage(scope, "a.txt", RAIL) == 1.0
    # LONGER's figures' sentence names 青石铁路 only inside its own name; its last sentence apart.
    assert ts.coverage(scope, "b.txt", "白青石铁路全长410公里") == 0.0
    assert ts.coverage(scope, "b.txt", "它由白河铁路和青石铁路合称而成") == 1.0


def test_a_topic_in_the_corpus_script_that_no_passage_uses_is_not_covered():
    ts, _ = _scope({"a.txt": RAIL, "c.txt": STATION})
    assert ts.run("火山观测").unknown
    assert not ts.run("青石铁路").unknown


def test_a_topic_in_a_script_the_corpus_lacks_leaves_the_scope_open():
    ts, _ = _scope({"a.txt": RAIL, "c.txt": STATION})
    scope = ts.run("Volcano observation")
    assert not scope.unknown and not scope.terms and not scope.places


def test_scope_thresholds_are_checked():
    with pytest.raises(ValueError, match="share_max"):
        TopicScope({}, lambda toks: {}, 0.0, 0.5)
    with pytest.raises(ValueError, match="coverage_min"):
        TopicScope({}, lambda toks: {}, 0.1, 1.5)


def test_a_briefing_on_a_placeless_topic_lists_only_its_own_articles_figures(tiny_corpus):
    pipe = tiny_corpus({"a.txt": RAIL, "b.txt": LONGER, "c.txt": STATION}, brief_scope_share_max=0.7)
    b = pipe.briefer().run("青石铁路", "zh")
    assert {f.text for f in b.figures} >= {"125公里", "36亿元"}
    # 白青石铁路's passage names the topic, but its figures' sentence does not: none of 410公里, 88亿元.
    assert all(f.doc == "a.txt" for f in b.figures)


def test_the_key_figures_table_reads_in_scope_passages_beyond_the_noted_ones(tiny_corpus):
    docs = {f"{i}.txt": f"青石铁路{i}\n\n青石铁路第{i}段全长{100 + i}公里。\n" for i in range(4)}
    pipe = tiny_corpus(docs, brief_passages=1, brief_scope_share_max=1.0)
    b = pipe.briefer().run("青石铁路", "zh")
    assert len(b.notes) <= 1
    assert {f.text for f in b.figures} == {f"{100 + i}公里" for i in range(4)}


def test_a_figure_stated_once_with_its_unit_and_once_without_is_one_row(tiny_corpus):
    doc = "柳桥站\n\n柳桥站总投资36亿元。柳桥站投资36亿，车站全长186米。\n"
    pipe = tiny_corpus({"c.txt": doc, "a.txt": RAIL}, brief_scope_share_max=1.0)
    b = pipe.briefer().run("柳桥站", "zh")
    assert [f.text for f in b.figures if f.value == "3600000000"] == ["36亿元"]


def test_a_placeless_topic_no_passage_names_gets_a_briefing_saying_so(tiny_corpus):
    pipe = tiny_corpus({"a.txt": RAIL, "c.txt": STATION})
    b = pipe.briefer().run("火山观测", "zh")
    assert b.not_covered and not b.notes and not b.figures


def test_briefing_checks_are_derived_from_a_sets_titles_and_numeric_golds(tmp_path):
    from rag.evaluation.briefing_sets import derive_checks, split_of

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dev_cm_zh_01.txt").write_text(RAIL, encoding="utf-8")
    (docs / "dev_cm_zh_02.txt").write_text(STATION, encoding="utf-8")
    rows = [{"id": "q1", "lang": "zh", "q": "多长？", "answers": ["125公里"], "doc": "dev_cm_zh_01.txt",
             "type": "numeric", "source": "cmrc2018", "title": "青石铁路"},
            {"id": "q2", "lang": "zh", "q": "哪年？", "answers": ["1999年"], "doc": "dev_cm_zh_01.txt",
             "type": "numeric", "source": "cmrc2018", "title": "青石铁路"},
            {"id": "q3", "lang": "zh", "q": "几个出入口？", "answers": ["4个"], "doc": "dev_cm_zh_02.txt",
             "type": "numeric", "source": "cmrc2018", "title": "柳桥站 (山城市)"}]
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    checks = derive_checks(tmp_path)
    assert [(c.topic, c.lang, c.docs) for c in checks] == [("柳桥站", "en", ["dev_cm_zh_02.txt"]),
                                                           ("青石铁路", "zh", ["dev_cm_zh_01.txt"])]
    assert checks[1].figures == [{"value": "125", "unit": "km", "doc": "dev_cm_zh_01.txt"}]  # a year is no figure
    other = "held-out" if split_of("青石铁路") == "fit" else "fit"
    assert "青石铁路" in [c.topic for c in derive_checks(tmp_path, split_of("青石铁路"))]
    assert "青石铁路" not in [c.topic for c in derive_checks(tmp_path, other)]


def test_a_note_is_supported_by_the_passage_sentence_it_restates(fake_embedder):
    from rag.brief.support import NoteSupport

    support = NoteSupport(fake_embedder, 0.5)
    s = support.run("青石铁路全长125公里", ["今天天气晴朗，气温回升。", "青石铁路全长125公里，共设9座车站。"])
    assert s.supported and s.sentence == 1
    assert not support.run("柳桥站设有4个出入口", ["今天天气晴朗，气温回升。"]).supported
    assert not support.run("青石铁路全长125公里", []).supported
    with pytest.raises(ValueError, match="cosine"):
        NoteSupport(fake_embedder, 2.0)


def test_a_model_note_unlike_its_passage_is_not_kept(tiny_corpus):
    # Keeps the passage's figure, so the figure check passes, but says something else entirely.
    note = "125公里的海底隧道今年通车。"
    docs = {"a.txt": RAIL, "c.txt": STATION}
    kept = {}
    for support_min in (-1.0, 0.9):
        pipe = tiny_corpus(docs, [note] * 8, brief_scope_share_max=0.7, brief_support_min=support_min)
        kept[support_min] = [n.text for n in pipe.briefer().run("青石铁路", "zh").notes if n.kind == "model"]
    assert any(t.startswith(note) for t in kept[-1.0])  # the other checks let it through
    assert not any(t.startswith(note) for t in kept[0.9])


def test_another_articles_passage_naming_the_topic_only_in_passing_is_not_about_it(tiny_corpus):
    # LONGER names 青石铁路 only inside a clause on the longer line (它由白河铁路和青石铁路合称而成).
    pipe = tiny_corpus({"a.txt": RAIL, "b.txt": LONGER, "c.txt": STATION}, [], brief_scope_share_max=0.7)
    assert "b.txt" not in {p.doc for p in pipe.briefer().select("青石铁路", "").passages}


def test_a_note_stating_another_subjects_figure_is_not_kept(tiny_corpus):
    # 白青石铁路's passage has a clause on the topic, so it is noted; its 410公里 is the longer line's length.
    longer = "白青石铁路\n\n白青石铁路全长410公里，总投资为88亿元。青石铁路是它的西段。\n"
    pipe = tiny_corpus({"a.txt": RAIL, "b.txt": longer, "c.txt": STATION}, ["白青石铁路全长410公里。"] * 8,
                       brief_scope_share_max=0.7)
    b = pipe.briefer().run("青石铁路", "zh")
    assert "b.txt" in {p.doc for p in pipe.briefer().select("青石铁路", "").passages}
    assert not any("410" in n.text for n in b.notes)


def test_a_note_cut_at_the_token_limit_keeps_its_finished_clauses():
    from rag.answering.prose import first_sentence

    assert first_sentence("柳桥站是一座地下车站，车站全长186米，设有4个出入口，出入口都有供", cut=True) == \
        "柳桥站是一座地下车站，车站全长186米，设有4个出入口。"
    assert first_sentence("The line is 125 km long, with 9 stations, and cost 3,6", cut=True) == \
        "The line is 125 km long, with 9 stations."
    assert first_sentence("青石铁路全长12", cut=True) == ""  # no finished clause, perhaps half a number
    assert first_sentence("青石铁路全长125公里，共设9座车站", cut=False) == "青石铁路全长125公里，共设9座车站"


def test_a_failed_note_in_the_briefing_language_falls_back_to_the_passages_own_sentence(tiny_corpus):
    pipe = tiny_corpus({"a.txt": RAIL, "c.txt": STATION}, ["Nothing to report."] * 8, brief_scope_share_max=0.7)
    zh = pipe.briefer().run("青石铁路", "zh")
    assert [n.kind for n in zh.notes] == ["quote"]
    assert zh.notes[0].text.startswith("青石铁路是一条连接两座山城的铁路，全长125公里") and not zh.notes[0].quote
    en = pipe.briefer().run("青石铁路", "en")
    assert not any(n.kind == "quote" for n in en.notes)  # a Chinese sentence is no English note


def test_a_sentence_about_another_titled_subject_lends_its_figure_to_no_other_topic(tiny_corpus):
    docs = {"a.txt": RAIL, "r.txt": "红河铁路\n\n红河铁路是一条山区铁路。\n",
            "t.txt": "山城交通\n\n红河铁路全长88公里，西起青石铁路终点。青石铁路明年扩建，投资7亿元。\n"}
    pipe = tiny_corpus(docs, ["Nothing to report."] * 8, brief_scope_share_max=0.7)
    shown = {f.text for f in pipe.briefer().run("青石铁路", "zh").figures}
    assert "7亿元" in shown and "88公里" not in shown  # 88公里 is 红河铁路's, named first in its sentence


def _rail_table(tiny_corpus, docs: dict[str, str], share_max: float) -> set[str]:
    """The 青石铁路 briefing's table over RAIL, a 红河铁路 article and `docs`."""
    docs = {"a.txt": RAIL, "r.txt": "红河铁路\n\n红河铁路是一条山区铁路。\n", **docs}
    pipe = tiny_corpus(docs, ["Nothing to report."] * 8, brief_scope_share_max=share_max)
    return {f.text for f in pipe.briefer().run("青石铁路", "zh").figures}


def test_a_clause_opening_with_another_name_of_the_topics_kind_is_not_about_the_topic(tiny_corpus):
    text = "山城交通\n\n白沙铁路全长64公里，东至青石铁路终点。青石铁路明年扩建，投资7亿元。\n"
    shown = _rail_table(tiny_corpus, {"t.txt": text}, 0.7)
    # 白沙铁路 titles no article: it is a railway still, by the ending it shares with the titles.
    assert "7亿元" in shown and "64公里" not in shown


def test_a_clause_with_no_subject_carries_the_one_before_it(tiny_corpus):
    shown = _rail_table(tiny_corpus, {"t.txt": "红河铁路\n\n西起青石铁路终点，是山城环线的一部分，正线全长47公里。\n",
                                      "s.txt": "山城交通\n\n青石铁路明年扩建，西起山城，投资7亿元。\n"}, 0.8)
    # 47公里 is the length of 红河铁路, the article's subject; 7亿元 is 青石铁路's, two clauses on.
    assert "7亿元" in shown and "47公里" not in shown


def test_a_note_on_a_passage_overlapping_the_one_before_is_checked_against_all_its_figures(tiny_corpus):
    docs = {"a.txt": RAIL, "r.txt": "红河铁路\n\n红河铁路是一条山区铁路。\n",
            "t.txt": "山城交通\n\n青石铁路明年扩建，投资7亿元。白沙铁路长64公里。青石铁路共设9座车站，另有3座在建。\n"}
    pipe = tiny_corpus(docs, [], brief_scope_share_max=0.8, chunk_chars=30, chunk_min_chars=10)
    b = pipe.briefer()
    later = [p for p in b.passages.values() if p.doc == "t.txt" and "64公里" in p.text and "9座" in p.text]
    assert later and later[0].start > 0  # the 64公里 sentence is also the end of the passage before it
    note = "白沙铁路长64公里，青石铁路共设9座车站。"
    assert b._checked(note, later[0], "zh", 1, b.scope.run("青石铁路")) is None  # 64公里 is 白沙铁路's


def test_a_note_the_model_wrote_in_the_passages_language_is_translated(tiny_corpus):
    pipe = tiny_corpus({"a.txt": RAIL, "c.txt": STATION},
                       ["青石铁路全长125公里。", "The Qingshi railway is 125 km long."], brief_scope_share_max=0.7)
    b = pipe.briefer().run("青石铁路", "en")
    assert [n.text for n in b.notes if n.kind == "model"] == ["The Qingshi railway is 125 km long. [1]"]
    assert pipe.llm.script == [] and "Translate into English" in pipe.llm.calls[1][-1]["content"]
    again = pipe.briefer().run("青石铁路", "en")  # the translation is what the cache keeps
    assert again.notes[0].text == b.notes[0].text and again.timings["notes_cached"] == 1


def test_a_title_cut_short_with_an_ellipsis_still_names_its_topic():
    ts, _ = _scope({"a.txt": "青石铁路…\n\n全长125公里。\n", "c.txt": STATION, "d.txt": "天气\n\n今天晴。\n"})
    scope = ts.run("青石铁路")
    assert scope.longer == {"青石铁路": []} and ts.coverage(scope, "a.txt", "全长125公里。") == 1.0


def test_a_derived_checks_won_is_won_where_its_document_is_south_korean(tmp_path):
    from rag.evaluation.briefing_sets import derive_checks

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dev_kq_ko_01.txt").write_text("노르빅 시청\n\n노르빅 시는 올해 새 청사 건립에 예산 8억원을 배정했다고 "
                                            "밝혔다. 시는 원화 예산을 늘렸다.\n", encoding="utf-8")
    rows = [{"id": "q1", "lang": "ko", "q": "예산은 얼마인가?", "answers": ["8억원"], "doc": "dev_kq_ko_01.txt",
             "type": "numeric", "source": "korquad", "title": "노르빅 시청"}]
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    (check,) = derive_checks(tmp_path)
    assert check.figures == [{"value": "800000000", "unit": "won", "doc": "dev_kq_ko_01.txt"}]
