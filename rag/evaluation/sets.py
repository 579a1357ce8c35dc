"""Which sets an eval run covers, and the separate index each one is answered from."""
from __future__ import annotations

import shutil
from pathlib import Path

from ..config import PROJECT_ROOT, Config
from ..errors import BadInput
from .dataset import EvalSet, Item, load_items
from .extset import docs_digest, load_ext_set

SEED_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"
SEED_DOCS = PROJECT_ROOT / "seeds"
# External sets kept beside the checkout (never copied into it); used by default where present.
SHARED_SETS = [PROJECT_ROOT.parent / "shared" / "ext-dev"]


def seed_set(questions: Path = SEED_QUESTIONS, docs: Path = SEED_DOCS) -> EvalSet:
    items = load_items(questions)
    if not items:
        raise BadInput(f"{questions}: no questions")
    files = sorted(p for p in docs.iterdir() if p.is_file()) if docs.is_dir() else []
    if not files:
        raise BadInput(f"{docs}: no articles for the seed questions")
    name = "seeds" if Path(questions).resolve() == SEED_QUESTIONS.resolve() else Path(questions).stem
    return EvalSet(name, docs, Path(questions), items, docs_digest(files))


def load_set(spec: Path, mini: bool = False) -> EvalSet:
    """A folder is an external set (docs/ + qa.jsonl); a .jsonl file is seed-format questions on seeds/."""
    spec = Path(spec)
    if spec.is_dir():
        return load_ext_set(spec, mini=mini)
    if spec.is_file():
        return seed_set(spec)
    raise BadInput(f"{spec}: no such eval set (a folder with docs/ and qa.jsonl, or a questions .jsonl)")


def default_sets(mini: bool = False) -> list[EvalSet]:
    return [seed_set()] + [load_ext_set(p, mini=mini) for p in SHARED_SETS if (p / "qa.jsonl").is_file()]


def interleaved(items: list[Item]) -> list[Item]:
    """Round-robin over (question language, type), so a partial or interrupted run stays balanced."""
    groups: dict[tuple[str, str], list[Item]] = {}
    for i in items:
        groups.setdefault((i.lang, i.type), []).append(i)
    out: list[Item] = []
    queues = list(groups.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def subset(sets: list[EvalSet], ids: list[str] | None = None, limit: int | None = None,
           split: str = "", interleave: bool = False) -> list[EvalSet]:
    """Only the asked ids (across all sets), the first `limit` of each set, one seed split; `interleave`
    orders each set round-robin by language and type first."""
    if ids:
        known = {i.id for s in sets for i in s.items}
        missing = sorted(set(ids) - known)
        if missing:
            raise BadInput(f"no such question id(s): {', '.join(missing)}")
    out = []
    for s in sets:
        items = [i for i in s.items if (not ids or i.id in ids) and (not split or i.split in ("", split))]
        if interleave:
            items = interleaved(items)
        if limit:
            items = items[:limit]
        if items:
            out.append(EvalSet(s.name, s.docs_dir, s.questions, items, s.digest))
    if not out:
        raise BadInput("no questions left to run after --ids/--limit/--split")
    return out


def set_config(base: Config, eval_set: EvalSet) -> Config:
    """The configuration that answers from the set's own index, never the user's: a local folder
    per set, also when the user's index is in PostgreSQL (RAG_STORE)."""
    root = base.home / "data" / "eval-index" / eval_set.name
    return base.replace(index_dir=root / eval_set.digest[:12], corpus_dir=eval_set.docs_dir, store="")


def index_set(base: Config, eval_set: EvalSet, embedder) -> Config:
    """Index the set's docs into its own folder (reused while the docs are unchanged)."""
    from ..indexer import Indexer

    config = set_config(base, eval_set)
    index_dir = Path(str(config.index_dir))
    current = index_dir.name
    for old in index_dir.parent.glob("*"):  # the index of an earlier version of the set's docs
        if not old.name.startswith(current):
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() and not old.is_symlink() else old.unlink()
    report = Indexer(config, embedder).run([eval_set.docs_dir])
    if report.failed:
        first = next(iter(report.failed.items()))
        raise BadInput(f"{first[0]}: {first[1]} ({len(report.failed)} doc(s) of {eval_set.name} failed to read)")
    return config
