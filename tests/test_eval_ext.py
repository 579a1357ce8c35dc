"""External eval sets: the loader's checks, the span scorer, and a whole fake run in a separate home."""
import json
import re
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import PROJECT_ROOT
from rag.errors import BadInput
from rag.evaluation import spans
from rag.evaluation.extset import load_ext_set

EXT_DEV = PROJECT_ROOT.parent / "shared" / "ext-dev"
needs_ext_dev = pytest.mark.skipif(not (EXT_DEV / "qa.jsonl").is_file(),
                                   reason="../shared/ext-dev is not beside the checkout")

# A tiny set written for these tests: two articles, three questions (one unanswerable).
DOCS = {
    "river_01.txt": "青石河大桥\n\n青石河大桥全长1280米，于2015年9月通车，总投资7.5亿元。",
    "lake_01.txt": "은빛호수 공원\n\n은빛호수 공원은 2019년에 문을 열었으며 해마다 관광객 35만 명이 찾는다.",
}
QA = [
    {"id": "t-1", "lang": "zh", "q": "青石河大桥全长多少米？", "answers": ["1280米"], "doc": "river_01.txt",
     "type": "numeric"},
    {"id": "t-2", "lang": "ko", "q": "은빛호수 공원은 해마다 관광객 몇 명이 찾는가?", "answers": ["35만 명"],
     "doc": "lake_01.txt", "type": "numeric"},
    {"id": "t-3", "lang": "en", "q": "How tall is the Jade Tower?", "answers": ["300 metres"], "doc": "",
     "type": "unanswerable"},
]


def write_set(root: Path, qa=QA, docs=DOCS, name="qa.jsonl") -> Path:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for n, t in docs.items():
        (root / "docs" / n).write_text(t, encoding="utf-8")
    (root / name).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qa), encoding="utf-8")
    return root


def test_loader_reads_items_with_evidence(tmp_path):
    s = load_ext_set(write_set(tmp_path / "tiny"))
    assert s.name == "tiny" and [i.id for i in s.items] == ["t-1", "t-2", "t-3"]
    assert s.items[0].evidence == ["1280米"] and s.items[0].scoring == "span" and s.items[0].docs == ["river_01.txt"]
    assert not s.items[2].answerable and s.items[2].docs == []


def test_loader_digest_follows_the_docs(tmp_path):
    a = load_ext_set(write_set(tmp_path / "a")).digest
    b = load_ext_set(write_set(tmp_path / "b", docs={**DOCS, "lake_01.txt": DOCS["lake_01.txt"] + "!"})).digest
    assert a != b and a == load_ext_set(tmp_path / "a").digest


@pytest.mark.parametrize("mutate,message", [
    (lambda r: (r / "qa.jsonl").unlink(), "qa.jsonl: no such file"),
    (lambda r: [p.unlink() for p in (r / "docs").iterdir()], "docs/ folder is empty"),
    (lambda r: (r / "qa.jsonl").write_text('{"id": "x", "lang": "zh", "q": "?", "doc": "", "type": "text"}\n'),
     "qa.jsonl:1: missing field(s) answers"),
    (lambda r: (r / "qa.jsonl").write_text(json.dumps({**QA[0], "doc": "gone.txt"}) + "\n"),
     "qa.jsonl:1: gold doc 'gone.txt'"),
    (lambda r: (r / "qa.jsonl").write_text(json.dumps(QA[0]) + "\n{oops\n"), "qa.jsonl:2: not JSON"),
    (lambda r: (r / "qa.jsonl").write_text(json.dumps(QA[0]) + "\n" + json.dumps(QA[0]) + "\n"), "duplicate id"),
    (lambda r: (r / "qa.jsonl").write_text(json.dumps({**QA[0], "lang": "fr"}) + "\n"), "lang 'fr'"),
])
def test_loader_refuses_bad_sets_naming_file_and_line(tmp_path, mutate, message):
    root = write_set(tmp_path / "bad")
    mutate(root)
    with pytest.raises(BadInput, match=re.escape(message)):
        load_ext_set(root)


