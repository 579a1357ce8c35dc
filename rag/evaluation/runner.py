"""Run the eval set through one or more configurations and score every answer."""
from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..config import Config
from ..types import Answer, Article, Passage
from . import score
from .configs import CONFIGS, EvalConfig
from .dataset import Item

K = (1, 3, 5)


def evidence_passages(item: Item, articles: dict[str, Article], passages: list[Passage]) -> list[set[str]]:
    """For each evidence quote, the ids of the passages that overlap it."""
    out = []
    for quote in item.evidence:
        ids = set()
        for doc in item.docs:
            text = articles[doc].text if doc in articles else ""
            at = text.find(quote)
            if at >= 0:
                ids |= {p.id for p in passages if p.doc == doc and p.start < at + len(quote) and p.end > at}
        out.append(ids)
    return out


@dataclass
class Row:
    config: str
    id: str
    lang: str
    type: str
    expected_lang: str
    answerable: bool
    set: str = ""  # the report column: seeds-dev, seeds-test, ext-dev, ...
    doc_hit: dict = field(default_factory=dict)  # k -> bool
    evidence_hit5: bool = False
    rr: float = 0.0
    retrieve_s: float = 0.0
    answered: bool = False
    correct: bool = False
    cited_ok: bool = False
    abstained: bool = False
    answer_lang: str = ""
    lang_ok: bool = False
    figures_total: int = 0
    figures_supported: int = 0
    figures_repaired: int = 0
    scale_errors: int = 0
    conflict_reported: bool = False
    total_s: float = 0.0
    prompt_tokens: int = 0
    answer: str = ""
    cited_docs: list = field(default_factory=list)
    confidence: str = ""
    relevance: float | None = None
    abstain_reason: str = ""  # the check that made it abstain (rag.answering.guard.REASONS)


def retrieval_metrics(row: Row, item: Item, ranked: list[Passage], evidence: list[set[str]]) -> None:
    docs = [p.doc for p in ranked]
    for k in K:
        row.doc_hit[k] = bool(set(item.docs) & set(docs[:k]))
    top5 = {p.id for p in ranked[:5]}
    # A conflict needs every source; any other question needs one passage that holds the answer.
    need = all if item.type == "conflict" else any
    row.evidence_hit5 = bool(evidence) and need(ids & top5 for ids in evidence)
    firsts = [i for i, p in enumerate(ranked, 1) if any(p.id in ids for ids in evidence)]
    row.rr = 1.0 / firsts[0] if firsts else 0.0


def answer_metrics(row: Row, item: Item, ans: Answer, passage_figures, known=frozenset()) -> None:
    row.answered = True
    row.abstained = ans.abstained
    row.abstain_reason = ans.abstain_reason
    row.correct = score.correct(item, ans.answer, ans.abstained)
    row.answer = ans.answer
    row.cited_docs = sorted({c.doc for c in ans.citations})
    row.answer_lang, row.lang_ok = score.expected_language_ok(item, ans.answer)
    row.confidence = ans.confidence
    row.relevance = ans.relevance
    row.figures_total = len(ans.figures)
    row.figures_supported = sum(f.supported for f in ans.figures)
    row.figures_repaired = sum(bool(f.repaired_from) for f in ans.figures)
    row.scale_errors = score.scale_errors(ans.answer, item.gold, known)
    row.conflict_reported = bool(ans.conflicts)
    row.total_s = ans.timings.total_s
    row.prompt_tokens = ans.timings.prompt_tokens
    if row.correct and item.answerable:
        if item.scoring == "span":  # the external scorer's "cited": a citation names the gold doc
            row.cited_ok = bool(set(item.docs) & set(row.cited_docs))
        elif item.gold:
            row.cited_ok = all(any(Decimal(g.value) in passage_figures(c) for c in ans.citations) for g in item.gold)
        else:
            row.cited_ok = bool(set(item.docs) & set(row.cited_docs))


def column(set_name: str, item: Item) -> str:
    """The report column a question belongs to: its set, and its split where the set has one."""
    return f"{set_name}-{item.split}" if item.split else set_name


