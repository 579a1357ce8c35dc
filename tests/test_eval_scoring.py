"""Deterministic scoring, and a whole eval run with the fake model producing a report."""
import json
from decimal import Decimal

import pytest

from rag.answering.prose import answer_language
from rag.evaluation.configs import EvalConfig
from rag.evaluation.dataset import Gold, Item
from rag.evaluation.report import write_report
from rag.evaluation.runner import run_config, summarize
from rag.evaluation.score import correct, dates_in, scale_errors

FIG = Item("x", "q", "en", "single", [Gold("490100000000", "yuan")])


def test_figures_match_across_languages_and_units():
    assert correct(FIG, "It reached 490.1 billion yuan [1].", False)
    assert correct(FIG, "총 계약액은 4901억원이다 [1].", False)
    assert correct(FIG, "达到4901亿元。", False)
    assert not correct(FIG, "It reached 4901 billion yuan.", False)
    assert not correct(FIG, "490.1 billion", True)  # an abstention is never a correct answer
    assert scale_errors("It reached 4901 billion yuan.", FIG.gold) == 1
    assert scale_errors("It reached 490.1 billion yuan.", FIG.gold) == 0


def test_units_must_agree():
    item = Item("x", "q", "en", "single", [Gold("407", "people")])
    assert correct(item, "407 cadres", False) and correct(item, "407명", False)
    assert not correct(item, "407 tonnes", False)


def test_dates_entities_and_abstention():
    assert dates_in("signed on May 9, 2019 and 2020년 8월 13일, and 9 May 2019") == {"2019-05-09", "2020-08-13"}
    ent = Item("x", "q", "en", "entity", accept=["Xu Qin", "许勤", "허근"])
    assert correct(ent, "허근 서기가 조사했다.", False) and not correct(ent, "Zhang", False)
    un = Item("x", "q", "en", "unanswerable")
    assert correct(un, "The articles do not say.", True) and not correct(un, "42", False)


def test_answer_language_ignores_glosses_and_markers():
    assert answer_language("It reached 490.1 billion yuan (4901亿元) [1].") == "en"
    assert answer_language("총 계약액은 4901억원(4901亿元)이다 [1].") == "ko"
    assert answer_language("签约额达4901亿元[1]。") == "zh"


def test_fake_run_writes_report(built, tmp_path):
    config, emb = built
    items = [Item("a", "两省对俄贸易额2019年是多少？", "zh", "single", [Gold("195710000000", "yuan")],
                  docs=["001_b04926504257f2ce.txt"], evidence=["2019年的1957.10亿元"]),
             Item("b", "动物园里有几只大熊猫？", "zh", "unanswerable")]
    ec = EvalConfig("fake", {}, True, False, "fake model")
    rows = run_config(ec, config, items, emb, tmp_path / "rows-s-fake.jsonl", "s")
    s = summarize(rows)
    assert s["accuracy"] == 1.0 and s["abstention_recall"] == 1.0 and s["language_match"] == 1.0
    assert s["correct_and_cited"] == 1.0 and s["evidence_recall@5"] == 1.0
    path = write_report({"s": {"fake": rows}}, tmp_path, {"s": "two questions"})
    text = path.read_text(encoding="utf-8")
    assert "| accuracy | 85.0% | 100.0% |" in text and "| s | two questions |" in text
    assert all((tmp_path / p).stat().st_size > 1000 for p in ("accuracy.png", "latency.png", "retrieval.png"))
    data = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert data["summary"]["s"]["fake"]["n"] == 2 and len(data["rows"]["s"]["fake"]) == 2


def test_report_shows_the_margin_over_the_baseline(tmp_path):
    from rag.evaluation.runner import Row

    def rows(config, right):
        return [Row(config, f"q{k}", "en", "text", "en", True, set="x", answered=True, correct=k < right,
                    cited_ok=k < right, total_s=1.0) for k in range(10)]

    path = write_report({"x": {"hybrid-1.5b": rows("hybrid-1.5b", 8),
                               "llamaindex-default-1.5b": rows("llamaindex-default-1.5b", 5)}}, tmp_path, {"x": "ten"})
    assert "| x | hybrid-1.5b | 10 | 80.0% | 50.0% | +30.0 |" in path.read_text(encoding="utf-8")
    # a partial baseline (its first 5 questions) is compared on those 5 only, where both are right
    partial = rows("llamaindex-default-1.5b", 10)[:5]
    path = write_report({"x": {"hybrid-1.5b": rows("hybrid-1.5b", 8), "llamaindex-default-1.5b": partial}},
                        tmp_path, {"x": "t"})
    assert "| x | hybrid-1.5b | 5 | 100.0% | 100.0% | +0.0 |" in path.read_text(encoding="utf-8")


def test_report_counts_false_abstentions_by_the_check_that_made_them(tmp_path):
    from rag.evaluation.runner import Row

    def row(k, reason, answerable=True):
        return Row("hybrid-1.5b", f"q{k}", "en", "text", "en", answerable, set="x", answered=True,
                   abstained=bool(reason), abstain_reason=reason, total_s=1.0)

    rows = [row(0, "year"), row(1, "year"), row(2, "words"), row(3, ""), row(4, "places", answerable=False)]
    text = write_report({"x": {"hybrid-1.5b": rows}}, tmp_path, {"x": "five"}).read_text(encoding="utf-8")
    assert "| year | 2 |" in text and "| words | 1 |" in text
    assert "| places |" not in text  # an unanswerable question abstaining is right, not a false abstention


def test_a_figure_some_article_states_is_a_wrong_pick_not_a_scale_slip():
    gold = [Gold("300", "people")]
    assert scale_errors("30명을 양성했다", gold) == 1
    assert scale_errors("30명을 양성했다", gold, known={Decimal(30)}) == 0


def test_a_conflict_note_does_not_make_a_wrong_answer_right():
    from rag.evaluation.dataset import Gold, Item
    from rag.evaluation.score import correct

    note = "截至2022年底，黑龙江向广东派出2546名干部挂职。 [1]\n\n不同来源的数字不同：341名 [2]；407人 [1]。"
    single = Item("x", "q", "zh", "single", [Gold("407", "people")], [], [])
    conflict = Item("y", "q", "zh", "conflict", [Gold("407", "people")], [], [])
    assert not correct(single, note, False) and correct(conflict, note, False)
    assert correct(single, "黑龙江向广东派出407名干部。 [1]", False)


def test_calibration_counts_right_answers_by_confidence():
    from rag.evaluation.runner import Row, summarize

    def row(conf, right, abstained=False):
        return Row("c", conf + str(right) + str(abstained), "en", "single", "en", True, answered=True,
                   correct=right, cited_ok=right, abstained=abstained, confidence=conf)

    s = summarize([row("high", True), row("high", True), row("high", False), row("low", False),
                   row("high", False, abstained=True)])
    assert s["right_when_high"] == pytest.approx(2 / 3) and s["right_when_low"] == 0.0
    assert s["confidence_high_share"] == pytest.approx(3 / 4)