def test_loader_needs_docs_folder(tmp_path):
    (tmp_path / "nodocs").mkdir()
    (tmp_path / "nodocs" / "qa.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(BadInput, match="no docs/ folder"):
        load_ext_set(tmp_path / "nodocs")


@pytest.mark.parametrize("gold,answer,how", [
    ("1185", "孛儿帖在1185年生下了术赤。[1]", "substr"),
    ("1185", "孛儿帖在11850年生下了术赤。[1]", ""),  # a gold digit run may not continue a longer number
    ("5", "It was 1985.", ""),
    ("8억 8천만 원", "추징금 8억8000만 원을 선고했다. [1]", "num"),  # compounds: 8천만 = 8000만
    ("8억 8천만 원", "추징금 880,000,000원", "num"),
    ("30000", "3到5万人", "num"),  # a shared-scale range: the bare 3 may mean 3万
    ("Astra 2A", "Astra 2 A", "substr"),
    ("two", "There were 2 of them.", "num"),
])
def test_span_match(gold, answer, how):
    assert spans.match([gold], answer) == how


def test_span_match_names_with_digits_are_not_numbers():
    assert not spans.numeric_gold("Astra 2A") and not spans.numeric_gold("第二大队") and spans.numeric_gold("1280米")


def test_span_language_weighs_cjk_twice_and_ignores_brackets():
    assert spans.language("The bridge is 1280 m long (青石河大桥全长1280米) [1].") == "en"
    assert spans.language("大桥很长 ok") == "zh" and spans.language("大桥 is long") == "en"  # Han ×2: 8 > 2, 4 < 6
    assert spans.language("관광객 35만 명") == "ko"


def _verdict(it: dict, a: dict) -> str:
    """The verdict the external scorer prints, built from spans.match and spans.language."""
    ans = a.get("answer") or ""
    gold_cited = bool(it["doc"]) and it["doc"] in {c.get("doc") for c in a.get("citations") or []}
    if it["type"] == "unanswerable":
        v = "ABSTAINED-OK" if a.get("abstained") else "ANSWERED(should abstain)"
    else:
        how = "" if a.get("error") else spans.match(it["answers"], ans)
        if how:
            v = "CORRECT" + ("+CITED" if gold_cited else "-uncited") + f"[{how}]"
        else:
            v = ("FALSE-ABSTAIN" if a.get("abstained") else "WRONG") + ("(gold doc cited)" if gold_cited else "")
    lang = spans.language(ans)
    return v + ("" if lang == it["lang"] else f" LANG={lang}")


@needs_ext_dev
def test_span_scorer_agrees_with_the_external_scorer_self_test():
    """The shared scorer's own hand-made answers and expected verdicts, read at run time."""
    folder = EXT_DEV / "selftest"
    qa = [json.loads(x) for x in (folder / "qa-hand.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    answers = [json.loads(x) for x in (folder / "hand-answers.jsonl").read_text(encoding="utf-8").splitlines()
               if x.strip()]
    by_id = {a["id"]: a for a in answers if a.get("id")}
    by_q = {a["question"].strip(): a for a in answers if a.get("question")}
    expected = {}
    for line in (folder / "expected.txt").read_text(encoding="utf-8").split("\n\n")[0].splitlines():
        m = re.match(r"(\S+)\s+(?:zh|en|ko)\s+\S+\s+(.+?)(?: ERROR=.*)? \| ", line)
        if m:
            expected[m.group(1)] = m.group(2).strip()
    got = {}
    for it in qa:
        a = by_id.get(it["id"]) or by_q.get(it["q"].strip())
        if a is not None:
            got[it["id"]] = _verdict(it, a)
    assert len(expected) >= 10 and got == expected


@needs_ext_dev
def test_the_shared_ext_dev_set_loads_whole():
    full, mini = load_ext_set(EXT_DEV), load_ext_set(EXT_DEV, mini=True)
    assert len(full.items) == 216 and len(mini.items) == 30 and full.digest == mini.digest
    assert {i.id for i in mini.items} <= {i.id for i in full.items}
    assert sum(not i.answerable for i in full.items) == 20
    # every zh/ko gold lies in its doc, so each answerable question has evidence to rank
    assert all(i.evidence for i in full.items if i.answerable and i.lang != "en")


def _fingerprint(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_eval_on_an_external_set_leaves_the_users_index_alone(env, tmp_path, capsys):
    root = write_set(tmp_path / "tiny")
    before = _fingerprint(env.index_dir.parent)
    out = tmp_path / "out"
    assert main(["eval", "--set", str(root), "--config", "hybrid-1.5b", "--config", "bm25", "--out", str(out),
                 "--no-ingestion"]) == 0
    capsys.readouterr()
    after = {k: v for k, v in _fingerprint(env.index_dir.parent).items() if not k.startswith("eval-index")}
    assert after == before
    assert (env.home / "data" / "eval-index" / "tiny").is_dir()
    rows = [json.loads(x) for x in (out / "rows-tiny-hybrid-1.5b.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert by_id["t-1"]["correct"] and by_id["t-1"]["cited_ok"] and by_id["t-1"]["doc_hit"]["5"]
    assert by_id["t-3"]["abstained"] and by_id["t-3"]["correct"]
    report = (out / "eval.md").read_text(encoding="utf-8")
    assert "tiny<br>hybrid-1.5b" in report and "gold doc in top 5" in report


def test_eval_resume_answers_only_what_is_missing(env, tmp_path, capsys):
    root = write_set(tmp_path / "tiny")
    out = tmp_path / "out"
    args = ["eval", "--set", str(root), "--config", "hybrid-1.5b", "--out", str(out), "--no-ingestion"]
    assert main([*args, "--limit", "1"]) == 0
    rows = out / "rows-tiny-hybrid-1.5b.jsonl"
    first = json.loads(rows.read_text().splitlines()[0])
    first["answer"] = "kept from the first run"
    rows.write_text(json.dumps(first, ensure_ascii=False) + "\n")
    assert main([*args, "--resume"]) == 0
    got = [json.loads(x) for x in rows.read_text().splitlines()]
    assert [r["id"] for r in got] == ["t-1", "t-2", "t-3"] and got[0]["answer"] == "kept from the first run"
    capsys.readouterr()
    assert main([*args, "--report-only"]) == 0
    assert "tiny<br>hybrid-1.5b" in (out / "eval.md").read_text(encoding="utf-8")


def test_a_run_on_some_ids_keeps_the_stored_rows_of_the_others(env, tmp_path, capsys):
    root = write_set(tmp_path / "tiny")
    out = tmp_path / "out"
    args = ["eval", "--set", str(root), "--config", "hybrid-1.5b", "--out", str(out), "--no-ingestion"]
    assert main([*args, "--ids", "t-1,t-2"]) == 0
    assert main([*args, "--ids", "t-3", "--resume"]) == 0
    rows = [json.loads(x) for x in (out / "rows-tiny-hybrid-1.5b.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == ["t-1", "t-2", "t-3"]


def test_seed_eval_reports_dev_and_test_columns(env, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["eval", "--set", str(PROJECT_ROOT / "eval" / "questions.jsonl"), "--config", "bm25",
                 "--ids", "en-01,zh-01,ko-03,zh-04", "--out", str(out), "--no-ingestion"]) == 0
    data = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert set(data["summary"]) <= {"seeds-dev", "seeds-test"} and len(data["summary"]) == 2
    assert "never tuned on" in data["sets"]["seeds-test"]


@pytest.mark.parametrize("extra,message", [
    (["--set", "/nonexistent/set"], "no such eval set"),
    (["--ids", "nope-1"], "no such question id"),
    (["--config", "nope"], "unknown eval config"),
])
def test_eval_bad_input_is_one_line_and_nonzero(env, tmp_path, capsys, extra, message):
    root = write_set(tmp_path / "tiny")
    args = ["eval", "--no-ingestion", "--out", str(tmp_path / "o")]
    if "--set" not in extra:
        args += ["--set", str(root)]
    assert main(args + extra) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rag: error:") and message in err[0]


def test_interleave_keeps_a_prefix_balanced():
    from rag.evaluation.dataset import Item
    from rag.evaluation.sets import interleaved

    items = [Item(f"{lang}-{k}", "q", lang, "text") for lang in ("zh", "en", "ko") for k in range(4)]
    order = interleaved(items)
    assert sorted(i.id for i in order) == sorted(i.id for i in items)
    assert {i.lang for i in order[:3]} == {"zh", "en", "ko"} and {i.lang for i in order[3:6]} == {"zh", "en", "ko"}
