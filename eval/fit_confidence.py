"""Fit `relevance_min` (the confidence threshold) and `relevance_abstain` (below it, abstain) from
an eval run's rows.

    .venv/bin/python eval/fit_confidence.py [ROWS_EXT_DEV [ROWS_SEEDS]]

Each answered, non-abstaining row carries `relevance` (the best e5 cosine of the question to a cited
sentence). On the ext-dev "fit" half:
- relevance_min: the threshold that best separates right from wrong answers (accuracy above minus
  below) while marking at most 30% of answers low;
- relevance_abstain: the threshold that turns the most answers to unanswerable questions into
  abstentions less the right answers it would lose, keeping false abstentions (those it adds and the
  run's own) at most 5% of the answerable questions.
Both are reported on the "held" half, which the fit never sees, and on seeds rows when given (their
frozen test split is never tuned on).
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
ABSTAIN_THRESHOLDS = [round(0.70 + 0.01 * i, 2) for i in range(16)]
MAX_LOW_SHARE = 0.30
MAX_FALSE_ABSTENTIONS = 0.05


def abstaining_below(rows: list[dict], t: float) -> dict[str, int]:
    """What abstaining on every answer below `t` does to a set of rows (all of them, abstained too)."""
    answerable = [r for r in rows if r["answerable"]]
    off = [r for r in rows if not r["abstained"] and r.get("relevance") is not None and r["relevance"] < t]
    return {"answerable": len(answerable), "unanswerable": len(rows) - len(answerable),
            "right_lost": sum(bool(r["answerable"] and r["cited_ok"]) for r in off),
            "unanswerable_gained": sum(not r["answerable"] for r in off),
            "false_abstentions": sum(bool(r["answerable"] and r["abstained"]) for r in answerable)
                                 + sum(bool(r["answerable"]) for r in off),
            "unanswerable_abstained": sum(bool(not r["answerable"] and r["abstained"]) for r in rows)
                                      + sum(not r["answerable"] for r in off)}


def fit_abstain(halves: dict[str, list[dict]], extra: dict[str, list[dict]]) -> float | None:
    print("\n| relevance_abstain | rows | right lost | unanswerable gained | unanswerable abstained | "
          "false abstentions |\n|---|---|---|---|---|---|")
    best, best_gain = None, 0
    for t in ABSTAIN_THRESHOLDS:
        for name, rs in {**halves, **extra}.items():
            a = abstaining_below(rs, t)
            print(f"| {t} | {name} | {a['right_lost']} | {a['unanswerable_gained']} | "
                  f"{a['unanswerable_abstained']}/{a['unanswerable']} | {a['false_abstentions']}/{a['answerable']} |")
            gain = a["unanswerable_gained"] - a["right_lost"]
            if (name == "fit" and a["false_abstentions"] <= MAX_FALSE_ABSTENTIONS * a["answerable"]
                    and gain > best_gain):
                best, best_gain = t, gain
    print(f"\nrelevance_abstain = {best} (fit half: {best_gain} more right outcomes; None: no threshold gains)")
    return best


def split(rows: list[dict], t: float) -> tuple[int, float, int, float]:
    hi = [r for r in rows if r["relevance"] >= t]
    lo = [r for r in rows if r["relevance"] < t]

    def acc(xs):
        return sum(bool(x["answerable"] and x["cited_ok"]) for x in xs) / len(xs) if xs else 0.0

    return len(hi), acc(hi), len(lo), acc(lo)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "eval" / "results" / "rows-ext-dev-hybrid-1.5b.jsonl"
    items = {i.id: i for i in load_ext_set(SHARED_SETS[0]).items}
    every = [r for r in _read(path) if r["id"] in items]
    rows = [r for r in every if r.get("relevance") is not None and not r["abstained"]]
    if not rows:
        print(f"{path}: no rows with a relevance (run `rag eval` first)", file=sys.stderr)
        return 2
    halves = {h: [r for r in rows if ext_half(items[r["id"]]) == h] for h in ("fit", "held")}
    seeds: dict[str, list[dict]] = {}
    for r in _read(Path(argv[1])) if len(argv) > 1 else []:
        seeds.setdefault(r["set"], []).append(r)  # seeds-dev, seeds-test
    best, best_gap = None, -1.0
    print("| threshold | half | high n | right when high | low n | right when low |\n|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        for h, rs in halves.items():
            nh, ah, nl, al = split(rs, t)
            print(f"| {t} | {h} | {nh} | {ah:.1%} | {nl} | {al:.1%} |")
            if h == "fit" and nl <= MAX_LOW_SHARE * len(rs) and ah - al > best_gap:
                best, best_gap = t, ah - al
    print(f"\nrelevance_min = {best} (fit half: gap {best_gap:.1%})")
    fit_abstain({h: [r for r in every if ext_half(items[r["id"]]) == h] for h in ("fit", "held")}, seeds)
    return 0


def _read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
