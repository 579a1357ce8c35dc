"""Briefing checks (eval/briefings.jsonl): the topic's key figures present, other topics' figures
absent, every sentence's figures and places found in the passages it cites, labels and prose in the
briefing's language, markers resolved and never repeated.

A sentence is faithful when every figure it states is in the passages it cites, and every place it
names is named there, in those passages' titles, or is one their articles are mainly about (a
passage on "the two provinces" in an article about Heilongjiang and Guangdong backs both names).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..answering.prose import answer_language, cited_sentences
from ..brief.briefer import Briefing
from ..figures.context import entities_in, main_entities, with_provinces
from ..figures.parse import parse_figures
from ..prompts import Prompts
from ..types import Article, Passage
from .dataset import BriefingCheck

if TYPE_CHECKING:
    from ..pipeline import Pipeline

_MARK = re.compile(r"\[(\d+)\]")
_REPEAT = re.compile(r"\[(\d+)\]\s*\[\1\]")


@dataclass
class SentenceCheck:
    text: str
    source: str  # "note" (the model's), "figure note" (from the figures index), "quote note" or "overview"
    figures_found: bool
    places_found: bool
    missing: list[str] = field(default_factory=list)  # what the cited passages do not hold

    @property
    def faithful(self) -> bool:
        return self.figures_found and self.places_found


@dataclass
class BriefingScore:
    id: str
    topic: str
    lang: str
    expected: int  # key figures the check names
    found: int
    missing: list[str]
    figures_shown: int  # in the key-figures table and the notes
    off_topic: list[str]  # of those, the ones from articles outside the topic's
    sentences: list[SentenceCheck]
    labels_ok: bool
    prose_ok: bool
    repeated_markers: int
    unresolved_markers: list[int]
    not_covered: bool
    seconds: float
    notes_cached: int
    group: str = ""  # "" for the checks file; "<set> fit" or "<set> held-out" for derived checks

    @property
    def faithful(self) -> int:
        return sum(s.faithful for s in self.sentences)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["faithful"] = self.faithful
        return d


def _values(text: str) -> set[Decimal]:
    return {Decimal(m.value) for m in parse_figures(text) if not m.is_bare}


def _check_sentence(text: str, source: str, cited: list[Passage], articles: dict[str, Article]) -> SentenceCheck:
    body = " ".join(articles[p.doc].text[p.start:p.end] for p in cited)
    titles = " ".join(articles[p.doc].title for p in cited)
    bare = _MARK.sub("", text)
    missing = [m.text for m in parse_figures(bare) if not m.is_bare and Decimal(m.value) not in _values(body)]
    places = with_provinces(entities_in(body) + entities_in(titles)
                            + [x for p in cited for x in main_entities(articles[p.doc].text)])
    unnamed = [n for n in entities_in(bare) if n not in places]
    return SentenceCheck(bare.strip(), source, not missing, not unnamed, missing + unnamed)


def _english_labels(prompts: Prompts) -> list[str]:
    """The fixed words of the English briefing labels (placeholders cut out), for spotting them in
    a briefing in another language."""
    out = []
    for value in prompts.messages["brief"]["en"].values():
        out += [w.strip(" :,.;“”") for w in re.split(r"\{\w+\}", value)]
    return [w for w in out if len(w) >= 6]


def score_briefing(b: Briefing, check: BriefingCheck, markdown: str, passages: dict[str, Passage],
                   articles: dict[str, Article], prompts: Prompts) -> BriefingScore:
    allowed = set(check.docs) or {f["doc"] for f in check.figures}
    shown: dict[tuple[Decimal, str], str] = {(Decimal(f.value), f.unit): f.doc for f in b.figures}
    for c in [c for n in b.notes for c in n.figures] + list(b.overview_figures):
        if c.supported:
            shown.setdefault((Decimal(c.value), c.unit), passages[c.passage_id].doc if c.passage_id in passages
                             else "")
    missing = [f"{f['value']} {f['unit']}" for f in check.figures if (Decimal(f["value"]), f["unit"]) not in shown]
    off = sorted(f"{v} {u} ({d})" for (v, u), d in shown.items() if d and d not in allowed)

    by_marker = {n.marker: passages[n.passage_id] for n in b.notes if n.passage_id in passages}
    sentences = [_check_sentence(n.text, "note" if n.kind == "model" else f"{n.kind} note", [by_marker[n.marker]],
                                 articles) for n in b.notes if n.marker in by_marker]
    for s in cited_sentences(b.overview):
        cited = [by_marker[int(m)] for m in _MARK.findall(s) if int(m) in by_marker]
        if _MARK.sub("", s).strip():
            sentences.append(_check_sentence(s, "overview", cited, articles))

    markers = {c.marker for c in b.citations}
    unresolved = sorted({int(m) for m in _MARK.findall(markdown)} - markers)
    labels_ok = b.language == "en" or not any(w in markdown for w in _english_labels(prompts))
    prose = [_MARK.sub("", x).strip() for x in [b.overview] + [n.text for n in b.notes]]
    prose_ok = all(answer_language(x) == b.language for x in prose if x)
    return BriefingScore(check.id, check.topic, check.lang, len(check.figures), len(check.figures) - len(missing),
                         missing, len(shown), off, sentences, labels_ok, prose_ok, len(_REPEAT.findall(markdown)),
                         unresolved, bool(b.not_covered), float(b.timings.get("total_s", 0.0)),
                         int(b.timings.get("notes_cached", 0)))


def summarize_briefings(scores: list[BriefingScore]) -> dict[str, dict]:
    """Per check group and briefing language, and overall: key-figure recall, off-topic figures,
    faithful sentences. The checks file's rows are keyed by language alone, a derived group's as
    "<group> <language>"."""
    out: dict[str, dict] = {}
    keys = [(g, lang) for g in dict.fromkeys(s.group for s in scores)
            for lang in ["all", *sorted({s.lang for s in scores if s.group == g})]]
    for g, lang in keys:
        group = [s for s in scores if s.group == g and lang in ("all", s.lang)]
        expected = sum(s.expected for s in group)
        sentences = sum(len(s.sentences) for s in group)
        model = [x for s in group for x in s.sentences if x.source in ("note", "overview")]
        out[f"{g} {lang}" if g else lang] = {
            "briefings": len(group),
            "key_figure_recall": sum(s.found for s in group) / expected if expected else None,
            "off_topic_figures": sum(len(s.off_topic) for s in group),
            "figures_shown": sum(s.figures_shown for s in group),
            "figure_precision": (1 - sum(len(s.off_topic) for s in group) / shown) if (
                shown := sum(s.figures_shown for s in group)) else None,
            "faithful": sum(s.faithful for s in group) / sentences if sentences else None,
            "faithful_model_written": sum(x.faithful for x in model) / len(model) if model else None,
            "sentences": sentences,
            "labels_ok": sum(s.labels_ok for s in group),
            "prose_ok": sum(s.prose_ok for s in group),
            "repeated_markers": sum(s.repeated_markers for s in group),
            "unresolved_markers": sum(len(s.unresolved_markers) for s in group),
            "seconds_median": sorted(s.seconds for s in group)[len(group) // 2] if group else None,
        }
    return out


@dataclass
class BriefingRun:
    pipe: Pipeline  # warm, over the index the checks are about
    checks: list[BriefingCheck]
    group: str = ""


def run_briefings(runs: list[BriefingRun], out_dir, meta: dict) -> str:
    """Every check's briefing over its warm pipeline (notes cached as for any briefing), scored, and
    written to out_dir/briefings.json and .md beside the previous run's numbers."""
    import json
    import sys
    from pathlib import Path

    from ..brief.render import to_markdown

    out_dir = Path(out_dir)
    path = out_dir / "briefings.json"
    before = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    scores = []
    for run in runs:
        prompts = Prompts(run.pipe.config.prompts_dir)
        briefer = run.pipe.briefer()
        for check in run.checks:
            b = briefer.run(check.topic, check.lang)
            s = score_briefing(b, check, to_markdown(b, prompts), briefer.passages, briefer.articles, prompts)
            s.group = run.group
            scores.append(s)
            print(f"[eval] briefing {check.id} ({run.group or 'checks'}, {check.lang}): figures {s.found}/"
                  f"{s.expected}, off topic {len(s.off_topic)}, faithful {s.faithful}/{len(s.sentences)}, "
                  f"{s.seconds:.0f} s", file=sys.stderr)
    summary = summarize_briefings(scores)
    out_dir.mkdir(parents=True, exist_ok=True)
    # A derived check's topic, figures and sentences quote the external set: its details stay in a
    # local file (ignored by git, as its QA rows are); the committed report keeps its numbers only.
    own = [s for s in scores if not s.group]
    path.write_text(json.dumps({"meta": meta, "summary": summary, "briefings": [s.to_dict() for s in own]},
                               ensure_ascii=False, indent=1), encoding="utf-8")
    if len(own) < len(scores):
        (out_dir / "briefings-ext.local.json").write_text(
            json.dumps([s.to_dict() for s in scores if s.group], ensure_ascii=False, indent=1), encoding="utf-8")
    text = briefing_report(summary, own, meta, before)
    (out_dir / "briefings.md").write_text(text, encoding="utf-8")
    return text


