"""Fit `relevance_min` (the confidence threshold) from an eval run's rows.

    .venv/bin/python eval/fit_confidence.py [eval/results/rows-ext-dev-hybrid-1.5b.jsonl]

Each answered, non-abstaining row carries `relevance` (the best e5 cosine of the question to a cited
sentence). Picks, on the ext-dev "fit" half, the threshold that best separates right from wrong
answers (accuracy above minus below) while marking at most 30% of answers low, and reports the same
split on the "held" half, which the fit never sees.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from fit import ext_half  # noqa: E402

from rag.evaluation.extset import load_ext_set  # noqa: E402
from rag.evaluation.sets import SHARED_SETS  # noqa: E402

THRESHOLDS = [round(0.76 + 0.01 * i, 2) for i in range(15)]
MAX_LOW_SHARE = 0.30


def split(rows: list[dict], t: float) -> tuple[int, float, int, float]:
    hi = [r for r in rows if r["relevance"] >= t]
    lo = [r for r in rows if r["relevance"] < t]

    def acc(xs):
        return sum(bool(x["answerable"] and x["cited_ok"]) for x in xs) / len(xs) if xs else 0.0

    return len(hi), acc(hi), len(lo), acc(lo)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "eval" / "results" / "rows-ext-dev-hybrid-1.5b.jsonl"
    items = {i.id: i for i in load_ext_set(SHARED_SETS[0]).items}
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r.get("relevance") is not None and not r["abstained"] and r["id"] in items]
    if not rows:
        print(f"{path}: no rows with a relevance (run `rag eval` first)", file=sys.stderr)
        return 2
    halves = {h: [r for r in rows if ext_half(items[r["id"]]) == h] for h in ("fit", "held")}
    best, best_gap = None, -1.0
    print("| threshold | half | high n | right when high | low n | right when low |\n|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        for h, rs in halves.items():
            nh, ah, nl, al = split(rs, t)
            print(f"| {t} | {h} | {nh} | {ah:.1%} | {nl} | {al:.1%} |")
            if h == "fit" and nl <= MAX_LOW_SHARE * len(rs) and ah - al > best_gap:
                best, best_gap = t, ah - al
    print(f"\nrelevance_min = {best} (fit half: gap {best_gap:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