def run_config(ec: EvalConfig, base: Config, items: list[Item], embedder, rows_path: Path,
               set_name: str = "", llm=None, resume: bool = False) -> list[Row]:
    """Answer (or only retrieve) every item with one configuration, writing a row per item as it goes.

    `llm` is a warm model shared across sets and configurations; `resume` keeps the rows already in
    `rows_path` for these items and runs only the rest. Rows for other items are kept either way."""
    from tqdm import tqdm

    from ..figures.parse import parse_figures
    from ..pipeline import Pipeline

    config = base.replace(**ec.overrides)
    shared = llm if llm is not None and ec.overrides.get("llm_model", base.llm_model) == base.llm_model else None
    pipe = Pipeline(config, embedder=embedder, llm=shared).warm_up(llm=ec.answers)
    assert pipe.index is not None and pipe.retriever is not None, "warm_up() sets them"
    articles, passages = pipe.index.articles, pipe.index.passages
    baseline = None
    if ec.baseline:
        from .baseline import LlamaIndexBaseline

        baseline = LlamaIndexBaseline(articles, embedder, pipe.llm, config.max_tokens)

    def passage_figures(c) -> set[Decimal]:
        text = articles[c.doc].text if c.doc in articles else c.quote
        p = next((p for p in passages if p.id == c.passage_id), None)
        body = text[p.start:p.end] if p else c.quote
        return {m.value for m in parse_figures(body)}

    known = {Decimal(f.value) for f in pipe.index.figures}
    ids = {i.id for i in items}
    stored = load_rows(rows_path) if rows_path.exists() else []
    # Rows of questions outside this run (another split, another --ids) stay in the file as they are.
    others = [r for r in stored if r.id not in ids]
    rows = [r for r in stored if r.id in ids] if resume else []
    done = {r.id for r in rows}
    rows_path.parent.mkdir(parents=True, exist_ok=True)
    with open(rows_path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r.__dict__, ensure_ascii=False) + "\n" for r in others + rows)
        todo = [i for i in items if i.id not in done]
        bar = tqdm(todo, desc=f"{set_name or 'eval'} {ec.name}", unit="q", file=sys.stderr, mininterval=2,
                   disable=len(todo) < 2)
        right = sum(r.correct for r in rows)
        for item in bar:
            row = Row(ec.name, item.id, item.lang, item.type, item.expected_lang, item.answerable,
                      set=column(set_name, item))
            evidence = evidence_passages(item, articles, passages)
            if baseline is None:
                t = time.perf_counter()
                ranked = [h.passage for h in pipe.retriever.search(item.question, top_k=10).hits]
                row.retrieve_s = time.perf_counter() - t
                retrieval_metrics(row, item, ranked, evidence)
            if ec.answers:
                ans = (baseline or pipe).ask(item.question, item.expected_lang)
                answer_metrics(row, item, ans, passage_figures, known)
                if baseline is not None:
                    docs = [c.doc for c in ans.citations]
                    for k in K:
                        row.doc_hit[k] = bool(set(item.docs) & set(docs[:k]))
                    need = all if item.type == "conflict" else any
                    row.evidence_hit5 = bool(item.evidence) and need(
                        any(q in c.quote for c in ans.citations) for q in item.evidence)
                right += row.correct
                bar.set_postfix(right=f"{right}/{len(rows) + 1}", refresh=False)
                bar.write(f"[{set_name} {ec.name}] {item.id} {'ok ' if row.correct else 'MISS'} "
                          f"{row.total_s:.1f}s {' '.join(row.answer.split())[:70]!r}", file=sys.stderr)
            rows.append(row)
            f.write(json.dumps(row.__dict__, ensure_ascii=False) + "\n")
            f.flush()
    order = {i.id: n for n, i in enumerate(items)}
    return sorted(rows, key=lambda r: order[r.id])


def load_rows(path: Path) -> list[Row]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            d["doc_hit"] = {int(k): v for k, v in d.get("doc_hit", {}).items()}
            rows.append(Row(**d))
    return rows


