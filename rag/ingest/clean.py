"""Find the body paragraphs of a news page as offsets: drop page chrome and repeated paragraphs.

Nothing is rewritten: the result is a list of (start, end) spans into the original text, so every
passage cut from them can be traced back to the exact characters of the file.
"""
from __future__ import annotations

import re

# Whole lines that are page furniture, not reporting.
CHROME_LINE = [
    r"^当前位置",
    r">>",
    r"^\S{1,12}\s?>\s?\S{1,12}$",  # breadcrumb: 흑룡강신문 > 룡강
    r"^(창닫기|关闭窗口|关闭|打印|返回顶部)$",
    r"国内统一刊号|邮发代号|版权所有|ICP备|公安备|许可证编号|未经允许|未经授权|All rights reserved|Copyright|©",
    r"^(地址|邮箱|电话|主办|承办)[:：]",
    r"@\S+\.(com|cn|net|org)",
    r"^\S+\.(jpe?g|png|gif|webp|bmp)$",  # image file names
    r"(本报资料片|资料图片|图片来源|供图)\s*$",
    r"记者\s*\S+(\s+\S+)?\s*摄\s*$",
    r"^(统筹|策划|撰文|编辑|责任编辑|校对|审核|来源|出处|출처|편역|편집|기자|사진)\s*[:：]?\s*\S{0,20}(\s+\S{1,10}){0,3}$",
    r"^(原稿来源|편집/기자|발표시간|发布时间|发布日期|时间)\s*[:：]",
    r"^□",  # by-line: □黑龙江日报全媒体记者 桑蕾
    r"^/\S{2,12}\s*$",  # "/길림일보" source tag
    r"^\S{2,10}(日报|新闻网|朝文版)$",
    r"^\d{4}-\d{2}-\d{2}(\s+\d{2}:\d{2}(:\d{2})?)?$",  # a lone timestamp (kept as metadata)
    r"^(클릭|点击)[:：]",
]
# Everything after one of these lines is a related-links or footer block.
TAIL_MARKERS = re.compile(r"^(관련\s?기사|관련기사\s*[:：]?|相关新闻|相关阅读|相关链接|延伸阅读)\s*[:：]?$")
_CHROME = [re.compile(p, re.IGNORECASE) for p in CHROME_LINE]
LETTER = re.compile(r"[^\W\d_]")  # a letter of any script: Arabic and Cyrillic lines are text too
_PARA = re.compile(r"[^\n]+")
_END_PUNCT = re.compile(r"[。！？!?.”’\"』」)）]$|다$")


def is_chrome(line: str, min_letters: int = 2) -> bool:
    s = line.strip()
    if len(LETTER.findall(s)) < min_letters:
        return True  # "0", "......", stray numbers
    return is_furniture(s)


def is_furniture(line: str) -> bool:
    """A page-furniture line (发布时间:…, 편집/기자:…, 클릭): chrome by its words, not layout debris
    such as a page number, which may fall inside a sentence that layout broke."""
    s = line.strip()
    return any(p.search(s) for p in _CHROME) and len(s) < 120


def body_spans(text: str, min_letters: int = 2) -> list[tuple[int, int]]:
    """Offsets of kept lines (one span per non-empty line), in order.

    `min_letters`: a line with fewer letters is layout debris in a saved text file; an extractor's
    output (a web page's) has none of that, and a phone number or a score there is content."""
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for m in _PARA.finditer(text):
        line = m.group()
        s = line.strip()
        if not s:
            continue
        if TAIL_MARKERS.match(s):
            break
        if is_chrome(s, min_letters):
            continue
        key = re.sub(r"\s+", "", s)
        # Exact repeats (001 prints a whole section twice); short lines such as captions are allowed to repeat.
        if key in seen and len(key) >= 12:
            continue
        seen.add(key)
        lead = len(line) - len(line.lstrip())
        spans.append((m.start() + lead, m.start() + lead + len(s)))
    return spans


def continues(prev: str, nxt: str) -> bool:
    """A paragraph broken mid-sentence by page layout: '…已派出2546名干' + '部赴广东…'."""
    return bool(prev) and bool(nxt) and not _END_PUNCT.search(prev.rstrip()) and _is_cjk(prev.rstrip()[-1]) \
        and _is_cjk(nxt[0])


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7A3 or ch.isdigit()
