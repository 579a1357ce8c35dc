"""Web pages: the article's text and metadata by trafilatura (dates by htmldate, which it calls).

Hand-written stripping kept menus, teasers and share buttons (145 of 198 boilerplate strings on real
pages, against trafilatura's 24), so extraction is trafilatura's; the project's own cleaning runs on
its output only as a thin layer (by-lines, photo credits, repeated paragraphs). The extracted text is
not a substring of the HTML, so it becomes the article's text of record and citations quote into it.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# "Headline - Site", "Headline | Site", "Headline_百度百科": a title that ends in the site's name.
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " » ", "_", " :: ", " · ")


# htmldate's "extensive" pass hands free text to dateparser, which compiles its locales on every call
# (5.4 of 9.9 s over html-dev's 62 pages, for 2 pages): run it only for a page the markup gives no date.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


@dataclass
class Extracted:
    text: str
    title: str = ""
    date: str = ""  # ISO date from the page's own metadata or markup
    author: str = ""
    outlet: str = ""
    url: str = ""
    description: str = ""


def strip_site_name(title: str, site: str) -> str:
    """Drop a trailing (or leading) site name that the <title> carries beside the headline."""
    t = title.strip()
    s = (site or "").strip()
    if not s:
        return t
    for sep in _TITLE_SEPARATORS:
        head, found, tail = t.rpartition(sep)
        if found and head.strip() and _same_site(tail, s):
            return head.strip()
        tail, found, rest = t.partition(sep)
        if found and rest.strip() and _same_site(tail, s):
            return rest.strip()
    return t


def _segments(title: str) -> list[str]:
    parts = [title]
    for sep in _TITLE_SEPARATORS:
        parts = [q for p in parts for q in p.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def _weak(title: str, site: str, page_title: str) -> bool:
    """A title that is the site's name or a CMS's word, not the headline: empty, the site name, the
    short half of a "Site » Headline" <title>, or one word the <title> does not hold."""
    if not title.strip() or _same_site(title, site):
        return True
    segs = _segments(page_title)
    if len(segs) > 1 and title.strip() in segs and max(map(len, segs)) > len(title.strip()):
        return True
    return " " not in title.strip() and bool(page_title) and title.strip().lower() not in page_title.lower()


def better_title(page: str, title: str, site: str) -> str:
    """trafilatura's title, unless it is weak; then og:title, twitter:title, the <title>'s headline, h1."""
    import lxml.html

    m = _TITLE_TAG.search(page)
    page_title = " ".join(html.unescape(m.group(1)).split()) if m else ""
    if not _weak(title, site, page_title):
        return title  # the common case: no second parse of the page
    try:
        root = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return title
    found = [" ".join(str(x).split()) for x in root.xpath("//meta[@property='og:title']/@content")
             + root.xpath("//meta[@name='twitter:title']/@content")]
    segs = _segments(page_title)
    if len(segs) > 1:
        found.append(max((x for x in segs if x != title.strip()), key=len))
    found += [" ".join(h.text_content().split()) for h in root.xpath("//h1")[:1]]
    return next((c for c in found if c and not _weak(c, site, page_title)), title)


def _same_site(part: str, site: str) -> bool:
    a, b = re.sub(r"\W", "", part.lower()), re.sub(r"\W", "", site.lower())
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def extract_html(page: str, url: str = "") -> Extracted:
    """The article body (paragraphs on their own lines) and the page's metadata; empty text if none."""
    from trafilatura import bare_extraction

    doc = bare_extraction(page, url=url or None, with_metadata=True, include_comments=True,
                          include_tables=True, deduplicate=False, date_extraction_params=_DATE_PARAMS)
    if doc is None:
        return Extracted("")
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (d.get("text") or "").strip()
    comments = (d.get("comments") or "").strip()
    if comments:
        text = f"{text}\n{comments}"
    text = unicodedata.normalize("NFC", text)  # decomposed Bengali or Latin from some CMSs
    site = d.get("sitename") or ""
    title = better_title(page, strip_site_name(d.get("title") or "", site), site)
    date = d.get("date") or ""
    if not date:
        from htmldate import find_date

        date = find_date(page, extensive_search=True, original_date=True, outputformat="%Y-%m-%d") or ""
    return Extracted(text=text, title=title, date=date, author=d.get("author") or "",
                     outlet=site or d.get("hostname") or "", url=d.get("url") or url,
                     description=d.get("description") or "")


def fragment_text(fragment: str) -> str:
    """Text of a small HTML fragment (a feed item's summary), one block per line."""
    import lxml.html

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "tr"):
        el.tail = "\n" + (el.tail or "")
    lines = (ln.strip() for ln in root.text_content().split("\n"))
    return "\n".join(ln for ln in lines if ln)
