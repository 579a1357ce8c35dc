"""RSS and Atom feeds (feedparser): each item becomes an article.

An item's text is its linked page when the user gave the feed as a URL (fetched and extracted like
any page), else its content or summary. Its date is the item's own."""
from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import BadInput
from .html import fragment_text


@dataclass
class FeedItem:
    index: int  # 1-based position in the feed
    title: str
    link: str
    date: str  # ISO, "" when the item has none
    author: str
    text: str  # content or summary, as plain text
    outlet: str  # the feed's title


def looks_like_feed(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def parse_feed(data: bytes, name: str) -> list[FeedItem]:
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            raise BadInput(f"{name}: not an RSS or Atom feed ({parsed.get('bozo_exception', 'unreadable')})")
        raise BadInput(f"{name}: the feed has no items")
    outlet = (parsed.feed.get("title") or "").strip()
    items = []
    for k, e in enumerate(parsed.entries, 1):
        body = ""
        if e.get("content"):
            body = max((c.get("value", "") for c in e.content), key=len)
        body = body or e.get("summary", "") or e.get("description", "")
        stamp = e.get("published_parsed") or e.get("updated_parsed")
        items.append(FeedItem(k, (e.get("title") or "").strip(), (e.get("link") or "").strip(),
                              time.strftime("%Y-%m-%d", stamp) if stamp else "", (e.get("author") or "").strip(),
                              fragment_text(body), outlet))
    return items
