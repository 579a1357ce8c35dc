"""Turn file bytes into text: a BOM, the page's own declaration, UTF-8, then the legacy CJK encodings
picked by plausibility, then the best guess of charset-normalizer (windows-125x, ISO-8859-x, …)."""
from __future__ import annotations

import codecs
import re

from ..errors import BadInput

MAX_BYTES = 8 * 1024 * 1024  # a news article is far smaller; a 50 MB "article" is a mistake

BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]
# Legacy encodings in this corpus' world, in the order ties are broken.
LEGACY = ["gb18030", "euc-kr", "big5"]
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_COMMON_HAN = set("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
                  "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从"
                  "业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又"
                  "么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位"
                  "入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
                  "决西被干做必战先回则任取据处理")
_COMMON_HANGUL = set("이다는의에가을를고한하서로지기도으있것수사대시자정국일인적과리해부상전주보그나장성중동계아제원어"
                     "면만되회구여화소게내설관문경오연라공발들비신위모선업협력개방무역투자산강년월명억"
                     "개천까지에서했으며였다하였다또는와및등을통해현재전체관련지역기업발전건설추진")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# <meta charset=…>, <meta http-equiv … content="…; charset=…">, <?xml … encoding="…"?>
_DECLARED = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)"""
                       rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
# What browsers do with these labels (WHATWG Encoding): the superset codec decodes what pages really hold.
_LABELS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252", "latin1": "cp1252",
           "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "ks_c_5601-1987": "cp949", "euc-kr": "cp949",
           "big5": "big5hkscs", "x-sjis": "shift_jis", "utf8": "utf-8", "unicode": "utf-16"}


def declared_encoding(data: bytes) -> str:
    """The codec a page or feed names for itself in its first 4 KB, or "" (unknown names are ignored)."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return ""
    return _codec((m.group(1) or m.group(2)).decode("ascii", "ignore"))


def _codec(label: str) -> str:
    label = label.strip().lower()
    label = _LABELS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def decode(data: bytes, name: str = "file", header_charset: str = "") -> tuple[str, str]:
    """Return (text, encoding). Raises BadInput for empty, binary or undecodable input.

    Order as browsers do it: a byte-order mark, the HTTP header's charset, the page's own declaration."""
    if len(data) > MAX_BYTES:
        raise BadInput(f"{name}: {len(data) / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB limit")
    if not data.strip():
        raise BadInput(f"{name}: file is empty")
    for bom, enc in BOMS:
        if data.startswith(bom):
            return _checked(data.decode(enc), enc, name)
    if b"\x00" in data[:4096]:
        # NULs without a BOM: UTF-16 without BOM is rare; binary is common.
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausibility(text) > 0.9:
                return _checked(text, enc, name)
        raise BadInput(f"{name}: looks like a binary file, not text")
    header = _codec(header_charset)
    if header and header != "utf-8":
        try:
            return _checked(data.decode(header), header, name)
        except UnicodeDecodeError:
            pass
    # Bytes that are valid UTF-8 are UTF-8, whatever a stale <meta charset=iso-8859-1> says.
    try:
        return _checked(data.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(data)
    if declared and not declared.startswith("utf"):
        try:
            return _checked(data.decode(declared), declared, name)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common enough: go by the bytes themselves
    best = None
    for enc in LEGACY:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, enc)
    if best is not None and best[0] >= 0.6:
        return _checked(best[1], best[2], name)
    guess = _guess(data)
    if guess is None:
        raise BadInput(f"{name}: not valid UTF-8, GB18030, EUC-KR, Big5 or another known encoding (binary?)")
    return _checked(*guess, name)


def _guess(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best reading, for the single-byte encodings of the rest of the world."""
    from charset_normalizer import from_bytes

    match = from_bytes(data[:200_000]).best()
    if match is None or match.encoding is None:
        return None
    try:
        return data.decode(match.encoding), match.encoding
    except (UnicodeDecodeError, LookupError):
        return None


def _plausibility(text: str) -> float:
    """Share of characters that look like real prose; common Han characters weigh in for GB vs EUC-KR."""
    if not text:
        return 0.0
    good = 0.0
    for ch in text:
        o = ord(ch)
        if ch.isspace() or 0x20 <= o < 0x7F:
            good += 1
        elif 0xAC00 <= o <= 0xD7A3:
            good += 1.2 if ch in _COMMON_HANGUL else 0.5
        elif ch in _COMMON_HAN:
            good += 1.2
        elif 0x4E00 <= o <= 0x9FFF:
            good += 0.6
        elif 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x206F:
            good += 1
    hangul = sum(1 for ch in text if 0xAC00 <= ord(ch) <= 0xD7A3)
    han = sum(1 for ch in text if 0x4E00 <= ord(ch) <= 0x9FFF)
    if min(hangul, han) > 0.2 * (hangul + han):
        good *= 0.5  # a Hangul/Han mix is what a wrong legacy decoding produces
    return good / len(text)


def _checked(text: str, enc: str, name: str) -> tuple[str, str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(_CONTROL.findall(text[:20000])) > 8:
        raise BadInput(f"{name}: contains control bytes: binary, not text")
    if not text.strip():
        raise BadInput(f"{name}: file has no text")
    return text, enc
