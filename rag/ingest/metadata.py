"""Title, publication date and outlet from the page text, with an inferred 'as of' date as fallback."""
from __future__ import annotations

import re
from datetime import date

from .clean import is_chrome

_DATE_LABELLED = re.compile(
    r"(?:发布时间|发布日期|发表时间|발표시간|发稿时间|时间)\s*[:：]?\s*\[?\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})"
)
_DATE_LINE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:\s+\d{2}:\d{2}(?::\d{2})?)?\s*$", re.MULTILINE)
# Dates mentioned in the body, for the inferred 'as of' date.
_YMD = re.compile(r"(\d{4})\s*[年년\-/.]\s*(\d{1,2})\s*[月월\-/.]\s*(\d{1,2})\s*[日일]?")
_YM = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]")
_YEAR_END = re.compile(r"(\d{4})\s*[年년]\s*(?:底|末|말|년말|연말)")
_OUTLET = [
    re.compile(r"(?:来源|出处|출처|원고래원)\s*[:：]\s*\[?\s*([^\s\]\[]{2,20})"),
    re.compile(r"^/\s*(\S{2,12}?)\s*$", re.MULTILINE),
    re.compile(r"□\s*(\S{2,12}?(?:日报|晚报|新闻|报))"),
    re.compile(r"^(\S{2,12}?(?:日报|新闻网|신문))(?:朝文版)?\s*$", re.MULTILINE),
]


def publication_date(text: str) -> str:
    head = text[:3000]
    m = _DATE_LABELLED.search(head) or _DATE_LINE.search(head)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if _valid(y, mo, d):
            return date(y, mo, d).isoformat()
    return ""


def inferred_date(text: str) -> str:
    """The latest date the article itself mentions: the article is at least that recent."""
    found: list[date] = []
    for y, mo, d in _YMD.findall(text):
        if _valid(int(y), int(mo), int(d)):
            found.append(date(int(y), int(mo), int(d)))
    for y, mo in _YM.findall(text):
        if _valid(int(y), int(mo), 1):
            found.append(date(int(y), int(mo), 1))
    for y in _YEAR_END.findall(text):
        if _valid(int(y), 12, 31):
            found.append(date(int(y), 12, 31))
    return max(found).isoformat() if found else ""


def _valid(y: int, mo: int, d: int) -> bool:
    if not (1990 <= y <= 2100):
        return False
    try:
        date(y, mo, d)
        return True
    except ValueError:
        return False


def outlet(text: str) -> str:
    for pattern in _OUTLET:
        m = pattern.search(text)
        if m:
            return m.group(1).strip("[] ")
    return ""


def title(text: str, spans: list[tuple[int, int]]) -> tuple[str, bool]:
    """The first short, non-chrome line before the body starts; else the first sentence, marked inferred."""
    lines = [ln.strip() for ln in text[:1500].split("\n") if ln.strip()]
    for line in lines[:8]:
        if is_chrome(line) or _DATE_LINE.match(line) or line.startswith(("编者按", "—", "-")):
            continue
        if 4 <= len(line) <= 60 and not line.endswith(("。", ".", "다.")):
            return line, False
        break
    if spans:
        first = text[spans[0][0]:spans[0][1]]
        m = re.search(r"^.{4,60}?(?:[。!?！？]|\.(?!\d))", first)  # not the point inside 88.8
        return (m.group(0) if m else first[:60] + "…"), True
    return "", True
