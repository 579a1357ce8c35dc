"""`rag bench`: per-stage latency, tokens/s and peak memory on fixed seed questions."""
from __future__ import annotations

import resource
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .config import PROJECT_ROOT, Config

DEFAULT_QUESTIONS = PROJECT_ROOT / "eval" / "bench_questions.txt"


def read_questions(path: Path) -> list[str]:
    """A questions file: one per line, `#` lines are comments."""
    return [q for q in path.read_text(encoding="utf-8").splitlines() if q.strip() and not q.startswith("#")]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def retrieval_scaling(config: Config, embedder, sizes: list[int], queries: list[str], pg: str = "") -> list[str]:
    """Retrieval latency on synthetic corpora of `sizes` passages, each 3 random seed sentences; with
    `pg` (a scratch database URL, or "embedded" for a throwaway server) the same corpora also go
    into PostgreSQL, timed side by side.

    A synthetic passage's vector is the normalised mean of its sentences' e5 vectors: embedding
    100k passages on 2 cores would take longer than the measurement and changes nothing in it.
    """
    import numpy as np

    from .index.search import LocalSearch, Search
    from .index.store import IndexStore, StoredIndex
    from .retrieval import HybridRetriever
    from .text import dictionary
    from .types import Passage

    class _Cached:
        """Query vectors computed once, outside the timing: the search is what grows with the corpus."""

        def __init__(self, queries: list[str]):
            self.memo = {q: embedder.embed_query(q) for q in queries}

        def embed_query(self, q):
            return self.memo[q]

    t = time.perf_counter()
    cached = _Cached(queries)
    encode_ms = (time.perf_counter() - t) * 1000 / max(1, len(queries))
    index = IndexStore(config.index_dir).load()
    sentences = [(p.language, index.articles[p.doc].text[s:e]) for p in index.passages for s, e in p.sentences]
    vecs = embedder.embed_passages([t for _, t in sentences])
    rng = np.random.default_rng(0)
    lines = ["", "## Retrieval time vs corpus size (synthetic passages from the seeds' sentences)", "",
             f"{len(queries)} questions. Query encoding (e5, not included below): {encode_ms:.0f} ms per query.", "",
             "| passages | store | build s | build passages/s | mode | p50 ms | p95 ms "
             "| max ms | top 5 as local | RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    server, url = _scratch_postgres(pg)
    if server is not None:  # a killed bench still stops its throwaway server (finally runs on SystemExit)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for n in sizes:
            picks = rng.integers(0, len(sentences), size=(n, 3))
            passages = [Passage(f"syn{i}", f"syn{i % 1000}.txt", i, 0, 0, " ".join(sentences[j][1] for j in row),
                                sentences[row[0]][0], "", "", str(i)) for i, row in enumerate(picks)]
            v = vecs[picks].mean(axis=1)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            stored = StoredIndex({}, passages, v.astype(np.float32), {}, index.aliases)
            t = time.perf_counter()
            local = LocalSearch(stored, config.bridge)
            backends: dict[str, Search] = {"local": local}
            builds = {"local": time.perf_counter() - t}
            if url:
                from .index.postgres import PostgresStore

                store = PostgresStore(url, config.pg_ef_search)
                t = time.perf_counter()
                with store.lock():  # the same tokens and weights as the local store's, not computed twice
                    store.write(stored, bm25=local.bm25 if config.bridge else None)
                builds["postgres"] = time.perf_counter() - t
                backends["postgres"] = store.search(stored)
            local_top: dict[tuple[str, str], list[str]] = {}
            for name, backend in backends.items():
                for mode in ("bm25", "dense", "hybrid"):
                    r = HybridRetriever(stored, cached, mode, config.top_k, config.candidates, config.rrf_k,
                                        config.bridge, config.language_quota, search=backend,
                                        dictionary=dictionary.load if config.dictionary_weight > 0 else None,
                                        dictionary_weight=config.dictionary_weight,
                                        dictionary_senses=config.dictionary_senses)
                    times, same = [], 0
                    for q in queries:
                        t = time.perf_counter()
                        top = [h.passage.id for h in r.search(q).hits]
                        times.append((time.perf_counter() - t) * 1000)
                        same += local_top.setdefault((mode, q), top) == top
                    rss = _server_rss_mb(server) if name == "postgres" else _rss_mb()
                    lines.append(f"| {n:,} | {name} | {builds[name]:.1f} | {n / max(builds[name], 1e-9):,.0f} | "
                                 f"{mode} | {statistics.median(times):.0f} | {_pct(times, 0.95):.0f} | "
                                 f"{max(times):.0f} | {same}/{len(queries)} | {rss} |")
                    print(lines[-1], flush=True)
    finally:
        if server is not None:
            server.delete()
    lines += ["", "RSS: this process for the local store (index in memory); the PostgreSQL server's processes "
              "for postgres (n/a for a remote server). Build: local = BM25 matrix + FAISS; postgres = COPY of "
              "passages, vectors and packed BM25 keyword rows (the weights the local build computed, not computed "
              "twice), their HNSW index, in one transaction. Top 5 as local: "
              "questions whose top 5 equal the local store's (HNSW is approximate; BM25 is exact in both)."]
    return lines


def _rss_mb() -> str:
    import psutil

    return f"{psutil.Process().memory_info().rss / 2**20:,.0f}"


def _server_rss_mb(server) -> str:
    import psutil

    if server is None:
        return "n/a"
    pid = int((server.data / "postmaster.pid").read_text().split()[0])
    main = psutil.Process(pid)
    return f"{sum(p.memory_info().rss for p in [main, *main.children()]) / 2**20:,.0f}"


def _scratch_postgres(pg: str):
    """(server, url): a throwaway embedded server for "embedded", else the given scratch database."""
    if not pg:
        return None, ""
    if pg != "embedded":
        return None, pg
    from .index.pgserver import LocalPostgres

    server = LocalPostgres(Path(tempfile.mkdtemp(prefix="rag-bench-pg-"))).start()
    return server, server.url()


def pipeline_overhead(pipe, config: Config, questions: list[str]) -> list[str]:
    """Pipeline wall time vs the same prompt sent straight to llama.cpp, prompt cache off for both."""
    llm = pipe.llm
    if not hasattr(llm, "raw_completion"):
        return ["", "(pipeline overhead: only measured for the local llama.cpp backend)"]
    llm.cache_prompt = False
    sent: list[list[dict]] = []  # a refocused answer sends two prompts; both are replayed
    chat = llm.chat

    def spy(messages, max_tokens, on_token=None):
        sent.append(messages)
        return chat(messages, max_tokens, on_token)

    llm.chat = spy
    lines = ["", "## Pipeline overhead vs llama.cpp called directly on the same prompts (prompt cache off)", "",
             "| question | prompts | pipeline s | direct s | ratio |", "|---|---|---|---|---|"]
    tp, td = [], []
    try:
        for q in questions:
            sent.clear()
            t = time.perf_counter()
            pipe.ask(q)
            tp.append(time.perf_counter() - t)
            td.append(sum(llm.raw_completion({"messages": m, "max_tokens": config.max_tokens,
                                              "temperature": config.temperature, "seed": config.seed,
                                              "stream": True, "cache_prompt": False}) for m in list(sent)))
            lines.append(f"| {q[:40]} | {len(sent)} | {tp[-1]:.2f} | {td[-1]:.2f} | {tp[-1] / td[-1]:.3f} |")
            print(lines[-1], flush=True)
    finally:
        llm.chat = chat
        llm.cache_prompt = True
    lines += ["", f"overhead ratio (sum pipeline / sum direct): {sum(tp) / sum(td):.3f} (target ≤ 1.05)"]
    return lines


def briefing_times(pipe, config: Config, topic: str, langs: list[str]) -> list[str]:
    """A briefing cold (empty note cache), then again with every note cached, per language."""
    lines = ["", f"## Briefing: {topic!r}", "", "| language | cold s | cached s | passages | model notes | "
             "figure notes | overview s (cached run) |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = config.replace(home=Path(tmp), index_dir=config.index_dir, models_dir=config.models_dir,
                               corpus_dir=config.corpus_dir)  # an empty note cache
        for lang in langs:
            cold = pipe.briefer(fresh).run(topic, lang)
            warm = pipe.briefer(fresh).run(topic, lang)
            t, w = cold.timings, warm.timings
            model = sum(n.kind == "model" for n in cold.notes)
            lines.append(f"| {lang} | {t['total_s']:.1f} | {w['total_s']:.1f} | {t['passages']} | {model} | "
                         f"{len(cold.notes) - model} | {w['total_s'] - w['map_s']:.1f} |")
            print(lines[-1], flush=True)
    return lines


def run_bench(config: Config, questions_file: Path | None = None, out: Path | None = None,
              scale: list[int] | None = None, overhead: bool = True, brief: str = "",
              brief_langs: list[str] | None = None) -> int:
    from .embed import make_embedder
    from .indexer import Indexer
    from .pipeline import Pipeline

    questions = read_questions(Path(questions_file or DEFAULT_QUESTIONS))
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
        tm = a.timings
        tps = tm.completion_tokens / tm.generate_s if tm.generate_s else 0.0
        totals.append(tm.total_s)
        retrieves.append(tm.retrieve_s)
        lines.append(f"| {q[:40]} | {tm.retrieve_s:.3f} | {tm.prompt_tokens} | {tm.prefill_s:.1f} | "
                     f"{tm.completion_tokens} | {tm.generate_s:.1f} | {tps:.1f} | {tm.total_s:.1f} |")
    lines += ["", f"retrieval: median {statistics.median(retrieves):.3f} s, max {max(retrieves):.3f} s",
              f"end-to-end: median {statistics.median(totals):.1f} s, max {max(totals):.1f} s",
              f"peak RSS: {peak_rss_mb():.0f} MB"]
    if overhead:
        lines += pipeline_overhead(pipe, config, questions)
    if brief:
        lines += briefing_times(pipe, config, brief, brief_langs or ["en", "ko"])
    if scale:
        lines += retrieval_scaling(config, embedder, scale, questions)
        lines.append(f"\npeak RSS after scaling: {peak_rss_mb():.0f} MB")
    text = "\n".join(lines)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    return 0
