"""Briefing checks derived, at run time, from an external set in the ext-dev format.

Nothing is copied from the set: each article title becomes a topic (as a reader would type it: the
underscores of a wiki title as spaces, a trailing disambiguation in brackets dropped), its docs are
the topic's articles, and its key figures are the set's own numeric gold answers that carry a unit
and occur as a figure in one of those docs. Every other article's figures are off topic, so topics
sharing a subject (one subway line's stations, several railway lines) must not mix. Briefing
languages rotate over en, zh and ko; a stable hash of the title puts each check in the "fit" or the
"held-out" half, so a fitted threshold is reported on topics it never saw.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

from ..errors import BadInput
from ..figures.parse import UNIT_CLASS, parse_figures, unit_in, units_of
from ..ingest import lang as langid
from ..ingest.currency import currency_of
from .dataset import BriefingCheck

LANGS = ("en", "zh", "ko")


def topic_of(title: str) -> str:
    return re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", title.replace("_", " ")).strip()


def split_of(title: str) -> str:
    return "fit" if hashlib.sha256(title.encode()).digest()[0] % 2 == 0 else "held-out"


def derive_checks(root: Path, split: str = "") -> list[BriefingCheck]:
    """One check per title with at least one key figure; `split` keeps only "fit" or "held-out"."""
    qa = Path(root) / "qa.jsonl"
    try:
        rows = [json.loads(line) for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as e:
        raise BadInput(f"{qa}: cannot read the set for briefing checks ({e})") from e
    doc_dir = Path(root) / "docs"
    # A title's docs are all its paragraphs (a doc's first line is its article's title), not only
    # those its questions cite.
    texts = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in sorted(doc_dir.glob("*.txt"))}
    titled: dict[str, list[str]] = {}
    for name, text in texts.items():
        titled.setdefault(text.split("\n", 1)[0].strip(), []).append(name)
    cited: dict[str, set[str]] = {}
    for r in rows:
        if r.get("doc") and r.get("title"):
            cited.setdefault(r["title"], set()).add(r["doc"])
    checks: list[BriefingCheck] = []
    n = 0
    for title in sorted(cited):
        firsts = {texts[d].split("\n", 1)[0].strip() for d in cited[title] if d in texts}
        docs = sorted({d for t in firsts for d in titled.get(t, [])} | cited[title])
        found = {d: _figures_as_indexed(texts.get(d, "")) for d in docs}
        figures: dict[tuple[str, str], dict] = {}
        for r in rows:
            if r.get("title") != title or r.get("type") != "numeric":
                continue
            for m in (m for a in r["answers"][:1] for m in parse_figures(a) if m.unit and not m.is_bare):
                # A gold's 원 is yuan or won, as its document has it.
                keys = [(Decimal(m.value), UNIT_CLASS.get(u, "")) for u in units_of(m)]
                doc, key = next(((d, k) for d in docs for k in keys if k in found[d]), ("", keys[0]))
                if doc:  # as the doc writes it: the gold's 5개 may be the doc's 5개 사업 (projects)
                    unit = found[doc][key]
                    figures.setdefault((str(m.value), unit), {"value": str(m.value), "unit": unit, "doc": doc})
        if not figures:
            continue
        n += 1
        if not split or split_of(title) == split:
            checks.append(BriefingCheck(f"x-{n:02d}", topic_of(title), LANGS[(n - 1) % len(LANGS)],
                                        list(figures.values()), docs))
    return checks


def _figures_as_indexed(text: str) -> dict[tuple[Decimal, str], str]:
    """A document's figures, (value, unit class) -> unit, as the indexer reads them: a South Korean
    article's 원 is won (ingest/currency.py)."""
    currency = currency_of(text, langid.detect(text))
    out = {}
    for m in parse_figures(text):
        if m.unit:
            unit = unit_in(m.unit, m.text, currency)
            out[(Decimal(m.value), UNIT_CLASS.get(unit, ""))] = unit
    return out
