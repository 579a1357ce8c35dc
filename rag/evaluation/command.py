"""`rag eval`: every set (seed dev/test splits, external sets) × every configuration, in one report."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from ..config import PROJECT_ROOT, Config
from ..errors import BadInput
from .configs import DEFAULT
from .dataset import EvalSet
from .report import by_column, write_report
from .runner import Row, column, load_rows, rescore, resolve, run_config, summarize
from .sets import default_sets, index_set, load_set, set_config, subset


def describe(s: EvalSet) -> dict[str, str]:
    """Report column -> what it holds and whether tuning may look at it."""
    where = os.path.relpath(s.questions, PROJECT_ROOT)
    splits = sorted({i.split for i in s.items})
    if splits == [""]:
        return {s.name: f"`{where}`, {len(s.items)} questions, external (tuning may use it: a dev set)"}
    out = {}
    for sp in splits:
        n = sum(i.split == sp for i in s.items)
        rule = "frozen test split: run and reported, never tuned on" if sp == "test" else "dev split: tuned on"
        out[f"{s.name}-{sp}"] = f"`{where}` split {sp}, {n} questions ({rule})"
    return out


def _meta(config: Config) -> dict:
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"commit": commit or "unknown", "model": config.llm_model, "threads": config.threads,
            "cores": os.cpu_count()}


def _rows_path(out: Path, s: EvalSet, config_name: str) -> Path:
    return out / f"rows-{s.name}-{config_name}.jsonl"


def _known(config: Config, s: EvalSet) -> set[Decimal]:
    from ..errors import IndexMissing
    from ..index.stores import open_store

    try:
        return {Decimal(f.value) for f in open_store(set_config(config, s)).load(vectors=False).figures}
    except IndexMissing:
        return set()


def run_eval(args, config: Config) -> int:
    if getattr(args, "briefings", None):
        return _run_briefings(args, config)
    sets = [load_set(p, mini=args.mini) for p in args.eval_set] if args.eval_set else default_sets(mini=args.mini)
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        raise BadInput(f"two sets share a name ({', '.join(names)}); rename one folder")
    ids = [i.strip() for i in (args.ids or "").split(",") if i.strip()]
    sets = subset(sets, ids, args.limit, args.split or "", interleave=args.interleave)
    configs = resolve(args.configs or DEFAULT)
    out = args.out or PROJECT_ROOT / "eval" / "results"
    per_set: dict[str, dict[str, list[Row]]] = {}
    if args.report_only:
        for s in sets:
            found = {ec.name: _rows_path(out, s, ec.name) for ec in configs if _rows_path(out, s, ec.name).exists()}
            known = _known(config, s) if found else set()
            ids_here = {i.id for i in s.items}
            per_set[s.name] = {n: rescore([r for r in load_rows(p) if r.id in ids_here], s.items, known)
                               for n, p in found.items()}
        if not any(per_set.values()):
            raise BadInput(f"no rows-<set>-<config>.jsonl in {out} for {', '.join(ec.name for ec in configs)}")
    else:
        from ..embed import make_embedder
        from ..llm.factory import make_llm

        embedder = make_embedder(config)
        embedder.warm_up()
        llm = make_llm(config) if any(ec.answers for ec in configs) else None  # loaded once, shared
        for s in sets:
            print(f"[eval] {s.name}: {len(s.items)} questions on {s.docs_dir}", file=sys.stderr)
            sc = index_set(config, s, embedder)
            per_set[s.name] = {}
            for ec in configs:
                rows = run_config(ec, sc, s.items, embedder, _rows_path(out, s, ec.name), s.name, llm, args.resume)
                per_set[s.name][ec.name] = rows
                summ = summarize(rows)
                print(f"[eval] {s.name} {ec.name}: " + ", ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in summ.items()
                    if v is not None), file=sys.stderr)
    results: dict[str, dict[str, list[Row]]] = {}
    described: dict[str, str] = {}
    for s in sets:
        described.update(describe(s))
        for col, cfgs in by_column(per_set.get(s.name, {})).items():
            results[col] = cfgs
    counts = {f"{col} {cfg}": len(rows) for col, cfgs in results.items() for cfg, rows in cfgs.items()}
    expected = {col: sum(1 for s in sets for i in s.items if column(s.name, i) == col) for col in results}
    partial = [k for k, n in counts.items() if n < expected[k.split(" ")[0]]]
    note = ("Partial rows (an interrupted run; `--resume` continues it): "
            + ", ".join(f"{k} {counts[k]}/{expected[k.split(' ')[0]]}" for k in partial) + ".") if partial else ""
    ingestion = None
    if not args.no_ingestion:
        from .ingestion import html_dev_score

        ingestion = html_dev_score()
    print(write_report(results, out, described, note, ingestion, _meta(config)))
    return 0



def _run_briefings(args, config: Config) -> int:
    """The checks file over the user's index, then the checks derived from each external set (the
    --set folders, else the shared ones present) over that set's own index, one report."""
    from ..pipeline import Pipeline
    from .briefing_sets import derive_checks
    from .briefings import BriefingRun, run_briefings
    from .dataset import load_briefings
    from .sets import SHARED_SETS

    ids = {i.strip() for i in (args.ids or "").split(",") if i.strip()}

    def chosen(checks: list) -> list:
        return [c for c in checks if not ids or c.id in ids][:args.limit or None]

    pipe = Pipeline(config).warm_up()
    runs = [BriefingRun(pipe, chosen(load_briefings(args.briefings)))]
    roots = ([Path(p) for p in args.eval_set] if args.eval_set
             else [p for p in SHARED_SETS if (p / "qa.jsonl").is_file()])
    for root in roots if not args.no_ext_briefings else []:
        if not (root / "qa.jsonl").is_file():
            raise BadInput(f"{root}: briefing checks are derived only from a set folder with qa.jsonl")
        ext = load_set(root)
        set_pipe = Pipeline(index_set(config, ext, pipe.embedder), embedder=pipe.embedder, llm=pipe.llm).warm_up()
        runs += [BriefingRun(set_pipe, chosen(derive_checks(root, half)), f"{ext.name} {half}")
                 for half in ("fit", "held-out")]
    runs = [r for r in runs if r.checks]
    if not runs:
        raise BadInput(f"{args.briefings}: no briefing checks to run")
    print(run_briefings(runs, args.out or PROJECT_ROOT / "eval" / "results", _meta(config)))
    return 0
