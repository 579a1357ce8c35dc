"""Ingest: file -> Article (decoded text, language, metadata, body spans)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import BadInput
from ..types import Article
from . import clean, lang, metadata
from .decode import MAX_BYTES, decode

SUFFIXES = {".txt", ".md", ".html", ".htm"}


def html_to_text(raw: str) -> str:
    """Visible text of an HTML page, one block per line; scripts and styles dropped."""
    from html.parser import HTMLParser

    class _P(HTMLParser):
        BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "title", "section", "article"}

        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "noscript"):
                self.skip += 1
            elif tag in self.BLOCK:
                self.out.append("\n")

        def handle_endtag(self, tag):
            if tag in ("script", "style", "noscript"):
                self.skip = max(0, self.skip - 1)
            elif tag in self.BLOCK:
                self.out.append("\n")

        def handle_data(self, data):
            if not self.skip:
                self.out.append(data)

    p = _P()
    p.feed(raw)
    lines = (ln.strip() for ln in "".join(p.out).split("\n"))
    return "\n\n".join(ln for ln in lines if ln)


def parse_text(text: str, doc: str, encoding: str = "utf-8", source_path: str = "") -> Article:
    spans = clean.body_spans(text)
    if not spans:
        raise BadInput(f"{doc}: no article text found")
    body = "\n".join(text[s:e] for s, e in spans)
    language = lang.detect(body)
    pub = metadata.publication_date(text)
    inferred = ""
    if not pub:
        inferred = metadata.inferred_date(body)
    title, title_inferred = metadata.title(text, spans)
    return Article(
        doc=doc,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        language=language,
        title=title,
        title_inferred=title_inferred,
        date=pub or inferred,
        date_inferred=not pub and bool(inferred),
        outlet=metadata.outlet(text),
        encoding=encoding,
        source_path=source_path,
        spans=spans,
    )


def read_article(path: Path) -> Article:
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise BadInput(f"{path.name}: unsupported file type {path.suffix or '(none)'}; use .txt, .md or .html")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refuse before reading 50 MB into memory
            raise BadInput(f"{path.name}: {size / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB limit")
        data = path.read_bytes()
    except OSError as e:
        raise BadInput(f"{path}: cannot read ({e.strerror})") from e
    text, encoding = decode(data, path.name)
    if path.suffix.lower() in {".html", ".htm"}:
        text = html_to_text(text)
    return parse_text(text, path.name, encoding, str(path))
