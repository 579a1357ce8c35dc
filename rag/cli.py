"""`rag` command line: setup, index, ask, brief, figures, eval, bench, ui."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .config import PROJECT_ROOT, Config
from .errors import BadInput, RagError


def _offline() -> None:
    # Nothing may reach a model hub at run time.
    for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(k, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio phones home otherwise


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("configuration (defaults < RAG_* environment < flags)")
    g.add_argument("--home", type=Path, help="project data home (RAG_HOME)")
    g.add_argument("--index-dir", type=Path)
    g.add_argument("--store", help="postgresql://user@host/db to keep the index in PostgreSQL (RAG_STORE)")
    g.add_argument("--models-dir", type=Path)
    g.add_argument("--llm-backend", choices=["local", "openai", "fake"])
    g.add_argument("--model", dest="llm_model", help="qwen2.5-coder-1.5b | qwen2.5-coder-0.5b | path/to/model.gguf")
    g.add_argument("--llm-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    g.add_argument("--llm-remote-model", help="model name to request from the server")
    g.add_argument("--embed-backend", choices=["e5", "fake"])
    g.add_argument("--mode", dest="retrieval_mode", choices=["hybrid", "bm25", "dense"])
    g.add_argument("--no-bridge", dest="bridge", action="store_const", const=False)
    g.add_argument("--top-k", type=int)
    g.add_argument("--context-tokens", type=int)
    g.add_argument("--threads", type=int)

    p = argparse.ArgumentParser(prog="rag", description="Offline multilingual news QA with verified citations.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("setup", parents=[common],
                       help="fetch + verify model weights, convert the embedder, build the index")
    s.add_argument("--models", default="qwen2.5-coder-1.5b,qwen2.5-coder-0.5b",
                   help="comma-separated registry models to assemble")
    s.add_argument("--no-index", action="store_true")

    i = sub.add_parser("index", parents=[common], help="add .txt/.md/.html articles (default: the seeds folder)")
    i.add_argument("paths", nargs="*", metavar="PATH_OR_URL",
                   help="files (.txt .md .html .htm .xml .rss .atom .pdf), folders, or http(s) URLs of pages, "
                        "feeds or PDFs (the only thing that makes the tool open a connection)")
    i.add_argument("--currency", choices=["yuan", "won"],
                   help="what 원 means in these sources (default: decided per article from its text and site)")
    i.add_argument("--offline", action="store_const", const=True, default=None,
                   help="refuse URLs: open no connection at all (also RAG_OFFLINE=1)")
    i.add_argument("--rebuild", action="store_true", help="re-read everything and re-embed from scratch")
    i.add_argument("--remove", action="append", default=[], metavar="DOC", help="remove an article by file name")
    i.add_argument("--migrate-from", type=Path, metavar="INDEX_DIR",
                   help="copy a local index (e.g. data/index) into --store without re-embedding")
    i.add_argument("--json", action="store_true")

    a = sub.add_parser("ask", parents=[common], help="answer a question with citations")
    a.add_argument("question", nargs="?")
    a.add_argument("--lang", help="answer language: en, zh, ko (default: the question's)")
    a.add_argument("--json", action="store_true", help="one JSON object per answer")
    a.add_argument("--questions", type=Path, help="file with one question per line (model loaded once)")

    f = sub.add_parser("figures", parents=[common], help="list the figures found in the articles")
    f.add_argument("query", nargs="*", help="words to match (any language), e.g. Shenyang trade")
    f.add_argument("--doc", default="", help="only this article (file name or its prefix)")
    f.add_argument("--conflicts", action="store_true", help="list conflicting figures instead")
    f.add_argument("--json", action="store_true")

    br = sub.add_parser("brief", parents=[common], help="write a cross-language briefing with citations")
    br.add_argument("topic", nargs="*", help="e.g. Beijing and Tianjin transport")
    br.add_argument("--lang", default="en", help="briefing language: en, zh, ko (default en)")
    br.add_argument("--since", default="", help="only articles dated on or after YYYY-MM-DD")
    br.add_argument("--out", type=Path, help="write to FILE.md or FILE.html (default: Markdown to stdout)")
    br.add_argument("--json", action="store_true")
    br.add_argument("--list-topics", action="store_true", help="propose topics found in the corpus")

    u = sub.add_parser("ui", parents=[common], help="open the web UI (http://127.0.0.1:7860)")
    u.add_argument("--host", default="127.0.0.1", help="interface to bind; 0.0.0.0 exposes it to the network")
    u.add_argument("--port", type=int, default=7860)

    so = sub.add_parser("sources", parents=[common], help="list the indexed articles with their metadata")
    so.add_argument("--json", action="store_true", help="one JSON object per article")

    e = sub.add_parser("eval", parents=[common], help="run the eval sets and write one report with plots")
    e.add_argument("--set", dest="eval_set", type=Path, action="append", metavar="PATH",
                   help="a set folder (docs/ + qa.jsonl, e.g. ../shared/ext-dev) or a seed-format questions "
                        ".jsonl (repeatable); default: eval/questions.jsonl (dev and test splits) plus "
                        "../shared/ext-dev where it exists")
    e.add_argument("--config", dest="configs", action="append", metavar="NAME",
                   help="configuration to run (repeatable); default: hybrid-1.5b, llamaindex-default-1.5b and "
                        "retrieval-only bm25, dense. Others: hybrid-0.5b, hybrid, hybrid-no-bridge")
    e.add_argument("--mini", action="store_true", help="external sets: their fixed mini.jsonl subset")
    e.add_argument("--split", choices=["dev", "test"], help="seed questions: only this split")
    e.add_argument("--ids", help="comma-separated question ids to run (any set)")
    e.add_argument("--limit", type=int, help="only the first N questions of each set")
    e.add_argument("--out", type=Path, help="report folder (default eval/results/)")
    e.add_argument("--interleave", action="store_true",
                   help="answer round-robin by question language and type, so a partial run stays balanced")
    e.add_argument("--resume", action="store_true",
                   help="keep the rows an interrupted run left in --out and answer only the rest")
    e.add_argument("--report-only", action="store_true",
                   help="rewrite the report from the rows-*.jsonl an earlier (possibly interrupted) run left in --out")
    e.add_argument("--no-ingestion", action="store_true", help="skip the html-dev ingestion score")
    e.add_argument("--briefings", type=Path, nargs="?", const=PROJECT_ROOT / "eval" / "briefings.jsonl",
                   metavar="FILE", help="run only the briefing checks (default eval/briefings.jsonl) over the "
                                        "index, and those derived from each --set (default: the shared sets "
                                        "present) over its own index, writing briefings.md and .json to --out")
    e.add_argument("--no-ext-briefings", action="store_true",
                   help="with --briefings: only the checks file, no checks derived from the external sets")

    b = sub.add_parser("bench", parents=[common], help="print latency, tokens/s and memory on fixed seed questions")
    b.add_argument("--questions", type=Path)
    b.add_argument("--out", type=Path)
    b.add_argument("--scale", default="10000,100000",
                   help="synthetic corpus sizes for retrieval scaling, comma-separated ('' to skip)")
    b.add_argument("--no-overhead", action="store_true", help="skip the pipeline-vs-direct llama.cpp comparison")
    b.add_argument("--scale-only", action="store_true", help="only the retrieval scaling (no model)")
    b.add_argument("--pg", default="", metavar="URL|embedded",
                   help="also time PostgreSQL on the synthetic corpora: a scratch database (its index is "
                        "replaced) or 'embedded' for a throwaway local server")
    b.add_argument("--brief", default="", metavar="TOPIC",
                   help="also time a briefing on TOPIC, cold and with cached notes")
    b.add_argument("--brief-lang", default="en,ko", help="briefing languages for --brief, comma-separated")
    b.add_argument("--against", default="", metavar="REV",
                   help="only the latency of this checkout against commit REV, both answering --questions "
                        "(default: the bench questions) in one run, as a ratio")
    return p


CONFIG_KEYS = ("home", "index_dir", "store", "models_dir", "llm_backend", "llm_model", "llm_url", "llm_remote_model",
               "embed_backend", "retrieval_mode", "bridge", "top_k", "context_tokens", "threads", "offline", "currency")


def config_from_args(args) -> Config:
    return Config.from_env(**{k: getattr(args, k, None) for k in CONFIG_KEYS})


def cmd_setup(args, config: Config) -> int:
    from .setup import run_setup

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    run_setup(config, models, build_index=not args.no_index, log=lambda m: print(m, file=sys.stderr))
    return 0


def cmd_index(args, config: Config) -> int:
    from .embed import make_embedder
    from .indexer import Indexer
    from .ingest.fetch import is_url

    if args.migrate_from:
        return _migrate(args, config)
    paths = args.paths or ([] if args.remove else [config.corpus_dir])
    for p in paths:
        if not is_url(str(p)) and not Path(p).exists():
            raise BadInput(f"{p}: no such file or folder (or give an http(s) URL)")
    report = Indexer(config, make_embedder(config)).run(paths, rebuild=args.rebuild, remove=args.remove)
    if args.json:
        print(json.dumps(report.__dict__, ensure_ascii=False))
    else:
        print(f"indexed {report.passages} passages: {len(report.added)} added, {len(report.updated)} updated, "
              f"{len(report.unchanged)} unchanged; {report.embedded} embedded, {report.reused} reused"
              f"{' (full re-embed: model or chunking changed)' if report.rebuilt else ''}; {report.seconds:.1f} s")
    for err in report.failed.values():
        print(f"rag: error: {err}", file=sys.stderr)
    return 1 if report.failed else 0


def _migrate(args, config: Config) -> int:
    from .index.store import IndexStore
    from .index.stores import open_store

    if not config.store:
        raise BadInput("--migrate-from copies into a database: give --store postgresql://… (or RAG_STORE)")
    if args.paths or args.remove or args.rebuild:
        raise BadInput("--migrate-from copies an index as it is: give no paths, --remove or --rebuild with it")
    source = IndexStore(args.migrate_from).load()
    target = open_store(config)
    with target.lock():
        where = target.write(source)
    print(f"copied {len(source.passages)} passages, {len(source.figures)} figures and "
          f"{len(source.articles)} articles into {where} (no re-embedding)")
    return 0


def _print_answer(ans, streamed: str) -> None:
    if ans.answer.strip() != streamed.strip():
        print(("\n\n" if streamed else "") + ans.answer)
    else:
        print()
    if ans.citations:
        print("\nSources:")
        for c in ans.citations:
            quote = " ".join(c.quote.split())
            print(f"  [{c.marker}] {c.doc} — {c.title} ({c.date or 'undated'}) chars {c.start}-{c.end}")
            print(f"      “{quote}”")
    t = ans.timings
    print(f"\n({ans.model}; retrieve {t.retrieve_s:.2f} s, prefill {t.prefill_s:.1f} s for {t.prompt_tokens} tokens, "
          f"generate {t.generate_s:.1f} s, total {t.total_s:.1f} s)", file=sys.stderr)


def cmd_ask(args, config: Config) -> int:
    from .pipeline import Pipeline

    if args.questions:
        try:
            questions = [q for q in args.questions.read_text(encoding="utf-8").splitlines() if q.strip()]
        except (OSError, UnicodeDecodeError) as e:
            raise BadInput(f"{args.questions}: cannot read questions ({e})") from e
    elif args.question is not None:
        questions = [args.question]
    else:
        raise BadInput("give a question, or --questions FILE")
    pipe = Pipeline(config)
    if len(questions) == 1:  # fail fast, before loading any model
        from .answering.query import check_question

        check_question(questions[0], config.max_question_chars)
    pipe.warm_up()
    status = 0
    for q in questions:
        try:
            if args.json:
                ans = pipe.ask(q, args.lang)
                print(json.dumps(ans.to_dict(), ensure_ascii=False), flush=True)
            else:
                streamed = []

                def on_token(piece):
                    streamed.append(piece)  # noqa: B023 - called only within this iteration's pipe.ask
                    sys.stdout.write(piece)
                    sys.stdout.flush()

                ans = pipe.ask(q, args.lang, on_token)
                _print_answer(ans, "".join(streamed))
        except BadInput as e:
            if len(questions) == 1:
                raise
            print(json.dumps({"question": q, "error": str(e)}, ensure_ascii=False) if args.json
                  else f"rag: error: {e}", flush=True)
            status = 2
    return status


def cmd_figures(args, config: Config) -> int:
    from dataclasses import asdict

    from .figures.conflicts import find_conflicts
    from .figures.table import filter_figures, format_table, rows
    from .index.stores import open_store

    index = open_store(config).load(vectors=False)
    if args.conflicts:
        found = find_conflicts(index.figures, config.conflict_measure_min)
        if args.json:
            print(json.dumps([asdict(c) for c in found], ensure_ascii=False, indent=1))
        for c in [] if args.json else found:
            print(f"{c.label} ({', '.join(c.scope)}):")
            for v in c.values:
                mark = "  ← newest" if v.passage_id == c.newest else ""
                print(f"  {v.text:<12} as of {v.as_of}  {v.doc}{mark}")
        return 0
    query = " ".join(args.query)
    table = rows(filter_figures(index.figures, index.articles, query, args.doc), index.articles)
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=1))
    elif table:
        print(format_table(table))
    what = " ".join(x for x in (repr(query) if query else "", f"in {args.doc}" if args.doc else "") if x)
    print(f"{len(table)} figures" + (f" matching {what}" if what else ""), file=sys.stderr)
    return 0 if table else 1


def cmd_brief(args, config: Config) -> int:
    from .brief.render import to_html, to_markdown
    from .pipeline import Pipeline
    from .prompts import Prompts

    lang = (args.lang or "en").lower()
    if lang not in ("en", "zh", "ko"):
        raise BadInput(f"briefing language {lang!r} is not supported: use en, zh or ko")
    if args.out and args.out.suffix.lower() not in (".md", ".html", ".htm"):
        raise BadInput(f"--out must end in .md or .html, not {args.out.name!r}")
    if args.list_topics:
        from .brief.topics import list_topics
        from .index.stores import open_store

        index = open_store(config).load(vectors=False)
        topics = list_topics(index.articles, index.passages, lang)
        if args.json:
            print(json.dumps(topics, ensure_ascii=False, indent=1))
        for t in [] if args.json else topics:
            print(f"{t['topic']}  ({t['passages']} passages in {len(t['documents'])} articles)")
        return 0
    topic = " ".join(args.topic).strip()
    if not topic:
        raise BadInput("give a topic, or --list-topics")
    pipe = Pipeline(config).warm_up()
    from tqdm import tqdm

    bar = tqdm(total=1, desc="notes", unit="passage", file=sys.stderr, disable=args.json)

    def progress(done, total, what):
        bar.total = total
        bar.n = done
        bar.set_postfix_str(what[:60])
        bar.refresh()

    b = pipe.briefer().run(topic, lang, args.since, progress)
    bar.close()
    prompts = Prompts(config.prompts_dir)
    if args.json:
        print(json.dumps(b.to_dict(), ensure_ascii=False, indent=1))
    text = to_html(b, prompts) if args.out and args.out.suffix.lower() in (".html", ".htm") else to_markdown(b, prompts)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    elif not args.json:
        print(text)
    t = b.timings
    print(f"({t['passages']} passages: {t['notes_generated']} notes written, {t['notes_cached']} from cache; "
          f"{t['total_s']:.1f} s)", file=sys.stderr)
    return 0


def cmd_ui(args, config: Config) -> int:
    from .ui.app import launch

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"rag: warning: the UI will listen on {args.host}, reachable from the network", file=sys.stderr)
    launch(config, args.host, args.port)
    return 0


def cmd_sources(args, config: Config) -> int:
    from .index.stores import open_store
    from .sources import source_rows

    index = open_store(config).load(vectors=False)
    rows = source_rows(index.articles, index.passages)
    if args.json:
        for r in rows:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
        return 0
    print(f"{len(rows)} articles, {len(index.passages)} passages")
    for r in rows:
        when = f"{r.date or 'no date'}" + (f" ({r.date_source})" if r.date and r.date_source else "")
        extra = ", ".join(x for x in (r.outlet, r.author and f"by {r.author}", f"{r.pages} pages" if r.pages else "",
                                      r.currency == "won" and "원 = won") if x)
        print(f"{r.doc}  [{r.language}]  {when}  {r.title[:70]}" + (f"  — {extra}" if extra else "")
              + f"  · {r.passages} passages" + (f"  · {r.url}" if r.url.startswith("http") else ""))
    return 0


def cmd_eval(args, config: Config) -> int:
    from .evaluation.command import run_eval

    return run_eval(args, config)


def _scaling_questions(path: Path | None) -> list[str]:
    """The given questions file, else every seed eval question: a p95 needs more than the five
    bench questions."""
    from .bench import DEFAULT_QUESTIONS, read_questions
    from .evaluation.dataset import load_items

    if path:
        return read_questions(Path(path))
    seeds = PROJECT_ROOT / "eval" / "questions.jsonl"
    return [i.question for i in load_items(seeds)] if seeds.exists() else read_questions(DEFAULT_QUESTIONS)


def cmd_bench(args, config: Config) -> int:
    from .bench import retrieval_scaling, run_bench

    try:
        sizes = [int(x) for x in args.scale.split(",") if x.strip()]
    except ValueError as e:
        raise BadInput(f"--scale wants comma-separated integers ({e})") from e
    if args.against:
        from .bench import DEFAULT_QUESTIONS
        from .bench_ratio import latency_ratio

        questions = Path(args.questions or DEFAULT_QUESTIONS)
        if not questions.is_file():
            raise BadInput(f"{questions}: no such questions file")
        lines = latency_ratio(config, args.against, questions)
        print("\n".join(lines))
        if args.out:
            args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    if args.scale_only:
        from .embed import make_embedder

        embedder = make_embedder(config)
        embedder.warm_up()
        qs = _scaling_questions(args.questions)
        if args.pg and args.pg == config.store:
            raise BadInput("--pg would replace the index in RAG_STORE/--store: give a scratch database")
        lines = retrieval_scaling(config, embedder, sizes, qs, args.pg)
        if args.out:
            args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    return run_bench(config, args.questions, args.out, sizes, overhead=not args.no_overhead, brief=args.brief,
                     brief_langs=[x.strip() for x in args.brief_lang.split(",") if x.strip()])


def main(argv: list[str] | None = None) -> int:
    _offline()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
        return {"setup": cmd_setup, "index": cmd_index, "ask": cmd_ask, "figures": cmd_figures,
                "brief": cmd_brief, "eval": cmd_eval, "sources": cmd_sources, "ui": cmd_ui,
                "bench": cmd_bench}[args.command](args, config)
    except RagError as e:
        print(f"rag: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
