"""What the UI does, without Gradio: one pipeline per process, rendered as HTML/Markdown/rows.

Kept apart from the layout so it is tested directly, and so the UI never grows its own logic.
"""
from __future__ import annotations

import html
import queue
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import BadInput, RagError
from ..figures.render import english_amount
from ..ingest import SUFFIXES
from ..ingest.clean import is_furniture
from ..types import Answer, Citation, Passage

if TYPE_CHECKING:
    from ..answering.answerer import Answerer
    from ..index.store import StoredIndex

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_SUFFIXES = tuple(sorted(SUFFIXES))  # whatever `rag index` reads
LANGS = {"auto": "", "English": "en", "中文": "zh", "한국어": "ko"}
_MARK = re.compile(r"\[(\d+)\]")


@dataclass
class AskUpdate:
    answer_md: str
    evidence_html: str
    sources_html: str
    status: str


class Services:
    def __init__(self, config: Config, embedder=None, llm=None, read_only: bool = False):
        from ..pipeline import Pipeline

        self.config = config
        self.read_only = read_only  # beyond loopback without credentials: nobody may add or remove
        self._embedder, self._llm = embedder, llm
        self.pipe = Pipeline(config, embedder=embedder, llm=llm)
        self.lock = threading.Lock()  # one model, one request at a time; Gradio's queue holds the rest

    def warm_up(self) -> Services:
        self.pipe.warm_up()
        return self

    def refresh(self, wait: bool = True) -> bool:
        """Pick up an index another process wrote since this one loaded it. `wait=False` skips it
        while a request holds the model (the next call catches up) rather than queue behind it."""
        if not self.lock.acquire(blocking=wait):
            return False
        try:
            return self.pipe.refresh()
        finally:
            self.lock.release()

    @property
    def index(self) -> StoredIndex:
        assert self.pipe.index is not None, "warm_up() loads it"
        return self.pipe.index

    @property
    def answerer(self) -> Answerer:
        assert self.pipe.answerer is not None, "warm_up() builds it"
        return self.pipe.answerer

    def use_model(self, model: str) -> str:
        """Switch between the registry models or the configured server; reloads once."""
        from ..pipeline import Pipeline

        backend = "openai" if model == "server" else self.config.llm_backend
        if model == "server" and not self.config.llm_url:
            raise BadInput("no server configured: set RAG_LLM_URL (an OpenAI-compatible /v1 URL)")
        new = self.config.replace(llm_backend=backend, llm_model=None if model == "server" else model)
        if new == self.pipe.config:
            return model
        with self.lock:
            self.pipe = Pipeline(new, embedder=self.pipe.embedder, llm=self._llm if new.llm_backend == "fake" else None)
            self.pipe.warm_up()
        return model

    # --- Ask ------------------------------------------------------------------------------------

    def evidence(self, question: str) -> str:
        assert self.pipe.retriever is not None, "warm_up() builds it"
        result = self.pipe.retriever.search(question)
        items: list[str] = []
        shown: list[Passage] = []
        for h in result.hits:
            p = h.passage
            # Passages overlap by a sentence: one that mostly repeats a passage already shown is left out.
            if any(q.doc == p.doc and min(q.end, p.end) - max(q.start, p.start) > 0.5 * (p.end - p.start)
                   for q in shown):
                continue
            shown.append(p)
            text = highlight_figures(p.text)
            items.append(f"<li><b>{html.escape(p.title)}</b> <small>{html.escape(p.date)} · "
                         f"<code>{html.escape(p.doc)}</code></small><br>{text}</li>")
        if not items:
            return ""
        return "<h3>Retrieved evidence</h3><ol class='evidence'>" + "".join(items) + "</ol>"

    def corpus_summary(self) -> str:
        """One line on what is indexed, for the first screen."""
        arts = list(self.index.articles.values())
        if not arts:
            return "Nothing is indexed yet: add articles in the Sources tab or with `rag index`."
        by_lang: dict[str, int] = {}
        for a in arts:
            by_lang[a.language] = by_lang.get(a.language, 0) + 1
        dates = sorted(a.date for a in arts if a.date)
        langs = ", ".join(f"{n} {lang}" for lang, n in sorted(by_lang.items(), key=lambda x: -x[1]))
        span = f", dated {dates[0]} to {dates[-1]}" if dates else ""
        return (f"{len(arts)} articles ({langs}), {len(self.index.passages)} passages, "
                f"{len(self.index.figures)} figures{span}.")

    def example_questions(self) -> list[str]:
        """One question per language about the indexed articles: the article richest in figures of each
        corpus language, asked about in English, Chinese and Korean (templates in prompts/messages.json)."""
        from ..prompts import Prompts

        counts: dict[str, int] = {}
        for f in self.index.figures:
            counts[f.doc] = counts.get(f.doc, 0) + 1
        arts = sorted(self.index.articles.values(), key=lambda a: (-counts.get(a.doc, 0), a.doc))
        if not arts:
            return []
        prompts = Prompts(self.config.prompts_dir)
        picks = []
        for lang in ("en", "zh", "ko"):  # a different article for each, where there are several
            a = next((x for x in arts if x not in picks and x.language != lang), None) or next(
                (x for x in arts if x not in picks), arts[0])
            picks.append(a)
        return [prompts.message("example_question", lang, title=_short_title(a.title))
                for lang, a in zip(("en", "zh", "ko"), picks, strict=True)]

    def ask(self, question: str, language: str = "auto") -> Iterator[AskUpdate]:
        """Evidence first (retrieval is ~0.1 s), then the answer as it streams, then verified citations."""
        from ..answering.query import check_question

        lang = LANGS.get(language, language or "")
        try:
            question = check_question(question, self.config.max_question_chars)
            self.refresh(wait=False)
            refused = self.answerer.refusal(question, lang or None)
        except RagError as e:  # bad input, or the store unreachable on refresh
            yield AskUpdate(render_error(str(e)), "", "", "error")
            return
        if refused is not None:  # a language it does not read: no evidence, no confidence to show
            yield AskUpdate(render_answer(refused), "", "", render_status(refused))
            return
        evidence = self.evidence(question)
        yield AskUpdate("…", evidence, "", "retrieved; the model is writing")
        pieces: queue.Queue = queue.Queue()
        box: dict = {}

        def work():
            try:
                with self.lock:
                    box["answer"] = self.pipe.ask(question, lang or None, pieces.put)
            except RagError as e:
                box["error"] = str(e)
            finally:
                pieces.put(None)

        threading.Thread(target=work, daemon=True).start()
        text = ""
        while (piece := pieces.get()) is not None:
            text += piece
            yield AskUpdate(html.escape(text), evidence, "", "writing")
        if "error" in box:
            yield AskUpdate(render_error(box["error"]), evidence, "", "error")
            return
        ans: Answer = box["answer"]
        yield AskUpdate(render_answer(ans), evidence, render_sources(ans.citations, self.index.articles),
                        render_status(ans))

    # --- Briefing, figures, sources ------------------------------------------------------------

    def topics(self, lang: str = "en") -> list[str]:
        from ..brief.topics import list_topics

        self.refresh(wait=False)
        return [t["topic"] for t in list_topics(self.index.articles, self.index.passages, lang)]

    def brief(self, topic: str, language: str, since: str, out_dir: Path, progress=None):
        from ..brief.render import to_html, to_markdown
        from ..prompts import Prompts

        lang = LANGS.get(language, language) or "en"
        self.refresh()
        with self.lock:
            b = self.pipe.briefer().run(topic, lang, (since or "").strip(),
                                        (lambda d, t, w: progress(d / max(t, 1), desc=w)) if progress else None)
        prompts = Prompts(self.config.prompts_dir)
        md, page = to_markdown(b, prompts), to_html(b, prompts)
        out_dir.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^\w-]+", "-", topic)[:40].strip("-") or "briefing"
        (out_dir / f"{slug}.md").write_text(md, encoding="utf-8")
        (out_dir / f"{slug}.html").write_text(page, encoding="utf-8")
        return md, out_dir / f"{slug}.md", out_dir / f"{slug}.html"

    def figures(self, query: str = "", doc: str = "") -> list[list]:
        from ..figures.table import filter_figures, rows

        self.refresh(wait=False)
        table = rows(filter_figures(self.index.figures, self.index.articles, query or "", doc or ""),
                     self.index.articles)
        # "over 100 million yuan" for 超亿元: a scale word alone is a bound, not an amount.
        return [[r["value"], " ".join(filter(None, (r["qualifier"], r["normalised"]))), r["period"], r["doc"],
                 r["date"], r["context"]] for r in table]

    def investment_chart(self, query: str = "", doc: str = ""):
        """The largest yuan figures (≥ 1亿) among those the filter keeps, one bar per distinct amount:
        a rounding written beside its exact figure (近5000亿 beside 4901亿) is not a second bar."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from ..figures.table import filter_figures

        kept = filter_figures(self.index.figures, self.index.articles, query or "", doc or "")
        money = [f for f in kept if f.unit == "yuan" and Decimal(f.value) >= 10**8]
        exact = {(f.doc, f.sentence_start) for f in money if not f.qualifier}
        figs = [f for f in money if not (f.qualifier == "nearly" and (f.doc, f.sentence_start) in exact)]
        figs.sort(key=lambda f: Decimal(f.value), reverse=True)
        figs = figs[:12][::-1]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        # English labels (a measure is in its source's words): the plot fonts on a bare machine
        # have no CJK glyphs.
        ax.barh([f"{english_amount(Decimal(f.value), f.unit)} · "
                 f"{f.doc[:12]} {f.date}" for f in figs], [float(Decimal(f.value)) / 1e9 for f in figs])
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlabel("billion yuan")
        ax.set_title("Largest yuan figures" + (f" matching “{query}”" if query else " in the corpus"))
        fig.tight_layout()
        return fig

    def sources(self) -> list[list]:
        from ..sources import source_rows

        self.refresh(wait=False)
        return [[r.doc, r.language, _short_title(r.title, 48),
                 r.date + (f" ({r.date_source})" if r.date and r.date_source else ""), r.outlet, r.author,
                 r.currency, r.passages]
                for r in source_rows(self.index.articles, self.index.passages)]

    def _writable(self) -> None:
        if self.read_only:
            raise BadInput("this UI is read-only (started beyond loopback without credentials)")

    def add_source(self, path: str) -> str:
        from ..indexer import Indexer

        self._writable()
        src = Path(path)
        name = Path(src.name).name  # never a path from the client
        if src.suffix.lower() not in UPLOAD_SUFFIXES:
            raise BadInput(f"{name}: only {', '.join(UPLOAD_SUFFIXES)} files can be added")
        if src.stat().st_size > MAX_UPLOAD_BYTES:
            raise BadInput(f"{name}: {src.stat().st_size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}")
        if not re.fullmatch(r"[\w.\- ()]+", name) or name.startswith("."):
            raise BadInput(f"{name!r}: use a plain file name (letters, digits, . - _ space)")
        dest_dir = self.config.home / "data" / "uploads"
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / name
        shutil.copyfile(src, dest)
        with self.lock:
            report = Indexer(self.pipe.config, self.pipe.embedder).run([dest])
            if report.failed:
                raise BadInput("; ".join(report.failed.values()))
            self.pipe.warm_up()
        return f"added {name}: {report.passages} passages in the index ({report.embedded} embedded)"

    def remove_source(self, doc: str) -> str:
        from ..indexer import Indexer

        self._writable()
        with self.lock:
            Indexer(self.pipe.config, self.pipe.embedder).run([], remove=[doc])
            self.pipe.warm_up()
        return f"removed {doc}"


def highlight_figures(text: str) -> str:
    """Escaped text with every figure (4901亿元, 289.36억원, 58%) in <mark>."""
    from ..figures.parse import parse_figures

    out, pos = [], 0
    for m in parse_figures(text):
        if m.is_bare:
            continue
        out += [html.escape(text[pos:m.start]), "<mark>", html.escape(text[m.start:m.end]), "</mark>"]
        pos = m.end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def render_answer(ans: Answer) -> str:
    """The answer with its markers linked and a badge per figure. "verified" means the figure is in
    its cited sentence and that sentence is about the question; a figure that is in its source while
    the cited sentence is not about the question says so instead."""
    text = html.escape(ans.answer)
    text = _MARK.sub(lambda m: f'<a href="#cite-{m.group(1)}" class="cite">[{m.group(1)}]</a>', text)
    off_question = not ans.abstained and not ans.relevant
    badges = []
    for f in ans.figures:
        if not f.supported:
            cls, label = "bad", "not supported"
        elif off_question:
            cls, label = "warn", "in the source, may not answer the question"
        else:
            cls, label = "ok", "verified"
        extra = f" (was “{html.escape(f.repaired_from)}”)" if f.repaired_from else ""
        badges.append(f"<span class='badge {cls}'>{html.escape(f.text)} · {label}{extra}</span>")
    if off_question:
        stories = list(dict.fromkeys(f"“{c.title}” ({c.date})" if c.date else f"“{c.title}”" for c in ans.citations))
        where = (f"the figures come from {', '.join(stories)}, which may be a different story than the one "
                 "you asked about") if stories else "the cited passage may be about something else"
        badges.append(f"<span class='badge warn'>low confidence: {html.escape(where)}</span>")
    return text.replace("\n", "<br>") + ("<div class='badges'>" + " ".join(badges) + "</div>" if badges else "")


def _without_furniture(text: str) -> str:
    """Context around a quote without its page-furniture lines (发布时间:…, 편집/기자:…): the reader
    sees the article, while the marked quote keeps its exact source offsets."""
    return "\n".join(line for line in text.split("\n") if not (line.strip() and is_furniture(line)))


def render_sources(citations: list[Citation], articles: dict) -> str:
    out = []
    for c in citations:
        a = articles.get(c.doc)
        if a is None:
            continue
        lo, hi = max(0, c.start - 160), min(len(a.text), c.end + 160)
        body = ("…" * (lo > 0) + html.escape(_without_furniture(a.text[lo:c.start])) + "<mark>"
                + html.escape(a.text[c.start:c.end]) + "</mark>" + html.escape(_without_furniture(a.text[c.end:hi]))
                + "…" * (hi < len(a.text)))
        out.append(f"<details id='cite-{c.marker}' open><summary>[{c.marker}] {html.escape(a.title)} — "
                   f"{html.escape(a.date)} · <code>{html.escape(a.doc)}</code> · chars {c.start}–{c.end}</summary>"
                   f"<div class='source'>{body.replace(chr(10), '<br>')}</div></details>")
    return "<h3>Cited sources</h3>" + "".join(out) if out else ""


def render_error(message: str) -> str:
    return f"<p class='error' role='alert'>{html.escape(message)}</p>"


def _short_title(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[:limit - 1] + "…"


def render_status(ans: Answer) -> str:
    t = ans.timings
    notes = [f"{ans.model}", f"retrieve {t.retrieve_s:.2f} s", f"prefill {t.prefill_s:.1f} s ({t.prompt_tokens} tok)",
             f"generate {t.generate_s:.1f} s", f"total {t.total_s:.1f} s"]
    if not ans.abstained and ans.confidence:  # an abstention or a refusal has no figure to be sure of
        notes.append(f"confidence {ans.confidence}")
    if ans.conflicts:
        notes.append(f"{len(ans.conflicts)} conflicting source(s) noted")
    return " · ".join(notes)


def quick_eval(services: Services, n: int = 5) -> str:
    """The first n eval questions through the loaded pipeline, scored like `rag eval`."""
    from ..answering.prose import answer_language
    from ..config import PROJECT_ROOT
    from ..evaluation.dataset import load_items
    from ..evaluation.score import correct

    items = load_items(PROJECT_ROOT / "eval" / "questions.jsonl")[:n]
    lines = ["| id | correct | language | seconds | answer |", "|---|---|---|---|---|"]
    ok = 0
    for item in items:
        with services.lock:
            ans = services.pipe.ask(item.question, item.expected_lang)
        good = correct(item, ans.answer, ans.abstained)
        ok += good
        lines.append(f"| {item.id} | {'✓' if good else '✗'} | {answer_language(ans.answer)} | "
                     f"{ans.timings.total_s:.1f} | {' '.join(ans.answer.split())[:80].replace('|', '/')} |")
    return f"**{ok}/{len(items)} correct**\n\n" + "\n".join(lines)
