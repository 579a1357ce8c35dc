"""Ingest: a file, a feed or a URL -> Articles (decoded text, language, metadata, body spans).

Plain text keeps the file's own characters as the text of record; a web page, a PDF or a feed item
keeps the extracted text (the only text citations can quote exactly)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..config import Config
from ..errors import BadInput
from ..types import Article
from . import clean, lang, metadata
from .currency import currency_of
from .decode import MAX_BYTES, decode
from .feed import FeedItem, looks_like_feed, parse_feed
from .fetch import doc_name, fetch, is_url
from .html import Extracted, extract_html
from .pdf import read_pdf

TEXT, HTML, FEED, PDF = "text", "html", "feed", "pdf"
KINDS = {".txt": TEXT, ".md": TEXT, ".html": HTML, ".htm": HTML, ".xml": FEED, ".rss": FEED, ".atom": FEED,
         ".pdf": PDF}
SUFFIXES = set(KINDS)
_CONTENT_TYPES = {"text/html": HTML, "application/xhtml+xml": HTML, "application/rss+xml": FEED,
                  "application/atom+xml": FEED, "application/rdf+xml": FEED, "application/pdf": PDF,
                  "text/plain": TEXT, "text/markdown": TEXT}
_CJK = re.compile(r"[\u4e00-\u9fff\uac00-\ud7a3\u3040-\u30ff]")


def parse_text(text: str, doc: str, encoding: str = "utf-8", source_path: str = "", *, title: str = "",
               date: str = "", date_source: str = "", author: str = "", outlet: str = "", url: str = "",
               extracted: bool = False) -> Article:
    """An Article over `text`; metadata a page or feed already gave wins over what the text suggests.
    `extracted`: the text is an extractor's output (a page, a PDF), not a saved file's own lines."""
    spans = clean.body_spans(text, min_letters=0 if extracted else 2)
    if not spans:
        raise BadInput(f"{doc}: no article text found")
    body = "\n".join(text[s:e] for s, e in spans)
    if not date:
        date = metadata.publication_date(text)
        date_source = "labelled" if date else ""
    if not date:
        date = metadata.inferred_date(body)
        date_source = "inferred" if date else ""
    title_inferred = False
    if not title:
        title, title_inferred = metadata.title(text, spans)
    language = lang.detect(body)
    return Article(
        doc=doc, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), language=language,
        title=title, title_inferred=title_inferred, date=date, date_inferred=date_source == "inferred",
        outlet=outlet or metadata.outlet(text), encoding=encoding, source_path=source_path, spans=spans,
        author=author, date_source=date_source, url=url, currency=currency_of(text, language, url))


def _weighted_letters(s: str) -> int:
    return len(clean.LETTER.findall(s)) + 2 * len(_CJK.findall(s))  # a CJK character counts three


def _with_title(title: str, body: str) -> str:
    """The text of record of an extracted page: the headline on its first line, then the body."""
    return body if not title or body.startswith(title) else f"{title}\n\n{body}"


def article_from_page(page: Extracted, doc: str, encoding: str, source_path: str, config: Config) -> Article:
    if not page.text:
        raise BadInput(f"{doc}: no article body found (a home page, an index or an error page?)")
    art = parse_text(_with_title(page.title, page.text), doc, encoding, source_path, title=page.title,
                     date=page.date, date_source="metadata" if page.date else "", author=page.author,
                     outlet=page.outlet, url=page.url, extracted=True)
    paragraphs = [art.text[s:e] for s, e in art.spans]
    if (max(map(_weighted_letters, paragraphs), default=0) < config.page_min_paragraph
            or sum(map(_weighted_letters, paragraphs)) < config.page_min_text):
        raise BadInput(f"{doc}: no article body found (a home page, an index or an error page?)")
    return art


def _html_article(data: bytes, doc: str, source_path: str, config: Config, url: str = "",
                  charset: str = "") -> Article:
    text, encoding = decode(data, doc, charset)
    return article_from_page(extract_html(text, url), doc, encoding, source_path, config)


def _item_article(item: FeedItem, feed_doc: str, source_path: str, config: Config, fetch_links: bool) -> Article:
    doc = f"{feed_doc}~{item.index:03d}"
    if fetch_links and is_url(item.link):
        try:
            got = fetch(item.link, config.fetch_timeout_s, config.fetch_max_bytes, config.offline)
            art = _html_article(got.data, doc, item.link, config, got.url, got.charset)
        except BadInput:
            art = None  # one unreachable or empty page: the item's own summary stands in, the feed goes on
        if art is not None:
            art.date, art.date_source = (art.date, art.date_source) if art.date_source == "metadata" else (
                item.date or art.date, "feed" if item.date else art.date_source)
            art.outlet = art.outlet or item.outlet
            return art
    if not item.text and not item.title:
        raise BadInput(f"{doc}: the feed item has neither text nor title")
    return parse_text(_with_title(item.title, item.text), doc, "utf-8", source_path, title=item.title,
                      date=item.date, date_source="feed" if item.date else "", author=item.author,
                      outlet=item.outlet, url=item.link)


def _from_bytes(data: bytes, kind: str, doc: str, source_path: str, config: Config, url: str = "",
                charset: str = "") -> list[Article]:
    if kind == PDF:
        pdf = read_pdf(data, doc)
        art = parse_text(pdf.text, doc, "pdf", source_path, title=pdf.title, author=pdf.author, url=url)
        if art.date_source != "labelled" and pdf.date:
            art.date, art.date_source, art.date_inferred = pdf.date, "pdf", False
        art.page_starts = pdf.page_starts
        return [art]
    if kind == FEED or (kind == HTML and looks_like_feed(data)):
        items = parse_feed(data, doc)
        return [_item_article(it, doc, source_path, config, fetch_links=bool(url)) for it in items]
    if kind == HTML:
        return [_html_article(data, doc, source_path, config, url, charset)]
    text, encoding = decode(data, doc, charset)
    return [parse_text(text, doc, encoding, source_path, url=url)]


def _sniff(data: bytes, content_type: str) -> str:
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return PDF
    if looks_like_feed(data):
        return FEED
    kind = _CONTENT_TYPES.get(content_type)
    if kind:
        return kind
    return HTML if b"<html" in head or b"<!doctype html" in head else TEXT


def read_sources(source: Path | str, config: Config | None = None) -> list[Article]:
    """Every article in a file (a feed holds several) or at a URL the user gave."""
    config = config or Config()
    arts = _read(source, config)
    if config.currency:  # the user's word for this source beats the evidence
        for a in arts:
            a.currency = config.currency
    return arts


def _read(source: Path | str, config: Config) -> list[Article]:
    if is_url(source):
        got = fetch(str(source), config.fetch_timeout_s, config.fetch_max_bytes, config.offline)
        kind = _sniff(got.data, got.content_type)
        suffix = {PDF: ".pdf", FEED: ".xml", HTML: ".html"}.get(kind, ".txt")
        return _from_bytes(got.data, kind, doc_name(got.url, suffix), got.url, config, got.url, got.charset)
    path = Path(source)
    found = KINDS.get(path.suffix.lower())
    if found is None:
        raise BadInput(f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
                       f"use {', '.join(sorted(SUFFIXES))} or a URL")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refuse before reading 50 MB into memory
            raise BadInput(f"{path.name}: {size / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB limit")
        data = path.read_bytes()
    except OSError as e:
        raise BadInput(f"{path}: cannot read ({e.strerror})") from e
    if not data.strip():
        raise BadInput(f"{path.name}: file is empty")
    return _from_bytes(data, found, path.name, str(path), config)


def read_article(path: Path, config: Config | None = None) -> Article:
    """The one article in a file (a page, a text, a PDF); a feed's first item."""
    return read_sources(Path(path), config)[0]
