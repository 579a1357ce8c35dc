"""The briefing checks score what a briefing shows, on a fake-model briefing of the seeds."""
import dataclasses

import pytest

from rag.brief.render import to_markdown
from rag.evaluation.briefings import score_briefing, summarize_briefings
from rag.evaluation.dataset import BriefingCheck
from rag.llm.fake import FakeLLM
from rag.pipeline import Pipeline
from rag.prompts import Prompts

TOPIC = "Changchun–Siping integration"
DOC = "004_702c8b251f750e4a.txt"


@pytest.fixture
def briefing(built):
    config, emb = built
    briefer = Pipeline(config, emb, FakeLLM()).warm_up().briefer()
    return briefer, briefer.run(TOPIC, "en"), Prompts(config.prompts_dir)


def _score(briefer, b, prompts, figures=None, docs=None, markdown=None):
    check = BriefingCheck("t", TOPIC, b.language, figures or [], docs or [DOC])
    return score_briefing(b, check, markdown if markdown is not None else to_markdown(b, prompts),
                          briefer.passages, briefer.articles, prompts)


def test_a_key_figure_the_briefing_shows_counts_and_one_it_lacks_is_named(briefing):
    briefer, b, prompts = briefing
    shown = b.figures[0]
    s = _score(briefer, b, prompts, [{"value": shown.value, "unit": shown.unit, "doc": shown.doc},
                                     {"value": "123456789", "unit": "yuan", "doc": DOC}])
    assert (s.expected, s.found) == (2, 1) and s.missing == ["123456789 yuan"]


def test_figures_from_articles_outside_the_topic_are_off_topic(briefing):
    briefer, b, prompts = briefing
    assert _score(briefer, b, prompts).off_topic == []
    other = next(f for f in briefer.figures if f.doc != DOC and f.unit == "yuan")
    s = _score(briefer, dataclasses.replace(b, figures=[*b.figures, other]), prompts)
    assert s.off_topic == [f"{other.value} yuan ({other.doc})"]


def test_a_note_with_a_figure_or_place_its_passage_lacks_is_unfaithful(briefing):
    briefer, b, prompts = briefing
    assert b.notes and all(x.faithful for x in _score(briefer, b, prompts).sentences if x.source == "note")
    note = b.notes[0]
    bad = dataclasses.replace(note, text=f"Shanghai signed deals worth 9,876 billion yuan. [{note.marker}]")
    s = _score(briefer, dataclasses.replace(b, notes=[bad, *b.notes[1:]]), prompts)
    (first,) = [x for x in s.sentences if x.text.startswith("Shanghai")]
    assert not first.faithful and "Shanghai" in first.missing and any("9,876" in m for m in first.missing)


def test_repeated_and_unresolved_markers_are_counted(briefing):
    briefer, b, prompts = briefing
    md = to_markdown(b, prompts)
    assert _score(briefer, b, prompts).repeated_markers == 0
    s = _score(briefer, b, prompts, markdown=md + "\nMore [1] [1], and [99].")
    assert s.repeated_markers == 1 and s.unresolved_markers == [99]


def test_english_labels_in_a_korean_briefing_are_caught(briefing):
    briefer, b, prompts = briefing
    ko = dataclasses.replace(b, language="ko")
    assert _score(briefer, ko, prompts, markdown="## 개요\n내용").labels_ok
    assert not _score(briefer, ko, prompts, markdown="## Key developments\n내용").labels_ok
    summary = summarize_briefings([_score(briefer, b, prompts)])
    assert summary["all"]["briefings"] == 1 and 0 < summary["all"]["faithful"] <= 1


def test_derived_check_groups_are_summarized_apart_from_the_checks_file():
    from rag.evaluation.briefings import BriefingScore

    def score(group: str, lang: str, found: int) -> BriefingScore:
        return BriefingScore("x", "t", lang, 2, found, [], 2, [], [], True, True, 0, [], False, 1.0, 0, group)

    summary = summarize_briefings([score("", "en", 2), score("set fit", "zh", 1), score("set held-out", "zh", 0)])
    assert set(summary) == {"all", "en", "set fit all", "set fit zh", "set held-out all", "set held-out zh"}
    assert summary["all"]["key_figure_recall"] == 1.0  # the file's row holds only the file's checks
    assert summary["set fit zh"]["key_figure_recall"] == 0.5 and summary["set held-out all"]["key_figure_recall"] == 0


def test_rag_eval_briefings_adds_checks_derived_from_a_set_and_keeps_their_details_local(env, tmp_path):
    import json

    from rag.cli import main

    root = tmp_path / "set"
    (root / "docs").mkdir(parents=True)
    rows = []
    for i, (title, text, gold) in enumerate([("青石铁路", "青石铁路全长125公里，共设9座车站。", "125公里"),
                                              ("白河大桥", "白河大桥全长3.2公里，投资12亿元。", "12亿元"),
                                              ("柳桥站", "柳桥站设有4个出入口，车站全长186米。", "186米")], 1):
        (root / "docs" / f"dev_cm_zh_0{i}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
        rows.append({"id": f"q{i}", "lang": "zh", "q": f"{title}多少？", "answers": [gold],
                     "doc": f"dev_cm_zh_0{i}.txt", "type": "numeric", "source": "cmrc2018", "title": title})
    (root / "qa.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["eval", "--briefings", "--set", str(root), "--ids", "b-04,x-01,x-02,x-03", "--out", str(out)]) == 0
    report = (out / "briefings.md").read_text(encoding="utf-8")
    assert "| all | 1 |" in report and ("| set fit all |" in report or "| set held-out all |" in report)
    committed = json.loads((out / "briefings.json").read_text(encoding="utf-8"))
    assert [b["id"] for b in committed["briefings"]] == ["b-04"]  # no derived topic, figure or quote
    local = json.loads((out / "briefings-ext.local.json").read_text(encoding="utf-8"))
    assert sorted(b["topic"] for b in local) == ["柳桥站", "白河大桥", "青石铁路"]
    assert "青石铁路" not in report
