"""The Gradio layout. Every handler calls Services; nothing here decides anything."""
from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from ..config import PROJECT_ROOT, Config
from ..errors import RagError
from .services import LANGS, MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, Services, quick_eval

# Highlights and badges set their own text colour: on a dark theme the inherited light text on a pale
# background was unreadable. Each pair is above WCAG AA (4.5:1); tests/browser checks it from computed styles.
CSS = """
mark{background:#ffe58a;color:#1f1f1f} .badge{display:inline-block;margin:.2em;padding:.1em .5em;border-radius:1em;
font-size:.85em} .badge.ok{background:#d9f7be;color:#135200} .badge.bad{background:#ffccc7;color:#820014}
.badge.warn{background:#fff1b8;color:#613400}
.evidence li{margin-bottom:.6em} .source{font-size:.92em;line-height:1.5} a.cite{font-weight:bold;text-decoration:none}
.error{color:#a8071a;font-weight:600} #quick-eval th{white-space:nowrap} .dark .error{color:#ff9c9c}
"""
MODELS = ["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "server"]
MODEL_QUEUE = "model"  # every event that uses the model or the index shares one queue of one


def build(services: Services) -> gr.Blocks:
    out_dir = Path(tempfile.mkdtemp(prefix="rag-ui-"))
    with gr.Blocks(title="newsrag") as demo:
        gr.Markdown("## newsrag — questions, briefings and figures from Chinese and Korean news, offline")
        gr.Markdown(services.corpus_summary(), elem_id="corpus")
        with gr.Tab("Ask"):
            with gr.Row():
                # lines=1 (growing to 6): Enter asks and Shift+Enter starts a new line, as in any chat box.
                question = gr.Textbox(label="Question (English, 中文, 한국어)", lines=1, max_lines=6, scale=4,
                                      placeholder="Enter to ask · Shift+Enter for a new line", elem_id="question")
                with gr.Column(scale=1):
                    language = gr.Dropdown(list(LANGS), value="auto", label="Answer language")
                    model = gr.Dropdown(MODELS, value=services.config.llm_model if services.config.llm_backend
                                        != "openai" else "server", label="Model")
            ask_btn = gr.Button("Ask", variant="primary", elem_id="ask")
            examples = services.example_questions()
            if examples:
                gr.Examples([[q] for q in examples], [question], label="Try a question about these articles",
                            elem_id="examples")
            answer = gr.HTML(elem_id="answer")
            status = gr.Markdown(elem_id="status")
            with gr.Row():
                sources = gr.HTML(elem_id="sources")  # headings come with their content
                evidence = gr.HTML(elem_id="evidence")

            def on_ask(q, lang):
                for u in services.ask(q, lang):
                    yield u.answer_md, u.evidence_html, u.sources_html, f"<small>{u.status}</small>"

            # One queue for everything that uses the model: a question asked during a briefing waits in
            # Gradio's queue, which shows its position and an estimate, not behind a silent lock.
            ask_btn.click(on_ask, [question, language], [answer, evidence, sources, status],
                          concurrency_id=MODEL_QUEUE, concurrency_limit=1)
            question.submit(on_ask, [question, language], [answer, evidence, sources, status],
                          concurrency_id=MODEL_QUEUE, concurrency_limit=1)

            def on_model(m):
                try:
                    services.use_model(m)
                    return f"<small>model: {m}</small>"
                except RagError as e:
                    return f"**{e}**"

            model.change(on_model, [model], [status])

        with gr.Tab("Briefing"):
            topic = gr.Dropdown(services.topics(), allow_custom_value=True, label="Topic (pick or type)",
                                elem_id="topic")
            with gr.Row():
                b_lang = gr.Dropdown(["English", "中文", "한국어"], value="English", label="Language",
                                     elem_id="brief-lang")
                since = gr.Textbox(label="Since (YYYY-MM-DD, optional)")
            b_btn = gr.Button("Write briefing", variant="primary", elem_id="brief")
            b_out = gr.Markdown(elem_id="briefing")
            with gr.Row():
                md_file, html_file = gr.File(label="Markdown"), gr.File(label="HTML")

            def on_brief(t, lang, s, progress=gr.Progress()):  # noqa: B008 (how Gradio injects progress)
                try:
                    md, p_md, p_html = services.brief(t, lang, s, out_dir, progress)
                    return md, str(p_md), str(p_html)
                except RagError as e:
                    return f"**{e}**", None, None

            def on_brief_lang(lang):  # proposed topics are written in the briefing's language
                return gr.update(choices=services.topics(LANGS.get(lang) or "en"))

            b_lang.change(on_brief_lang, [b_lang], [topic])
            b_btn.click(on_brief, [topic, b_lang, since], [b_out, md_file, html_file],
                        concurrency_id=MODEL_QUEUE, concurrency_limit=1)

        with gr.Tab("Figures"):
            with gr.Row():
                f_query = gr.Textbox(label="Filter (any language)", scale=3)
                f_doc = gr.Textbox(label="Article (file name prefix)", scale=1)
            # The context column gets the room: long file names pushed it off screen.
            table = gr.Dataframe(services.figures(), headers=["figure", "value", "period", "article", "date",
                                                               "context"], interactive=False, wrap=True,
                                 column_widths=["10%", "14%", "11%", "15%", "10%", "40%"], elem_id="figures-table")
            chart = gr.Plot(services.investment_chart())

            def on_filter(q, d):  # the chart follows the filter, as the table does
                return services.figures(q, d), services.investment_chart(q, d)

            f_query.change(on_filter, [f_query, f_doc], [table, chart])
            f_doc.change(on_filter, [f_query, f_doc], [table, chart])

        with gr.Tab("Sources"):
            s_table = gr.Dataframe(services.sources(), headers=["file", "language", "title", "date (source)", "outlet",
                                                                 "author", "원 =", "passages"], interactive=False,
                                   wrap=True, column_widths=["18%", "8%", "28%", "14%", "10%", "9%", "6%", "7%"],
                                   elem_id="sources-table")
            editable = not services.read_only
            if not editable:
                gr.Markdown("Read-only: this UI was started beyond loopback without credentials.")
            upload = gr.File(label=f"Add an article ({', '.join(UPLOAD_SUFFIXES)}, ≤ {MAX_UPLOAD_BYTES // 1024} KB)",
                             file_types=list(UPLOAD_SUFFIXES), elem_id="upload", visible=editable)
            with gr.Row(visible=editable):
                remove = gr.Textbox(label="Remove article (file name)", scale=3)
                remove_btn = gr.Button("Remove", scale=1)
            s_msg = gr.Markdown(elem_id="source-status")

            def on_upload(f):
                if f is None:
                    return gr.update(), ""
                try:
                    msg = services.add_source(f if isinstance(f, str) else f.name)  # before the table is read
                except (RagError, OSError) as e:
                    msg = f"**{e}**"
                return services.sources(), msg

            def on_remove(doc):
                try:
                    msg = services.remove_source(doc.strip())
                except RagError as e:
                    msg = f"**{e}**"
                return services.sources(), msg

            upload.upload(on_upload, [upload], [s_table, s_msg], concurrency_id=MODEL_QUEUE, concurrency_limit=1)
            remove_btn.click(on_remove, [remove], [s_table, s_msg], concurrency_id=MODEL_QUEUE, concurrency_limit=1)

        with gr.Tab("Eval"):
            report = PROJECT_ROOT / "eval" / "results" / "eval.md"
            gr.Markdown(report.read_text(encoding="utf-8").split("## Plots")[0] if report.exists()
                        else "No report yet: run `rag eval`.")
            for png in ("accuracy.png", "latency.png", "retrieval.png"):
                if (report.parent / png).exists():
                    gr.Image(str(report.parent / png), show_label=False)
            q_btn = gr.Button("Quick run (5 questions)", elem_id="quick-run")
            q_out = gr.Markdown(elem_id="quick-eval")
            q_btn.click(lambda: quick_eval(services), [], q_out, concurrency_id=MODEL_QUEUE, concurrency_limit=1)
    demo.queue(default_concurrency_limit=1, max_size=64)
    return demo


def launch(config: Config, host: str = "127.0.0.1", port: int = 7860) -> None:
    import sys

    from .access import decide

    access = decide(config, host)
    print(f"rag ui: {access.message}", file=sys.stderr)
    services = Services(config, read_only=access.read_only).warm_up()
    build(services).launch(server_name=host, server_port=port, show_error=False, css=CSS,
                           max_file_size=MAX_UPLOAD_BYTES, auth=access.credentials or None,
                           auth_message="newsrag: sign in" if access.credentials else None)