def _fmt(v) -> str:
    if v is None:
        return "–"
    return f"{v:.1%}" if isinstance(v, float) else str(v)


def briefing_report(summary: dict, scores: list[BriefingScore], meta: dict, before: dict | None) -> str:
    prev = (before or {}).get("summary", {})
    was = f" (before: {before['meta'].get('commit', '?')})" if before else ""
    lines = [f"# Briefing checks ({meta.get('commit', '?')}, {meta.get('model', '')})", "",
             "Rows: the checks of eval/briefings.jsonl (written on the seeds, in-sample) by briefing language, then "
             "the checks derived from each external set's titles and numeric golds (rag/evaluation/briefing_sets.py), "
             "its fit and held-out halves apart. In brackets the previous run's value" + was
             + ". Faithful: the sentence's "
             "figures are in the passages it cites, and its places are named there, in their titles, or are "
             "their articles' main places.", "",
             "| checks · language | briefings | key-figure recall | off-topic figures / shown | precision | "
             "faithful sentences | "
             "model-written faithful | labels in language | prose in language | repeated markers | "
             "unresolved markers | median s |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for lang, m in summary.items():
        p = prev.get(lang, {})

        def cell(key: str, m=m, p=p) -> str:
            return _fmt(m[key]) + (f" ({_fmt(p[key])})" if key in p else "")

        lines.append(f"| {lang} | {m['briefings']} | {cell('key_figure_recall')} | {cell('off_topic_figures')} / "
                     f"{m['figures_shown']} | {cell('figure_precision')} | {cell('faithful')} of {m['sentences']} | "
                     f"{cell('faithful_model_written')} | {m['labels_ok']}/{m['briefings']} | "
                     f"{m['prose_ok']}/{m['briefings']} | {cell('repeated_markers')} | {cell('unresolved_markers')} | "
                     f"{m['seconds_median']:.0f} |")
    lines += ["", "## Per briefing (the checks file; derived checks' details: briefings-ext.local.json)", ""]
    for s in scores:
        bad = [x for x in s.sentences if not x.faithful]
        where = f"{s.group}, {s.lang}" if s.group else s.lang
        lines.append(f"- **{s.id}** ({where}) “{s.topic}”: figures {s.found}/{s.expected}"
                     + (f", missing {', '.join(s.missing)}" if s.missing else "")
                     + (f"; off topic: {', '.join(s.off_topic)}" if s.off_topic else "")
                     + f"; faithful {s.faithful}/{len(s.sentences)}"
                     + ("".join(f"\n  - not found ({x.source}): {', '.join(x.missing)} in “{x.text[:120]}”"
                                for x in bad))
                     + ("; says the corpus does not cover it" if s.not_covered else ""))
    return "\n".join(lines) + "\n"
