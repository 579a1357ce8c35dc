"""The eval report: Markdown + JSON + PNG plots, configurations side by side."""
from __future__ import annotations

import json
import time
from pathlib import Path

from .configs import CONFIGS
from .runner import Row, breakdown, summarize

TARGETS = {"accuracy": 0.85, "correct_and_cited": 0.80, "abstention_recall": 0.90,
           "answered_when_answerable": 0.90, "language_match": 0.95, "evidence_recall@5": 0.95,
           "figure_support": 0.99}


def _pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _num(v, unit="") -> str:
    return "–" if v is None else f"{v:.2f}{unit}" if isinstance(v, float) else f"{v}{unit}"


def write_report(results: dict[str, list[Row]], out_dir: Path, set_path: Path, note: str = "") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {name: summarize(rows) for name, rows in results.items()}
    detail = {name: {"by_language": breakdown(rows, "lang"), "by_type": breakdown(rows, "type")}
              for name, rows in results.items()}
    (out_dir / "eval.json").write_text(json.dumps(
        {"set": str(set_path), "created": time.strftime("%Y-%m-%d %H:%M"), "summary": summary, "detail": detail,
         "rows": {n: [r.__dict__ for r in rows] for n, rows in results.items()}}, ensure_ascii=False, indent=1),
        encoding="utf-8")
    plots = _plots(results, summary, detail, out_dir)

    answer_cfgs = [n for n in results if summary[n].get("accuracy") is not None]
    lines = [f"# Eval report — {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"Set: `{set_path.name}`, {len(next(iter(results.values())))} questions. "
             "Scoring is deterministic (figures normalised across units and languages; see rag/evaluation/score.py).",
             ""]
    if note:
        lines += [note, ""]
    if answer_cfgs:
        lines += ["## Answers", "", "| metric | target | " + " | ".join(answer_cfgs) + " |",
                  "|---|---|" + "---|" * len(answer_cfgs)]
        metrics = ["accuracy", "correct_and_cited", "abstention_recall", "abstention_precision",
                   "answered_when_answerable", "language_match", "figure_support", "figure_support_before_repair",
                   "figures_repaired", "unit_conversion_errors", "conflicts_surfaced", "conflict_notes",
                   "evidence_recall@5", "latency_p50_s", "latency_p95_s", "prompt_tokens_p50"]
        for m in metrics:
            cells = []
            for n in answer_cfgs:
                v = summary[n].get(m)
                cell = _num(v, " s") if m.startswith("latency") else (
                    _num(v) if m in ("figures_repaired", "unit_conversion_errors", "prompt_tokens_p50") else _pct(v))
                if m in TARGETS and v is not None:
                    cell += " ✓" if v >= TARGETS[m] else " ✗"
                cells.append(cell)
            target = _pct(TARGETS[m]) if m in TARGETS else ("0" if m == "unit_conversion_errors" else "")
            lines.append(f"| {m} | {target} | " + " | ".join(cells) + " |")
        best = max(answer_cfgs, key=lambda n: (summary[n]["accuracy"] or 0, summary[n]["correct_and_cited"] or 0))
        lines += ["", f"**Best answers: `{best}`** ({CONFIGS[best].description if best in CONFIGS else ''}).", ""]
        for n in answer_cfgs:
            lines += [f"### {n}: by question language and type", "",
                      "| group | n | accuracy | correct+cited | abstained right | language match | p50 s |",
                      "|---|---|---|---|---|---|---|"]
            for kind in ("by_language", "by_type"):
                for g, s in detail[n][kind].items():
                    lines.append(f"| {g} | {s['n']} | {_pct(s.get('accuracy'))} | {_pct(s.get('correct_and_cited'))} | "
                                 f"{_pct(s.get('abstention_recall'))} | {_pct(s.get('language_match'))} | "
                                 f"{_num(s.get('latency_p50_s'))} |")
            lines.append("")
    lines += ["## Retrieval", "", "| config | doc R@1 | doc R@3 | doc R@5 | evidence R@5 | MRR | p50 s | description |",
              "|---|---|---|---|---|---|---|---|"]
    for n, s in summary.items():
        lines.append(f"| {n} | {_pct(s['doc_recall@1'])} | {_pct(s['doc_recall@3'])} | {_pct(s['doc_recall@5'])} | "
                     f"{_pct(s['evidence_recall@5'])} | {_num(s['mrr'])} | {_num(s['retrieve_p50_s'])} | "
                     f"{CONFIGS[n].description if n in CONFIGS else ''} |")
    ret = [n for n in summary if not (n in CONFIGS and CONFIGS[n].baseline)]
    if ret:
        best_r = max(ret, key=lambda n: (summary[n]["evidence_recall@5"] or 0, summary[n]["mrr"] or 0))
        lines += ["", f"**Best retrieval: `{best_r}`** (evidence passage in the top 5 for "
                      f"{_pct(summary[best_r]['evidence_recall@5'])} of answerable questions)."]
    lines += ["", "## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots]
    misses = [(n, r) for n, rows in results.items() for r in rows if r.answered and not r.correct]
    if misses:
        lines += ["", "## Misses", "", "| config | id | type | answer |", "|---|---|---|---|"]
        for n, r in misses:
            lines.append(f"| {n} | {r.id} | {r.type} | {' '.join(r.answer.split())[:160].replace('|', '/')} |")
    path = out_dir / "eval.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plots(results, summary, detail, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    answer_cfgs = [n for n in results if summary[n].get("accuracy") is not None]
    if answer_cfgs:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, kind in zip(axes, ("by_language", "by_type")):
            groups = sorted({g for n in answer_cfgs for g in detail[n][kind]})
            width = 0.8 / len(answer_cfgs)
            for i, n in enumerate(answer_cfgs):
                # Unanswerable questions are "right" when the tool abstains.
                vals = [100 * _right(detail[n][kind].get(g, {})) for g in groups]
                ax.bar([x + i * width for x in range(len(groups))], vals, width, label=n)
            ax.set_xticks([x + width * (len(answer_cfgs) - 1) / 2 for x in range(len(groups))], groups)
            ax.set_ylim(0, 100)
            ax.set_ylabel("right %")
            ax.set_title(f"accuracy {kind.replace('_', ' ')}")
        axes[0].legend(fontsize=8)
        paths.append(_save(plt, fig, out_dir / "accuracy.png"))

        fig, ax = plt.subplots(figsize=(6, 3.5))
        for n in answer_cfgs:
            ax.hist([r.total_s for r in results[n] if r.answered], bins=20, alpha=0.6, label=n)
        ax.set_xlabel("seconds per answer (2 CPU cores)")
        ax.set_ylabel("questions")
        ax.legend(fontsize=8)
        paths.append(_save(plt, fig, out_dir / "latency.png"))

    names = list(summary)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    metrics = ["doc_recall@1", "doc_recall@5", "evidence_recall@5"]
    width = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        ax.bar([x + i * width for x in range(len(names))], [100 * (summary[n][m] or 0) for n in names], width, label=m)
    ax.set_xticks([x + width for x in range(len(names))], names, rotation=20, fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title("retrieval recall by configuration")
    ax.legend(fontsize=8)
    paths.append(_save(plt, fig, out_dir / "retrieval.png"))
    return paths


def _right(s: dict) -> float:
    v = s.get("accuracy")
    return (v if v is not None else s.get("abstention_recall")) or 0.0


def _save(plt, fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
