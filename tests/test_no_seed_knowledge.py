"""No seed knowledge in code, prompts or data: the runtime must not know the five seed articles.

Scans string literals of rag/ (docstrings and comments are documentation and may cite examples),
every prompt, and every data file except the general gazetteer, for the seeds' own entities,
press compounds and figures. General press words (我省, 两省, 우리 성) are language, not seed
knowledge, and are not listed.
"""
import ast
from pathlib import Path

from rag.config import PROJECT_ROOT

SEED_TERMS = [
    "黑龙江", "흑룡강", "Heilongjiang", "广东", "광동", "Guangdong", "齐齐哈尔", "치치할", "Qiqihar",
    "长春", "장춘", "Changchun", "四平", "사평", "Siping", "哈尔滨", "할빈", "Harbin", "深圳", "심천",
    "Shenzhen", "广州", "Guangzhou", "穗鹤", "龙粤", "深哈", "长平", "장평", "伊春", "茂名", "무명",
    "江门", "七台河", "佳木斯", "肇东", "许勤", "허근", "곤곤", "昆昆", "华为", "화웨이",
    "4901", "289.36", "1114.79", "1957.10", "407명", "2600만", "51.65", "39.4亿", "158.1",
]
GAZETTEER = PROJECT_ROOT / "rag" / "data" / "gazetteer.tsv"
# Known debts, each listed in docs/seed-knowledge-audit.md with its replacement. The test fails when
# one is cleaned without leaving this list, and on any new seed term anywhere else.
KNOWN = {
    "rag/ui/loadtest.py": "load-test questions (tooling, a12)",
}


def _literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def _offences() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "rag").rglob("*.py")):
        texts[str(path.relative_to(PROJECT_ROOT))] = "\n".join(_literals(path))
    for folder in (PROJECT_ROOT / "prompts", PROJECT_ROOT / "rag" / "data"):
        for path in sorted(folder.iterdir()):
            if path.is_file() and path != GAZETTEER:
                lines = path.read_text(encoding="utf-8").splitlines()
                texts[str(path.relative_to(PROJECT_ROOT))] = "\n".join(x for x in lines if not x.startswith("#"))
    for name, text in texts.items():
        hits = [t for t in SEED_TERMS if t in text]
        if hits:
            found[name] = hits
    return found


def test_no_seed_entity_or_figure_outside_the_known_debts():
    unexpected = {k: v for k, v in _offences().items() if k not in KNOWN}
    assert not unexpected, f"seed knowledge in code, prompts or data: {unexpected}"


def test_every_known_debt_is_still_real():
    offences = _offences()
    cleaned = [k for k in KNOWN if k not in offences]
    assert not cleaned, f"cleaned: take these off KNOWN: {cleaned}"


def test_the_scan_sees_a_seed_term_in_a_literal(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('"""Docstring naming 哈尔滨 is fine."""\nX = "哈尔滨"\n', encoding="utf-8")
    assert _literals(bad) == ["哈尔滨"]
