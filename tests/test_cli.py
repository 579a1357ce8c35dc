import json

import pytest

from rag.cli import main


def test_ask_json_batch_in_order(env, tmp_path, capsys):
    qf = tmp_path / "q.txt"
    qf.write_text("两省对俄贸易额2019年是多少？\nHow many pandas are in the zoo?\n", encoding="utf-8")
    assert main(["ask", "--json", "--questions", str(qf)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["question"] for line in lines] == ["两省对俄贸易额2019年是多少？", "How many pandas are in the zoo?"]
    assert lines[0]["citations"] and lines[1]["abstained"]


def test_ask_streams_and_lists_sources(env, capsys):
    assert main(["ask", "两省对俄贸易额2019年是多少？"]) == 0
    out = capsys.readouterr().out
    assert "1957.10亿元" in out and "Sources:" in out and "001_b04926504257f2ce.txt" in out


@pytest.mark.parametrize("args,code,msg", [
    (["ask", ""], 2, "empty"),
    (["ask", "x" * 20000], 2, "limit"),
    (["ask"], 2, "give a question"),
    (["ask", "--lang", "fr", "How many cadres?"], 2, "not supported"),
])
def test_bad_input_exits_nonzero_with_one_line(env, capsys, args, code, msg):
    assert main(args) == code
    err = capsys.readouterr().err.strip()
    assert msg in err and err.startswith("rag: error:") and len(err.splitlines()) == 1


def test_missing_index(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAG_HOME", str(tmp_path))
    monkeypatch.setenv("RAG_EMBED_BACKEND", "fake")
    monkeypatch.setenv("RAG_LLM_BACKEND", "fake")
    assert main(["ask", "How many cadres?"]) == 3
    assert "rag index" in capsys.readouterr().err


def test_index_binary_file_fails_and_keeps_index(env, tmp_path, capsys):
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    assert main(["index", str(bad)]) == 1
    assert "binary" in capsys.readouterr().err
    assert main(["ask", "--json", "两省对俄贸易额2019年是多少？"]) == 0
    assert json.loads(capsys.readouterr().out)["citations"]


def test_index_gbk_file_then_ask(env, tmp_path, capsys):
    f = tmp_path / "gbk_article.txt"
    f.write_bytes("哈尔滨冰雪大世界今年接待游客321万人次，同比增长12%。".encode("gbk"))
    assert main(["index", str(f)]) == 0
    capsys.readouterr()
    assert main(["ask", "--json", "哈尔滨冰雪大世界今年接待游客多少万人次？"]) == 0
    ans = json.loads(capsys.readouterr().out)
    assert ans["citations"][0]["doc"] == "gbk_article.txt" and "321万" in ans["answer"], ans


def test_figures_table_filter_and_json(env, capsys):
    assert main(["figures", "Qiqihar", "政务服务"]) == 0
    out = capsys.readouterr().out
    assert "84개" in out and "2701项" in out and "1957.10" not in out
    assert main(["figures", "--doc", "004", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["doc"].startswith("004") for r in rows)
    r = next(r for r in rows if r["value"] == "289.36억원")
    assert r["normalised"] == "28.936 billion yuan" and r["sentence"].count("289.36") == 1
    assert main(["figures", "--conflicts", "--json"]) == 0
    conflicts = json.loads(capsys.readouterr().out)
    # 84 vs 133 items is a conflict; 407 and 30 cadres sent opposite ways against a two-way 341 is not
    assert {c["label"] for c in conflicts} == {"政务服务事项"}


def test_figures_no_match_exits_nonzero(env, capsys):
    assert main(["figures", "pandas"]) == 1
    assert "0 figures" in capsys.readouterr().err
