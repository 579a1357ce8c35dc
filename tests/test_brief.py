"""Briefings with the fake model: structure, citations that resolve, cached notes, topics, output."""
import json
import re

import pytest

from rag.brief.render import to_markdown
from rag.brief.topics import list_topics
from rag.cli import main
from rag.errors import BadInput
from rag.llm.fake import FakeLLM
from rag.pipeline import Pipeline
from rag.prompts import Prompts

TOPIC = "黑龙江 广东 对口合作 签约"


@pytest.fixture
def pipe(built):
    config, emb = built
    return Pipeline(config, embedder=emb, llm=FakeLLM()).warm_up()


def test_briefing_structure_and_citations_resolve(pipe):
    b = pipe.briefer().run(TOPIC, "en")
    assert 1 <= len(b.notes) <= pipe.config.brief_passages
    assert [n.date for n in b.notes] == sorted(n.date for n in b.notes)  # developments in date order
    markers = {c.marker for c in b.citations}
    texts = [b.overview] + [n.text for n in b.notes]
    used = {int(m) for t in texts for m in re.findall(r"\[(\d+)\]", t)}
    assert used and used <= markers
    for c in b.citations:  # every citation quotes its source exactly
        assert pipe.index.articles[c.doc].text[c.start:c.end] == c.quote
    assert all(n.text.rstrip().endswith(f"[{n.marker}]") for n in b.notes)
    cited = {c.passage_id for c in b.citations}
    assert b.figures and all(f.passage_id in cited for f in b.figures)  # every table row cites its passage
    assert {s["doc"] for s in b.sources} == {c.doc for c in b.citations}
    md = to_markdown(b, Prompts(pipe.config.prompts_dir))
    for heading in ("## Overview", "## Key developments", "## Key figures", "## Sources"):
        assert heading in md
    assert all(f.text in md for f in b.figures)


def test_second_briefing_reuses_cached_notes(pipe):
    first = pipe.briefer().run(TOPIC, "en")
    calls = len(pipe.llm.calls)
    second = pipe.briefer().run(TOPIC + " 项目", "en")
    shared = {n.passage_id for n in first.notes} & {n.passage_id for n in second.notes}
    assert shared and all(n.cached for n in second.notes if n.passage_id in shared)
    assert len(pipe.llm.calls) - calls == second.timings["notes_generated"]  # the overview makes no call
    assert first.timings["notes_generated"] > 0
    korean = pipe.briefer().run(TOPIC, "ko")  # notes are per language
    assert korean.timings["notes_cached"] == 0


def test_briefing_conflicts_in_the_briefing_language(tiny_corpus):
    from tests.test_answer import EARLY, LATE

    pipe = tiny_corpus({"early.txt": EARLY, "late.txt": LATE})
    b = pipe.briefer().run("杭州 签约总额", "zh")
    assert [sorted(v.text for v in c.values) for c in b.conflicts] == [["120亿元", "150亿元"]]
    assert {c.doc for c in b.citations} == {"early.txt", "late.txt"}
    text = to_markdown(b, Prompts(pipe.config.prompts_dir))
    assert "全年签约总额" in text and "as of" not in text and "newest:" not in text


def test_briefing_since(pipe):
    late = pipe.briefer().run(TOPIC, "en", since="2024-01-01")
    assert all(n.date >= "2024-01-01" for n in late.notes)


@pytest.mark.parametrize("topic,lang,since", [("", "en", ""), ("x", "fr", ""), ("x", "en", "2021/01/01")])
def test_bad_briefing_input(pipe, topic, lang, since):
    with pytest.raises(BadInput):
        pipe.briefer().run(topic, lang, since)


def test_a_topic_too_long_is_refused(pipe):
    with pytest.raises(BadInput, match="characters"):
        pipe.briefer().run("广州" * 5001, "zh")


@pytest.mark.parametrize("lang,said", [("en", "say nothing about Shanghai"), ("zh", "没有关于上海的内容"),
                                       ("ko", "상해시에 관한 내용이 없어")])
