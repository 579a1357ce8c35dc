"""A briefing as Markdown or as a standalone HTML page; both from the same Briefing."""
from __future__ import annotations

import html
import re
import time
from decimal import Decimal

from ..figures.render import format_value, with_qualifier
from ..ingest.clean import is_chrome
from ..prompts import Prompts
from ..text.sentences import display
from .briefer import Briefing

_MARK = re.compile(r"\[(\d+)\]")


def _t(prompts: Prompts, lang: str, key: str, **values) -> str:
    return prompts.label("brief", lang, key, **values)


# The figure index writes periods in one fixed form ("by end-2022", "to 2021-09-12", "2024-01..08");
# each is written out in the briefing's language from prompts/messages.json.
_PERIOD_FORMS = [(re.compile(r"^by end-(?P<year>\d{4})$"), "by_end"), (re.compile(r"^by (?P<year>\d{4})$"), "by"),
                 (re.compile(r"^to (?P<date>\d{4}-\d{2}-\d{2})$"), "to"), (re.compile(r"^to date$"), "to_date"),
                 (re.compile(r"^(?P<year>\d{4})-01\.\.(?P<month>\d{2})$"), "months"),
                 (re.compile(r"^H1 (?P<year>\d{4})$"), "h1"), (re.compile(r"^Q1–Q3 (?P<year>\d{4})$"), "q1_q3"),
                 (re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$"), "month")]


def period_label(prompts: Prompts, lang: str, label: str) -> str:
    for rx, key in _PERIOD_FORMS:
        m = rx.match(label)
        if m:
            values = {k: (str(int(v)) if k == "month" else v) for k, v in m.groupdict().items()}
            return prompts.label("period", lang, key, **values)
    return label  # a bare year reads the same in every language


def _when(prompts: Prompts, lang: str, f) -> str:
    if f.period:
        return period_label(prompts, lang, f.period)
    return prompts.message("as_of", lang, date=f.as_of) if f.as_of else ""


def _value(prompts: Prompts, f, lang: str) -> str:
    """The normalised value in the briefing's language (4901亿元 / 4901억원 / 490.1 billion yuan),
    with the source's qualifier (近5000亿 is "nearly 500 billion yuan", not a round 500 billion)."""
    return with_qualifier(format_value(Decimal(f.value), f.unit, lang), f.qualifier,
                          prompts.messages["qualified"][lang])


def _source_line(prompts: Prompts, lang: str, s: dict) -> str:
    date = s["date"] + (f" ({_t(prompts, lang, 'inferred')})" if s["date_inferred"] else "")
    return f"{s['outlet'] or _t(prompts, lang, 'unknown_outlet')}, {date}, {s['language']}"


def _shown(quote: str) -> str:
    """A cited passage as a reader sees it: its paragraphs, page furniture (发布时间:…, □…记者) left out.
    The citation keeps the exact source offsets; only the display drops those lines."""
    paragraphs = [p for p in re.split(r"\n\s*\n", quote) if p.strip() and not is_chrome(p)]
    return " ".join(display(p, 0, len(p)) for p in paragraphs) or " ".join(quote.split())


def _marker_of(b: Briefing, passage_id: str) -> int:
    return next((c.marker for c in b.citations if c.passage_id == passage_id), 0)


def to_markdown(b: Briefing, prompts: Prompts) -> str:
    L = b.language
    out = [f"# {_t(prompts, L, 'title', topic=b.topic)}", ""]
    if b.not_covered:  # a topic the corpus lacks: say so, with no empty sections after it
        return "\n".join(out + [b.overview, ""])
    out.append(_t(prompts, L, "generated", when=time.strftime("%Y-%m-%d"), n=b.timings.get("passages", 0),
                  k=len(b.sources)))
    if b.since:
        out.append(_t(prompts, L, "since", since=b.since))
    out += ["", f"## {_t(prompts, L, 'overview')}", "", b.overview or _t(prompts, L, "no_overview"), "",
            f"## {_t(prompts, L, 'developments')}", ""]
    for n in b.notes:
        out.append(f"- **{n.date or '—'}** — {n.text}")
        if n.quote:
            out.append(f"  > {n.quote}")
    out += ["", f"## {_t(prompts, L, 'figures')}", "",
            f"| {_t(prompts, L, 'figure')} | {_t(prompts, L, 'normalised')} | {_t(prompts, L, 'period')} | "
            f"{_t(prompts, L, 'source')} |", "|---|---|---|---|"]
    for f in b.figures:
        out.append(f"| {f.text} | {_value(prompts, f, L)} | {_when(prompts, L, f)} | "
                   f"[{_marker_of(b, f.passage_id) or '?'}] {f.doc} |")
    if b.conflicts:
        out += ["", f"## {_t(prompts, L, 'conflicts')}", ""]
        for c in b.conflicts:
            vals = "; ".join(f"{v.text} ({v.as_of}) [{_marker_of(b, v.passage_id)}]" for v in c.values)
            newest = next(v for v in c.values if v.passage_id == c.newest)
            out.append(f"- {c.label}: {vals} — {_t(prompts, L, 'newest')}: {newest.text} ({newest.as_of})")
    out += ["", f"## {_t(prompts, L, 'sources')}", ""]
    for s in b.sources:
        out.append(f"- {', '.join(f'[{m}]' for m in s['markers'])} {s['title']} — {_source_line(prompts, L, s)}, "
                   f"`{s['doc']}`")
    out += ["", "---", ""]
    for cit in b.citations:
        out.append(f"- [{cit.marker}] `{cit.passage_id}` chars {cit.start}–{cit.end}: "
                   f"“{_shown(cit.quote)[:200]}”")
    return "\n".join(out) + "\n"


def to_html(b: Briefing, prompts: Prompts) -> str:
    L = b.language
    esc = html.escape

    def linked(text: str) -> str:
        return _MARK.sub(lambda m: f'<a href="#c{m.group(1)}">[{m.group(1)}]</a>', esc(text))

    rows = "".join(f"<tr><td>{esc(f.text)}</td><td>{esc(_value(prompts, f, L))}</td>"
                   f"<td>{esc(_when(prompts, L, f))}</td>"
                   f"<td>{linked(f'[{_marker_of(b, f.passage_id)}]')} {esc(f.doc)}</td></tr>"
                   for f in b.figures)
    conflicts = "".join(
        f"<li>{esc(c.label)}: "
        + "; ".join(f"{esc(v.text)} ({esc(v.as_of)}) {linked(f'[{_marker_of(b, v.passage_id)}]')}" for v in c.values)
        + "</li>" for c in b.conflicts)
    sources = "".join(f"<li>{esc(s['title'])} — {esc(_source_line(prompts, L, s))}, "
                      f"<code>{esc(s['doc'])}</code></li>" for s in b.sources)
    cites = "".join(f'<li id="c{c.marker}">[{c.marker}] <code>{esc(c.passage_id)}</code> '
                    f"“{esc(_shown(c.quote))}”</li>" for c in b.citations)
    notes = "".join(f"<li><b>{esc(n.date or '—')}</b> — {linked(n.text)}"
                    + (f"<blockquote>{esc(n.quote)}</blockquote>" if n.quote else "") + "</li>" for n in b.notes)
    if b.not_covered:
        return (f'<!doctype html><html lang="{L}"><head><meta charset="utf-8"><title>'
                f"{esc(_t(prompts, L, 'title', topic=b.topic))}</title></head><body>"
                f"<h1>{esc(_t(prompts, L, 'title', topic=b.topic))}</h1><p>{esc(b.overview)}</p></body></html>\n")
    return f"""<!doctype html><html lang="{L}"><head><meta charset="utf-8">
<title>{esc(_t(prompts, L, 'title', topic=b.topic))}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em}}li{{margin:.3em 0}}</style></head><body>
<h1>{esc(_t(prompts, L, 'title', topic=b.topic))}</h1>
<h2>{esc(_t(prompts, L, 'overview'))}</h2><p>{linked(b.overview or _t(prompts, L, 'no_overview'))}</p>
<h2>{esc(_t(prompts, L, 'developments'))}</h2><ul>{notes}</ul>
<h2>{esc(_t(prompts, L, 'figures'))}</h2><table><tr><th>{esc(_t(prompts, L, 'figure'))}</th>
<th>{esc(_t(prompts, L, 'normalised'))}</th><th>{esc(_t(prompts, L, 'period'))}</th>
<th>{esc(_t(prompts, L, 'source'))}</th></tr>{rows}</table>
{f"<h2>{esc(_t(prompts, L, 'conflicts'))}</h2><ul>{conflicts}</ul>" if conflicts else ""}
<h2>{esc(_t(prompts, L, 'sources'))}</h2><ul>{sources}</ul><ol style="list-style:none">{cites}</ol>
</body></html>
"""
