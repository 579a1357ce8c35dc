"""`rag bench --against REV`: both checkouts answer the same questions in one run (fake models here)."""
import re
import subprocess

from rag.cli import main
from rag.config import PROJECT_ROOT


def _worktrees() -> set[str]:
    out = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    return {line.split(" ", 1)[1] for line in out.stdout.splitlines() if line.startswith("worktree ")}


def test_against_a_commit_both_sides_answer_every_question_and_a_ratio_is_printed(env, tmp_path, capsys):
    qf = tmp_path / "q.txt"
    qf.write_text("两省对俄贸易额2019年是多少？\n관광객은 몇명인가?\n", encoding="utf-8")
    before = _worktrees()
    assert main(["bench", "--against", "HEAD", "--questions", str(qf)]) == 0
    out = capsys.readouterr().out
    assert "2 questions, rounds this base base this" in out
    rows = re.findall(r"^\| (this|base) \| (\S+)[^|]* \| ([\d.]+) \| [\d.]+ \| [\d.]+ \| (\d+) \|", out, re.M)
    assert [r[0] for r in rows] == ["this", "base"] and all(float(r[2]) > 0 and int(r[3]) > 0 for r in rows)
    assert re.search(r"ratio of medians \(this / base\): \*\*\d+\.\d{3}\*\*", out)
    assert _worktrees() == before  # the base checkout is removed again


def test_an_unknown_commit_is_a_one_line_error(env, capsys):
    assert main(["bench", "--against", "no-such-commit-anywhere"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rag: error:") and "no-such-commit-anywhere" in err and len(err.splitlines()) == 1