def test_a_topic_the_corpus_does_not_cover_gets_a_briefing_saying_so(pipe, lang, said):
    b = pipe.briefer().run("Shanghai port expansion", lang)
    assert b.not_covered == ["Shanghai"] and said in b.overview
    assert not b.notes and not b.figures and not b.citations and not pipe.llm.calls  # nothing about anything else
    md = to_markdown(b, Prompts(pipe.config.prompts_dir))
    assert said in md and "[1]" not in md and md.count("\n## ") == 0


def test_passages_enter_a_briefing_only_about_the_topics_places(pipe):
    b = pipe.briefer().run("长春 四平 合作", "zh")
    assert b.notes and all(n.doc.startswith("004") for n in b.notes)  # the Changchun–Siping article only


def test_topics_found_in_the_corpus(pipe):
    topics = list_topics(pipe.index.articles, pipe.index.passages, "en")
    pairs = {frozenset(t["entities"]) for t in topics}
    for pair in ({"Heilongjiang", "Guangdong"}, {"Guangzhou", "Qiqihar"}, {"Shenzhen", "Harbin"},
                 {"Changchun", "Siping"}, {"Heilongjiang", "Russia"}):
        assert frozenset(pair) in pairs
    zh = list_topics(pipe.index.articles, pipe.index.passages, "zh")
    assert any("齐齐哈尔" in t["topic"] for t in zh)


