"""`rag bench`: per-stage latency, tokens/s and peak memory on fixed seed questions."""
from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path

from .config import PROJECT_ROOT, Config

DEFAULT_QUESTIONS = PROJECT_ROOT / "eval" / "bench_questions.txt"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(config: Config, questions_file: Path | None = None, out: Path | None = None) -> int:
    from .embed import make_embedder
    from .indexer import Indexer
    from .pipeline import Pipeline

    questions = [q for q in Path(questions_file or DEFAULT_QUESTIONS).read_text(encoding="utf-8").splitlines()
                 if q.strip() and not q.startswith("#")]
    lines = [f"# rag bench — {config.llm_model if config.llm_backend == 'local' else config.llm_backend}, "
             f"{config.threads} threads, context budget {config.context_tokens} tokens", ""]

    embedder = make_embedder(config)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        embedder.warm_up()
        warm = time.perf_counter() - t
        report = Indexer(config.replace(index_dir=Path(tmp) / "index"), embedder).run([config.corpus_dir])
    lines.append(f"index build: {report.passages} passages in {report.seconds:.1f} s "
                 f"({report.passages / max(report.seconds, 1e-9):.1f} passages/s; embedder load {warm:.1f} s)")

    pipe = Pipeline(config, embedder=embedder).warm_up()
    lines.append("model load: " + ", ".join(f"{k} {v:.2f} s" for k, v in pipe.load_s.items()))
    lines += ["", "| question | retrieve s | prompt tok | prefill s | gen tok | gen s | tok/s | total s |",
              "|---|---|---|---|---|---|---|---|"]
    totals, retrieves = [], []
    for q in questions:
        a = pipe.ask(q)
        t = a.timings
        tps = t.completion_tokens / t.generate_s if t.generate_s else 0.0
        totals.append(t.total_s)
        retrieves.append(t.retrieve_s)
        lines.append(f"| {q[:40]} | {t.retrieve_s:.3f} | {t.prompt_tokens} | {t.prefill_s:.1f} | "
                     f"{t.completion_tokens} | {t.generate_s:.1f} | {tps:.1f} | {t.total_s:.1f} |")
    lines += ["", f"retrieval: median {statistics.median(retrieves):.3f} s, max {max(retrieves):.3f} s",
              f"end-to-end: median {statistics.median(totals):.1f} s, max {max(totals):.1f} s",
              f"peak RSS: {peak_rss_mb():.0f} MB"]
    text = "\n".join(lines)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    return 0
