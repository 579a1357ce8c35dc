"""`rag figures`: list, filter and print the figures index."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from ..text import glossary
from ..text.bridge import AliasTable
from ..types import Article, Figure
from .context import joined
from .render import english_amount

_STOP = {"the", "of", "in", "and", "a", "an", "to", "for", "how", "many", "much", "what", "is", "are", "by", "on"}


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"[\s,，、]+", query.strip().lower()) if t and t not in _STOP]


def _haystack(f: Figure, articles: dict[str, Article]) -> str:
    sentence = joined(articles[f.doc].text[f.sentence_start:f.sentence_end]) if f.doc in articles else ""
    title = articles[f.doc].title if f.doc in articles else ""  # an uploaded article is found by its title too
    return " ".join([sentence, f.text, f.unit, f.period, f.doc, title, " ".join(f.scope)]).lower()


def filter_figures(figures: list[Figure], articles: dict[str, Article], query: str = "", doc: str = "",
                   aliases: AliasTable | None = None) -> list[Figure]:
    """Figures whose sentence, measure, scope or unit match every query term (names in any script)."""
    aliases = aliases or AliasTable.load()
    # A glossary term of several words ("government service") is one term, matched in any script.
    pattern, name_of = glossary.term_pattern()
    forms = glossary.forms_by_term()
    terms = [forms[name_of[m.group(0).lower()]] for m in pattern.finditer(query) if " " in m.group(0)]
    query = pattern.sub(lambda m: " " if " " in m.group(0) else m.group(0), query)
    terms += [[t, *(a.lower() for a in aliases.expansions(t))] for t in _terms(query)]
    out = []
    for f in figures:
        if doc and not f.doc.startswith(doc):
            continue
        hay = _haystack(f, articles)
        if all(any(alt in hay for alt in alts) for alts in terms):
            out.append(f)
    return out


def rows(figures: list[Figure], articles: dict[str, Article]) -> list[dict]:
    out = []
    for f in figures:
        text = articles[f.doc].text if f.doc in articles else ""
        sentence = " ".join(text[f.sentence_start:f.sentence_end].split())
        a = max(f.sentence_start, f.start - 14)
        context = ("…" if a > f.sentence_start else "") + " ".join(text[a:min(f.sentence_end, f.end + 24)].split())
        out.append({
            "value": f.text, "normalised": english_amount(Decimal(f.value), f.unit), "unit": f.unit,
            "qualifier": f.qualifier, "period": f.period or (f"as of {f.as_of}" if f.as_of else ""),
            "measure": f.measure, "scope": f.scope, "doc": f.doc, "date": f.date, "language": f.language,
            "passage_id": f.passage_id, "start": f.start, "end": f.end, "sentence": sentence, "context": context,
        })
    return out


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _fit(s: str, n: int) -> str:
    out, w = "", 0
    for ch in s:
        cw = _width(ch)
        if w + cw > n:
            return out[:-1] + "…" if out else "…"
        out, w = out + ch, w + cw
    return out + " " * (n - w)


def format_table(table: list[dict], sentence_width: int = 48) -> str:
    cols = [("value", 14), ("normalised", 26), ("period", 18), ("doc", 8), ("date", 10), ("context", sentence_width)]
    lines = ["  ".join(_fit(name, w) for name, w in cols)]
    lines.append("  ".join("-" * w for _, w in cols))
    for r in table:
        cells = {**r, "doc": r["doc"].split("_")[0], "value": ("~" if r["qualifier"] else "") + r["value"]}
        lines.append("  ".join(_fit(str(cells[name]), w) for name, w in cols).rstrip())
    return "\n".join(lines)
