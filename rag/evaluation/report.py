"""The eval report: Markdown + JSON + PNG plots, every set and configuration side by side."""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from .configs import CONFIGS
from .runner import Row, breakdown, summarize

# Issue 4's targets for the seed questions; printed beside the numbers, not applied to other sets.
TARGETS = {"accuracy": 0.85, "correct_and_cited": 0.80, "abstention_recall": 0.90,
           "answered_when_answerable": 0.90, "language_match": 0.95, "evidence_recall@5": 0.95,
           "figure_support": 0.99}
ANSWER_METRICS = ["n", "accuracy", "correct_and_cited", "abstention_recall", "abstention_precision",
                  "false_abstentions", "false_abstention_rate", "answered_when_answerable", "language_match",
                  "doc_recall@5", "evidence_recall@5", "figure_support", "figure_support_before_repair",
                  "figures_repaired", "unit_conversion_errors", "latency_p50_s", "latency_p95_s",
                  "prompt_tokens_p50", "confidence_high_share", "right_when_high", "right_when_low"]
LABELS = {"doc_recall@5": "gold doc in top 5", "n": "questions",
          "confidence_high_share": "answers marked high confidence",
          "right_when_high": "correct and cited, when marked high",
          "right_when_low": "correct and cited, when marked low"}
COUNTS = {"n", "false_abstentions", "figures_repaired", "unit_conversion_errors", "prompt_tokens_p50"}
Results = dict[str, dict[str, list[Row]]]  # report column (set, split) -> configuration -> rows


def _pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _num(v, unit="") -> str:
    return "–" if v is None else f"{v:.2f}{unit}" if isinstance(v, float) else f"{v}{unit}"


def _cell(metric: str, v) -> str:
    if metric.startswith("latency"):
        return _num(v, " s")
    if metric in COUNTS:
        return "–" if v is None else f"{round(v):d}"
    return _pct(v)


def by_column(rows_by_config: dict[str, list[Row]]) -> Results:
    """Regroup one set's rows (config -> rows) by report column (seeds-dev / seeds-test / ...)."""
    out: Results = {}
    for config, rows in rows_by_config.items():
        for r in rows:
            out.setdefault(r.set or "eval", {}).setdefault(config, []).append(r)
    return out


def _answer_pairs(results: Results, summary) -> list[tuple[str, str]]:
    return [(col, cfg) for col, cfgs in results.items() for cfg in cfgs
            if summary[col][cfg].get("accuracy") is not None or summary[col][cfg].get("abstention_recall") is not None]


