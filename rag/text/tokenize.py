"""BM25 tokens for mixed Chinese, Korean and English text.

Han and Hangul runs become character bigrams (no word segmenter needed, robust to Korean particles),
Latin words are lower-cased, numbers stay whole (4901, 289.36). With `bridge`, Han runs also yield
the bigrams of their Sino-Korean reading, so 长春 and 장춘 share tokens.
"""
from __future__ import annotations

import re

from . import bridge as br

_TOKEN = re.compile(
    r"(?P<han>[\u4e00-\u9fff\u3400-\u4dbf]+)|(?P<hangul>[\uac00-\ud7a3]+)|(?P<num>\d+(?:[.,]\d+)*)|(?P<latin>[A-Za-z]+)"
)
# English words that carry no retrieval signal.
_STOP = set(
    "a an and are as at be by did do does for from had has have how in is it its many much of on or "
    "than that the their there this to was were what when where which who whom why will with".split()
)


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


SCRIPT_OF = {"zh": "han", "ko": "hangul"}  # the script a language's words are written in


def script_tokens(text: str, script: str) -> list[str]:
    """The bigrams (as `tokens` makes them) of the text's runs in one script only: "han" or "hangul"."""
    return [t for m in _TOKEN.finditer(text) if m.lastgroup == script for t in tokens(m.group(), bridge=False)]


def tokens(text: str, bridge: bool = True) -> list[str]:
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        run = m.group()
        if kind == "han":
            out.extend(_bigrams(run))
            if bridge:
                r = br.reading(run)
                if r:
                    out.extend(_bigrams(br.fold_initial(r[0]) + r[1:]))
        elif kind == "hangul":
            out.extend(_bigrams(br.fold_initial(run[0]) + run[1:]))
        elif kind == "num":
            out.append(run.replace(",", ""))
        else:
            w = run.lower()
            if w not in _STOP and len(w) > 1:
                out.append(w)
    return out