def rescore(rows: list[Row], items: list[Item], known: set[Decimal]) -> list[Row]:
    """Score stored answers again with the current scorer (deterministic: no model call)."""
    by_id = {i.id: i for i in items}
    for r in rows:
        item = by_id.get(r.id)
        if item is None or not r.answered:
            continue
        r.correct = score.correct(item, r.answer, r.abstained)
        if item.scoring == "span":
            r.cited_ok = r.correct and bool(set(item.docs) & set(r.cited_docs))
        else:
            r.cited_ok = r.cited_ok and r.correct  # figure citations need the passages: kept as run
        r.scale_errors = score.scale_errors(r.answer, item.gold, known)
        r.answer_lang, r.lang_ok = score.expected_language_ok(item, r.answer)
    return rows


def _mean(xs) -> float | None:
    xs = list(xs)
    return sum(xs) / len(xs) if xs else None


def summarize(rows: list[Row]) -> dict:
    answerable = [r for r in rows if r.answerable]
    out: dict[str, float | int | None] = {"n": len(rows)}
    for k in K:
        out[f"doc_recall@{k}"] = _mean(r.doc_hit.get(k, False) for r in answerable)
    out["evidence_recall@5"] = _mean(r.evidence_hit5 for r in answerable if r.type != "unanswerable")
    out["mrr"] = _mean(r.rr for r in answerable)
    out["retrieve_p50_s"] = statistics.median([r.retrieve_s for r in rows]) if rows else None
    answered = [r for r in rows if r.answered]
    if answered:
        a_ans = [r for r in answered if r.answerable]
        a_un = [r for r in answered if not r.answerable]
        tp = sum(r.abstained for r in a_un)
        fp = sum(r.abstained for r in a_ans)
        figs = sum(r.figures_total for r in answered)
        conflicts = [r for r in answered if r.type == "conflict"]
        lat = sorted(r.total_s for r in answered)
        out.update({
            "accuracy": _mean(r.correct for r in a_ans),
            "correct_and_cited": _mean(r.cited_ok for r in a_ans),
            "abstention_recall": _mean(r.abstained for r in a_un),
            "abstention_precision": tp / (tp + fp) if tp + fp else None,
            "answered_when_answerable": _mean(not r.abstained for r in a_ans),
            "false_abstentions": fp,
            "false_abstention_rate": _mean(r.abstained for r in a_ans),
            "language_match": _mean(r.lang_ok for r in answered),
            "figure_support": (sum(r.figures_supported for r in answered) / figs) if figs else None,
            "figure_support_before_repair": ((sum(r.figures_supported - r.figures_repaired for r in answered)
                                              / figs) if figs else None),
            "figures_in_answers": figs,
            "figures_repaired": sum(r.figures_repaired for r in answered),
            "unit_conversion_errors": sum(r.scale_errors for r in answered),
            "conflicts_surfaced": _mean(r.correct for r in conflicts),
            "conflict_notes": _mean(r.conflict_reported for r in conflicts),
            "latency_p50_s": lat[len(lat) // 2],
            "latency_p95_s": lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))],
            "prompt_tokens_p50": statistics.median(r.prompt_tokens for r in answered),
        })
        # Calibration: how often an answer (not an abstention) is right when marked high or low.
        given = [r for r in answered if not r.abstained]
        for level in ("high", "low"):
            marked = [r for r in given if r.confidence == level]
            out[f"confidence_{level}_share"] = len(marked) / len(given) if given else None
            out[f"right_when_{level}"] = _mean(r.answerable and r.cited_ok for r in marked)
        del a_un
    return out


def breakdown(rows: list[Row], key: str) -> dict[str, dict]:
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(getattr(r, key), []).append(r)
    return {g: summarize(rs) for g, rs in sorted(groups.items())}


def resolve(names: list[str]) -> list[EvalConfig]:
    from ..errors import BadInput

    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise BadInput(f"unknown eval config(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
    return [CONFIGS[n] for n in names]