def write_report(results: Results, out_dir: Path, sets: dict[str, str], note: str = "",
                 ingestion: dict | None = None, meta: dict | None = None) -> Path:
    """`sets`: report column -> what it is (its questions file and whether it is tuned on)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {col: {cfg: summarize(rows) for cfg, rows in cfgs.items()} for col, cfgs in results.items()}
    detail = {col: {cfg: {"by_language": breakdown(rows, "lang"), "by_type": breakdown(rows, "type")}
                    for cfg, rows in cfgs.items()} for col, cfgs in results.items()}
    created = time.strftime("%Y-%m-%d %H:%M")
    # External sets stay where they are: the report keeps their verdicts, not answer text quoting their docs.
    external = {col for col, what in sets.items() if "external" in what}

    def row_dict(col: str, r: Row) -> dict:
        return {**r.__dict__, "answer": ""} if col in external else r.__dict__

    (out_dir / "eval.json").write_text(json.dumps(
        {"created": created, "meta": meta or {}, "sets": sets, "summary": summary, "detail": detail,
         "ingestion": ingestion, "rows": {col: {cfg: [row_dict(col, r) for r in rows] for cfg, rows in cfgs.items()}
                                          for col, cfgs in results.items()}},
        ensure_ascii=False, indent=1), encoding="utf-8")
    plots = _plots(results, summary, out_dir)

    lines = [f"# Eval report — {created}", ""]
    if meta:
        lines += [" · ".join(f"{k}: {v}" for k, v in meta.items()), ""]
    lines += ["| column | what |", "|---|---|"] + [f"| {c} | {w} |" for c, w in sets.items()] + [""]
    lines += [("Scoring is deterministic. Seed questions: gold figures normalised across units and languages "
               "(rag/evaluation/score.py). External sets: gold strings by the external scorer's definitions "
               "(rag/evaluation/spans.py); *cited* means a citation names the gold doc."), ""]
    if note:
        lines += [note, ""]
    pairs = _answer_pairs(results, summary)
    if pairs:
        lines += ["## Answers", "", "| metric | seed target | " + " | ".join(f"{c}<br>{g}" for c, g in pairs) + " |",
                  "|---|---|" + "---|" * len(pairs)]
        for m in ANSWER_METRICS:
            target = _pct(TARGETS[m]) if m in TARGETS else ("0" if m == "unit_conversion_errors" else "")
            cells = [_cell(m, summary[c][g].get(m)) for c, g in pairs]
            lines.append(f"| {LABELS.get(m, m)} | {target} | " + " | ".join(cells) + " |")
        lines += [""] + _margins(results, pairs) + _abstentions(results, pairs)
        for col, cfg in pairs:
            lines += [f"### {col} · {cfg}: by question language and type", "",
                      ("| group | n | accuracy | correct+cited | abstained right | false abst. | language | "
                       "gold doc top 5 | p50 s |"), "|---|---|---|---|---|---|---|---|---|"]
            for kind in ("by_language", "by_type"):
                for grp, s in detail[col][cfg][kind].items():
                    lines.append(
                        f"| {grp} | {s['n']} | {_pct(s.get('accuracy'))} | {_pct(s.get('correct_and_cited'))} | "
                        f"{_pct(s.get('abstention_recall'))} | {_num(s.get('false_abstentions'))} | "
                        f"{_pct(s.get('language_match'))} | {_pct(s.get('doc_recall@5'))} | "
                        f"{_num(s.get('latency_p50_s'))} |")
            lines.append("")
    lines += ["## Retrieval", "",
              "| set | config | doc R@1 | doc R@3 | doc R@5 | evidence R@5 | MRR | p50 s | description |",
              "|---|---|---|---|---|---|---|---|---|"]
    for col, cfgs in summary.items():
        for cfg, s in cfgs.items():
            lines.append(f"| {col} | {cfg} | {_pct(s['doc_recall@1'])} | {_pct(s['doc_recall@3'])} | "
                         f"{_pct(s['doc_recall@5'])} | {_pct(s['evidence_recall@5'])} | {_num(s['mrr'])} | "
                         f"{_num(s['retrieve_p50_s'])} | {CONFIGS[cfg].description if cfg in CONFIGS else ''} |")
    lines += ["", "Baseline rows rank the baseline's own citations (top 2), so their recall is of what it cites."]
    if ingestion is not None:
        lines += ["", "## Ingestion of real web pages", ""] + _ingestion_lines(ingestion)
    lines += ["", "## Plots", ""] + [f"![{p.stem}]({p.name})" for p in plots]
    misses = [(col, cfg, r) for col, cfgs in results.items() if col not in external for cfg, rows in cfgs.items()
              for r in rows if r.answered and not r.correct]
    if misses:
        lines += ["", "## Misses", "", "| set | config | id | type | answer |", "|---|---|---|---|---|"]
        for col, cfg, r in misses:
            lines.append(f"| {col} | {cfg} | {r.id} | {r.type} | "
                         f"{' '.join(r.answer.split())[:140].replace('|', '/')} |")
    path = out_dir / "eval.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _margins(results: Results, pairs: list[tuple[str, str]]) -> list[str]:
    """Each configuration's correct+cited over the llama-index baseline's, per set, in points, on the
    questions both answered (a partial baseline run is compared on its own questions only)."""
    base = [g for g in CONFIGS if CONFIGS[g].baseline]
    out = []
    for col in dict.fromkeys(c for c, _ in pairs):
        anchors = [g for g in base if (col, g) in pairs]
        if not anchors:
            continue
        anchor = results[col][anchors[0]]
        for cfg in (g for c, g in pairs if c == col and g not in base):
            common = {r.id for r in anchor if r.answered} & {r.id for r in results[col][cfg] if r.answered}
            v = summarize([r for r in results[col][cfg] if r.id in common]).get("correct_and_cited")
            b = summarize([r for r in anchor if r.id in common]).get("correct_and_cited")
            if v is not None and b is not None:
                out.append(f"| {col} | {cfg} | {len(common)} | {_pct(v)} | {_pct(b)} | {100 * (v - b):+.1f} |")
    if not out:
        return []
    return ["Margin over the llama-index defaults (correct+cited, same models, on the questions both answered):", "",
            "| set | config | questions | correct+cited | llama-index defaults | points |", "|---|---|---|---|---|---|",
            *out, ""]


def _abstentions(results: Results, pairs: list[tuple[str, str]]) -> list[str]:
    """Which check made answerable questions abstain: a threshold that costs right answers shows here."""
    from ..answering.guard import REASONS

    counts = {(c, g): Counter(r.abstain_reason or "unknown" for r in results[c][g]
                              if r.answered and r.answerable and r.abstained) for c, g in pairs}
    reasons = [x for x in (*REASONS, "unknown") if any(x in n for n in counts.values())]
    if not reasons:
        return []
    return (["False abstentions by the check that made them (answerable questions; *unknown*: rows written "
             "before reasons were recorded):", "",
             "| check | " + " | ".join(f"{c}<br>{g}" for c, g in pairs) + " |", "|---|" + "---|" * len(pairs)]
            + [f"| {x} | " + " | ".join(str(counts[p][x]) for p in pairs) + " |" for x in reasons] + [""])


def _ingestion_lines(ing: dict) -> list[str]:
    if ing.get("error"):
        return [f"Not scored: {ing['error']}"]
    keys = [("pages_passing", "pages passing every check"), ("with_kept", "must-have strings kept"),
            ("without_kept", "boilerplate strings wrongly kept"), ("titles_ok", "titles right"),
            ("dates_ok", "dates right"), ("failed", "pages that failed to read"), ("seconds", "seconds")]
    lines = [f"`{ing.get('set', 'html-dev')}`, scored by its own score.py against `{ing.get('reader', '')}`:", "",
             "| check | result |", "|---|---|"]
    lines += [f"| {label} | {ing[k]} |" for k, label in keys if k in ing]
    return lines


def _plots(results: Results, summary, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    pairs = _answer_pairs(results, summary)
    if pairs:
        cols = list(dict.fromkeys(c for c, _ in pairs))
        cfgs = list(dict.fromkeys(g for _, g in pairs))
        fig, ax = plt.subplots(figsize=(max(6, 2.2 * len(cols)), 4))
        width = 0.8 / len(cfgs)
        for i, g in enumerate(cfgs):
            vals = [100 * (summary[c][g].get("correct_and_cited") or 0) if (c, g) in pairs else 0 for c in cols]
            ax.bar([x + i * width for x in range(len(cols))], vals, width, label=g)
        ax.set_xticks([x + width * (len(cfgs) - 1) / 2 for x in range(len(cols))], cols)
        ax.set_ylim(0, 100)
        ax.set_ylabel("correct and cited %")
        ax.set_title("answers by set and configuration")
        ax.legend(fontsize=8)
        paths.append(_save(plt, fig, out_dir / "accuracy.png"))

        fig, ax = plt.subplots(figsize=(6, 3.5))
        for c, g in pairs:
            ax.hist([r.total_s for r in results[c][g] if r.answered], bins=20, alpha=0.5, label=f"{c} {g}")
        ax.set_xlabel("seconds per answer")
        ax.set_ylabel("questions")
        ax.legend(fontsize=7)
        paths.append(_save(plt, fig, out_dir / "latency.png"))

    names = [(c, g) for c, cfgs in summary.items() for g in cfgs]
    fig, ax = plt.subplots(figsize=(max(7, 1.2 * len(names)), 3.8))
    metrics = ["doc_recall@1", "doc_recall@5", "evidence_recall@5"]
    width = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        ax.bar([x + i * width for x in range(len(names))], [100 * (summary[c][g][m] or 0) for c, g in names],
               width, label=m)
    ax.set_xticks([x + width for x in range(len(names))], [f"{c}\n{g}" for c, g in names], rotation=20, fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title("retrieval recall by set and configuration")
    ax.legend(fontsize=8)
    paths.append(_save(plt, fig, out_dir / "retrieval.png"))
    return paths


def _save(plt, fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