def test_cli_brief_html_and_errors(env, tmp_path, capsys):
    out = tmp_path / "b.html"
    assert main(["brief", *TOPIC.split(), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'href="#c1"' in page and 'id="c1"' in page
    assert main(["brief", "--list-topics", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["passages"] > 1
    assert main(["brief", "x", "--out", str(tmp_path / "b.pdf")]) == 2
    assert main(["brief"]) == 2


def test_overview_sentence_without_marker_gets_the_closest_note():
    from rag.brief import Briefer, Note

    notes = [Note(1, "p1", "a", "2021-01-01", "两省签约项目76个，总签约额1114.79亿元。 [1]", False),
             Note(2, "p2", "b", "2022-01-01", "흑룡강은 407명의 간부를 광동에 파견했다. [2]", False)]
    out = Briefer._cite_unmarked("Projects were signed [1]. 흑룡강은 간부를 광동에 파견했다.", notes)
    assert out.endswith("[2]") and out.count("[1]") == 1


def test_briefing_bench_times_a_cold_and_a_cached_run(built):
    from rag.bench import briefing_times

    config, emb = built
    llm = FakeLLM()
    pipe = Pipeline(config, embedder=emb, llm=llm).warm_up()
    lines = briefing_times(pipe, config, "Heilongjiang–Guangdong", ["en"])
    row = next(line for line in lines if line.startswith("| en |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert float(cells[1]) >= 0 and float(cells[2]) >= 0 and int(cells[3]) > 0
    assert int(cells[4]) + int(cells[5]) > 0
    # The cold run made one call per passage, the cached one none (the overview is the lead notes).
    assert len(llm.calls) == int(cells[3])
    assert pipe.config is config and not (config.cache_dir / "notes").exists()


def test_markers_written_before_sentences_move_after_them():
    from rag.brief.briefer import _trailing_markers

    assert _trailing_markers("[1] Tourists: 2600만명. [2] Value: 4901亿元. [3][4] Both grew.") == \
        "Tourists: 2600만명. [1] Value: 4901亿元. [2] Both grew. [3][4]"
    assert _trailing_markers("Fact one [1]. Fact two [2].") == "Fact one [1]. Fact two [2]."


@pytest.mark.parametrize("lang,topic", [("ko", "흑룡강 광동 협력 계약"), ("zh", "黑龙江 广东 合作 干部")])
def test_every_label_is_in_the_briefing_language(pipe, lang, topic):
    from rag.brief.render import to_html

    b = pipe.briefer().run(topic, lang)
    assert any(f.period.startswith(("by end-", "to ")) for f in b.figures)  # the cases that leaked
    prompts = Prompts(pipe.config.prompts_dir)
    for text in (to_markdown(b, prompts), to_html(b, prompts)):
        # English that used to leak into zh/ko briefings: labels, dates, normalised values, unknown outlets.
        for english in ("Briefing", "as of", "newest:", "(inferred)", " billion", " million", "— ?,", "by end-",
                        "to 20", "cadres", "government-service"):
            assert english not in text, (lang, english)
    assert b.figures and any(ch in to_markdown(b, prompts) for ch in ("亿", "억", "万", "만"))


def test_progress_names_the_steps(pipe):
    steps = []
    b = pipe.briefer().run(TOPIC, "en", on_progress=lambda done, total, what: steps.append(what))
    assert steps[0].startswith("selecting passages") and steps[-1].startswith("writing the overview")
    assert f"note 1 of {b.timings['passages']}" in steps[1]


def test_overview_is_the_notes_holding_the_leading_key_figures_without_a_model_call(pipe):
    calls = len(pipe.llm.calls)
    b = pipe.briefer().run(TOPIC, "en")
    assert len(pipe.llm.calls) - calls == b.timings["notes_generated"]
    by_marker = {n.marker: n for n in b.notes}
    lead = [by_marker[int(m)] for m in dict.fromkeys(re.findall(r"\[(\d+)\]", b.overview))]
    assert 1 <= len(lead) <= pipe.config.brief_overview_notes
    # Every sentence of a leading note, each with the note's marker.
    assert b.overview == " ".join(f"{' '.join(x.split())} [{n.marker}]" for n in lead
                                  for x in re.split(r"(?<=\.)\s+", re.sub(r"\[\d+\]", "", n.text).strip()))
    noted = {n.passage_id for n in b.notes}
    first = next(f for f in b.figures if f.passage_id in noted)  # the table's most salient noted figure
    assert lead[0].passage_id == first.passage_id


def test_overview_leaves_out_a_note_stating_only_figures_an_earlier_one_states(pipe):
    from rag.brief.briefer import Note
    from rag.types import FigureCheck

    def note(marker, pid, text, value):
        return Note(marker, pid, "d", "", f"{text} [{marker}]", False, [FigureCheck(value, value, "yuan", True, pid)])

    notes = [note(1, "p1", "Signed 5 billion yuan.", "5000000000"),
             note(2, "p2", "Deals reach 5 billion.", "5000000000"),
             note(3, "p3", "Trade rose to 2 billion yuan. It had doubled.", "2000000000")]
    text, checks = pipe.briefer()._lead_notes(notes, [])
    # Each sentence of a lead note carries its marker.
    assert text == "Signed 5 billion yuan. [1] Trade rose to 2 billion yuan. [3] It had doubled. [3]"
    assert len(checks) == 2


def test_overview_puts_a_note_with_figures_before_one_without(pipe):
    from rag.brief.briefer import Note
    from rag.types import FigureCheck

    vague = Note(1, "p1", "d", "", "The passage reports on the successful partnership. [1]", False)
    figure = Note(2, "p2", "d", "", "Reported figure (Lanport): 52 tonnes (52吨). [2]", False,
                  [FigureCheck("52吨", "52", "tonnes", True, "p2")], kind="figure")
    text, _ = pipe.briefer()._lead_notes([vague, figure], [])
    assert text.index("[2]") < text.index("[1]")


def test_model_overview_cut_after_a_leading_marker_credits_no_note_with_the_cut_sentence(pipe):
    from rag.llm.base import Generation

    first = pipe.briefer().run(TOPIC, "en")
    (a, b_) = first.notes[:2]
    text_a, text_b = (re.sub(r"\s*\[\d+\]$", "", n.text) for n in (a, b_))
    # The model lists notes with their markers first, and the token limit cuts the third.
    cut = f"[{a.marker}] {text_a}\n[{b_.marker}] {text_b}\n[{first.notes[2].marker}] Then the two sides agreed to"
    pipe.llm.script = [Generation(cut, finish_reason="length")]
    b = _model_overview(pipe).run(TOPIC, "en")
    assert b.overview == f"{text_a} [{a.marker}] {text_b} [{b_.marker}]"


def _model_overview(pipe):
    """A briefer whose overview the model writes from the notes (brief_overview_model)."""
    return pipe.briefer(pipe.config.replace(brief_overview_model=True))


def test_overview_keeps_only_what_its_notes_passages_say(pipe):
    first = _model_overview(pipe).run(TOPIC, "en")  # notes cached; the next run makes one call, the overview
    m = first.notes[0].marker
    kept = re.sub(r"\s*\[\d+\]$", "", first.notes[0].text)
    pipe.llm.script = [f"Shanghai also joined the plan [{m}]. {kept} [{m}] [{m}]"]
    b = _model_overview(pipe).run(TOPIC, "en")
    assert "Shanghai" not in b.overview  # a place none of the cited passages names
    assert b.overview == f"{kept} [{m}]"  # the repeated marker collapsed


def test_overview_drops_a_sentence_cut_at_the_token_limit(pipe):
    from rag.llm.base import Generation

    first = _model_overview(pipe).run(TOPIC, "en")
    m = first.notes[0].marker
    kept = re.sub(r"\s*\[\d+\]$", "", first.notes[0].text)
    cut = f"The plan was signed [{m}], and the two sides then agreed to"
    pipe.llm.script = [Generation(f"{kept} [{m}] {cut}", finish_reason="length")]
    b = _model_overview(pipe).run(TOPIC, "en")
    assert b.overview == f"{kept} [{m}]", b.overview


def test_overview_drops_a_sentence_that_is_only_a_date(pipe):
    first = _model_overview(pipe).run(TOPIC, "en")
    m = first.notes[0].marker
    kept = re.sub(r"\s*\[\d+\]$", "", first.notes[0].text)
    pipe.llm.script = [f"{kept} [{m}] 2022-12-31, [{m}]"]
    assert _model_overview(pipe).run(TOPIC, "en").overview == f"{kept} [{m}]"


def test_overview_prompt_lists_notes_without_their_article_dates(pipe):
    b = _model_overview(pipe).run(TOPIC, "en")
    (prompt,) = [c[-1]["content"] for c in pipe.llm.calls if "Numbered notes" in c[-1]["content"]]
    assert b.notes and all(f"[{n.marker}] " in prompt for n in b.notes)
    assert not any(n.date and n.date in prompt for n in b.notes)  # the model took them for event dates


def test_overview_figure_from_another_note_carries_that_note_s_marker(pipe):
    first = _model_overview(pipe).run(TOPIC, "en")
    (a, fa), (b_, fb) = [(n, n.figures[0]) for n in first.notes if n.figures and n.figures[0].supported][:2]
    # The model states b's figure but cites a's note, which does not hold it.
    pipe.llm.script = [f"The plan counts {fb.text} [{a.marker}]."]
    b = _model_overview(pipe).run(TOPIC, "en")
    assert f"[{b_.marker}]" in b.overview and f"[{a.marker}]" in b.overview, b.overview


def test_key_figures_lead_with_the_headline_and_the_lead_and_list_each_once(pipe):
    from decimal import Decimal

    from rag.figures.parse import parse_figures

    b = pipe.briefer().run(TOPIC, "en")
    arts = pipe.index.articles
    lead = {p.id for p in pipe.index.passages if p.ordinal == 0}

    def headline(f):
        return Decimal(f.value) in {Decimal(m.value) for m in parse_figures(arts[f.doc].title) if not m.is_bare}

    ranks = [(not headline(f), f.passage_id not in lead) for f in b.figures]
    assert ranks == sorted(ranks) and ranks[0][0] is False  # 001's title states 5000亿
    assert any(r[0] for r in ranks)
    rows = [(f.doc, f.value, f.unit) for f in b.figures]
    assert len(rows) == len(set(rows))  # 1114.79亿元, written twice in its article, is one row


def test_a_topic_one_article_covers_fills_the_slots_from_it(pipe):
    chosen = pipe.briefer().select("Changchun–Siping integration", "").passages
    assert {p.doc for p in chosen} == {"004_702c8b251f750e4a.txt"}
    assert pipe.config.brief_per_doc < len(chosen) <= pipe.config.brief_passages


def test_a_since_date_after_every_article_is_an_error_not_a_topic_the_corpus_lacks(pipe):
    with pytest.raises(BadInput, match="dated 2099-01-01 or later"):
        pipe.briefer().run("Changchun–Siping integration", "en", since="2099-01-01")


def test_a_scale_word_alone_is_no_key_figure(pipe):
    b = pipe.briefer().run(TOPIC, "en")
    assert b.figures and all(any(ch.isdigit() for ch in f.text) for f in b.figures)  # not 亿元 from 超亿元


@pytest.mark.parametrize("lang", ["en", "zh", "ko"])
def test_a_figure_note_for_an_undated_figure_has_no_empty_brackets(tiny_corpus, lang):
    pipe = tiny_corpus({"port.txt": "항구 소식\n\n노르빅항의 화물 처리량은 52만톤에 달했다.\n"})
    briefer = pipe.briefer()
    (p,) = [p for p in pipe.index.passages if p.doc == "port.txt"]
    assert briefer._of_passage[p.id] and not briefer._of_passage[p.id][0].as_of
    note = briefer._figure_note(p, lang, 1)
    assert note is not None and "52" in note[0]
    assert not re.search(r"\(\s*\)|（\s*）|as of\s*\)|,\s*\)|截至）|\(\s*기준\)", note[0]), note[0]


@pytest.mark.parametrize("lang, labelled", [("ko", True), ("en", False), ("zh", False)])
def test_a_figure_note_names_the_measure_in_the_source_s_language_only(tiny_corpus, lang, labelled):
    pipe = tiny_corpus({"port.txt": "항구 소식\n\n노르빅항의 화물 처리량은 52만톤에 달했다.\n"})
    briefer = pipe.briefer()
    (p,) = [p for p in pipe.index.passages if p.doc == "port.txt"]
    note = briefer._figure_note(p, lang, 1)
    assert note is not None and "52" in note[0]
    # Another language's measure words, cut from their clause, are no label; the quote shows them.
    assert ("처리량" in note[0]) is labelled, note[0]


def test_the_key_figures_table_keeps_the_sources_qualifier(tiny_corpus):
    from rag.brief.render import to_html

    doc = ("温州招商简报\n\n发布时间:2024-03-01 09:00:00\n\n"
           "温州市全年签约总额近800亿元，新开工招商项目45个。\n")
    pipe = tiny_corpus({"wz.txt": doc})
    b = pipe.briefer().run("温州 签约总额", "en")
    assert any(f.qualifier == "nearly" for f in b.figures)
    prompts = Prompts(pipe.config.prompts_dir)
    for text in (to_markdown(b, prompts), to_html(b, prompts)):
        assert "nearly 80 billion yuan" in text  # not a bare, rounder-sounding 80 billion
        assert "nearly 45" not in text  # an exact figure stays exact


def test_cited_passages_are_shown_without_page_furniture(tiny_corpus):
    from rag.brief.render import to_html

    doc = ("温州招商简报\n\n发布时间:2024-03-01 09:00:00\n\n"
           "温州市全年签约总额近800亿元，新开工招商项目45个。\n")
    pipe = tiny_corpus({"wz.txt": doc})
    b = pipe.briefer().run("温州 签约总额", "en")
    assert any("发布时间" in c.quote for c in b.citations)  # the citation keeps the source's exact span
    prompts = Prompts(pipe.config.prompts_dir)
    for text in (to_markdown(b, prompts), to_html(b, prompts)):
        assert "发布时间" not in text and "温州市全年签约总额近800亿元" in text


def test_a_developments_quote_is_the_body_sentence_not_the_headline_stating_the_same_figure(tiny_corpus):
    doc = ("温州招商简报\n\n发布时间:2024-03-01 09:00:00\n\n温州签约额800亿 创新高\n\n"
           "温州市全年签约总额达到800亿元，新开工招商项目45个。\n")
    pipe = tiny_corpus({"wz.txt": doc}, ["温州市全年签约总额达到800亿元。"])
    b = pipe.briefer().run("温州 签约总额", "zh")
    assert [n.quote for n in b.notes if n.kind == "model"] == ["温州市全年签约总额达到800亿元，新开工招商项目45个。"]
