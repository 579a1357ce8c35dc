"""External eval sets: a folder of `docs/` plus `qa.jsonl` with gold strings (the ext-dev format).

A line of qa.jsonl: id, lang (zh/en/ko), q, answers (gold strings), doc (the gold doc's file name,
"" when unanswerable), type (numeric / text / unanswerable); en items may add answers_zh (the span in
the Chinese doc). The data stays where the user keeps it: nothing is copied, only read.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import BadInput
from .dataset import EvalSet, Item

REQUIRED = ("id", "lang", "q", "answers", "doc", "type")
LANGS = {"zh", "en", "ko"}
SPAN_TYPES = {"numeric", "text", "unanswerable"}


def docs_digest(docs: list[Path]) -> str:
    h = hashlib.sha256()
    for p in docs:
        h.update(p.name.encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _item(d: dict, where: str, docs: dict[str, Path]) -> Item:
    missing = [k for k in REQUIRED if k not in d]
    if missing:
        raise BadInput(f"{where}: missing field(s) {', '.join(missing)}")
    if d["lang"] not in LANGS:
        raise BadInput(f"{where}: lang {d['lang']!r} is not one of {', '.join(sorted(LANGS))}")
    if d["type"] not in SPAN_TYPES:
        raise BadInput(f"{where}: type {d['type']!r} is not one of {', '.join(sorted(SPAN_TYPES))}")
    if not isinstance(d["answers"], list) or not all(isinstance(a, str) for a in d["answers"]):
        raise BadInput(f"{where}: answers must be a list of strings")
    if not str(d["q"]).strip():
        raise BadInput(f"{where}: the question is empty")
    answerable = d["type"] != "unanswerable"
    if answerable and not d["doc"]:
        raise BadInput(f"{where}: an answerable question needs its gold doc")
    if answerable and not d["answers"]:
        raise BadInput(f"{where}: an answerable question needs at least one gold answer")
    if d["doc"] and d["doc"] not in docs:
        raise BadInput(f"{where}: gold doc {d['doc']!r} is not in {next(iter(docs.values())).parent}")
    evidence = []
    if d["doc"]:
        text = docs[d["doc"]].read_text(encoding="utf-8", errors="replace")
        # The golds that occur in the doc mark the evidence passages (en golds are translations).
        evidence = [g for g in dict.fromkeys([*d.get("answers_zh", []), *d["answers"]]) if g and g in text]
    return Item(id=str(d["id"]), question=str(d["q"]).strip(), lang=d["lang"], type=d["type"],
                accept=list(d["answers"]), docs=[d["doc"]] if d["doc"] else [], evidence=evidence,
                scoring="span", source=str(d.get("source", "")))


def load_ext_set(root: Path, mini: bool = False) -> EvalSet:
    """The set in `root`; `mini` reads mini.jsonl (a fixed subset) instead of qa.jsonl."""
    root = Path(root)
    if not root.is_dir():
        raise BadInput(f"{root}: not a folder (an external set is a folder with docs/ and qa.jsonl)")
    docs_dir = root / "docs"
    questions = root / ("mini.jsonl" if mini else "qa.jsonl")
    if not docs_dir.is_dir():
        raise BadInput(f"{docs_dir}: no docs/ folder in the set")
    if not questions.is_file():
        raise BadInput(f"{questions}: no such file in the set")
    docs = {p.name: p for p in sorted(docs_dir.iterdir()) if p.is_file() and not p.name.startswith(".")}
    if not docs:
        raise BadInput(f"{docs_dir}: the docs/ folder is empty")
    items: list[Item] = []
    seen: set[str] = set()
    try:
        lines = questions.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{questions}: cannot read ({e})") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{questions}:{n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadInput(f"{where}: not JSON ({e.msg})") from e
        if not isinstance(d, dict):
            raise BadInput(f"{where}: not a JSON object")
        item = _item(d, where, docs)
        if item.id in seen:
            raise BadInput(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise BadInput(f"{questions}: no questions")
    return EvalSet(root.resolve().name, docs_dir, questions, items, docs_digest(list(docs.values())))
