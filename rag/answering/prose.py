"""How answers are written: their sentences, citation markers, echoed questions and language."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from .. import figures
from ..figures.parse import parse_figures
from ..figures.verify import SENTENCE_END
from ..ingest import lang as langid

NOT_FOUND = "NOT_FOUND"
# Sentence ends in an answer; a '.' only before a space or the end, so 289.36 stays whole.
_ANSWER_SENT = re.compile(r"(?<=[。！？!?])\s*|(?<=\.)(?:\s+|$)")
MARKER = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)(?=\s)")
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MARKER.pattern})+")
PLAIN_MARKER = re.compile(r"\[\d+\]")  # as the answer is rendered, after renumbering
CLAUSE_END = re.compile(r"[，；;]|,(?!\d)")  # not the comma of 3,600
MIN_CLAUSES_CHARS = 12
CLOSED = re.compile(r"[.。!?！？]\s*$")  # a sentence that ends as one, not cut off


def split_sentences(text: str) -> list[str]:
    return [p for p in _ANSWER_SENT.split(text) if p.strip()]


def first_sentence(text: str, cut: bool) -> str:
    """The reply's first sentence. When generation hit the token limit (`cut`) inside it, the
    sentence up to its last finished clause, closed (a run-on Chinese sentence listing every
    detail stops mid-clause, perhaps mid-number: 600,0); nothing if no clause finished."""
    parts = split_sentences(text.split("\n")[0])
    if not parts:
        return ""
    first = parts[0].strip()
    if cut and len(parts) == 1 and not CLOSED.search(first):
        ends = [m.start() for m in CLAUSE_END.finditer(first)]
        if not ends or ends[-1] < MIN_CLAUSES_CHARS:
            return ""
        head = first[:ends[-1]].rstrip()
        return head + ("。" if re.search(r"[\u4e00-\u9fff]$", head) else ".")
    return first


def cited_sentences(text: str) -> list[str]:
    """Sentences, each with the markers written after its end ("… 4901亿元。[2] Next …"): a run of
    markers opening a sentence belongs to the one before it."""
    out: list[str] = []
    for sentence in split_sentences(text):
        lead = re.match(r"(?:\s*\[\d+\])+\s*", sentence) if out else None
        if lead:
            out[-1] = out[-1].rstrip() + " " + lead.group(0).strip()
            sentence = sentence[lead.end():]
        if sentence.strip():
            out.append(sentence.strip())
    return out


def claims(text: str, marker: str) -> list[str]:
    """Sentences carrying `marker`; a marker standing after a sentence's end belongs to that sentence."""
    out, prev = [], ""
    for sentence in split_sentences(text):
        if marker in sentence:
            bare = MARKER.sub("", sentence).strip()
            out.append(sentence if bare else prev)
        prev = sentence
    return [c for c in out if c]


_KO_PAST = "었았였했겠됐갔왔졌"  # a stem ending in a past or future marker takes 다 directly
_KO_QUESTION = re.compile(r"(?P<stem>[\uac00-\ud7a3]*?)(?P<end>입니까|습니까|니까|인가요|인가|는가|나)"
                          r"(?P<stop>\s*[?？.]?\s*)$")
_ZH_QUESTION = re.compile(r"(?P<body>.*?[\d\u4e00-\u9fff%％])吗?\s*[?？]\s*$", re.S)


def _with_n(syllable: str) -> str:
    """A Hangul syllable with ㄴ as its final consonant, when it has none (지 -> 진)."""
    o = ord(syllable) - 0xAC00
    return chr(ord(syllable) + 4) if 0 <= o < 11172 and o % 28 == 0 else ""


def declarative(sentence: str) -> str:
    """A Korean or Chinese sentence that asks what it states ("…4명인가?", "…12 마디인가.",
    "…有4个出入口吗？") as a statement ("…4명이다.", "…有4个出入口。"); other sentences as they are.
    Korean in the plain style the answers use: 인가 -> 이다, 했는가 -> 했다, 지는가 -> 진다,
    먹는가 -> 먹는다, 입니까 -> 입니다."""
    body = sentence.rstrip()
    m = _KO_QUESTION.search(body)
    if m and m.group("stem") + m.group("end") and re.search(r"[\uac00-\ud7a3]$", body.rstrip("?？. ")):
        stem, end = m.group("stem"), m.group("end")
        if end in ("입니까", "습니까") or (end == "니까" and stem and (ord(stem[-1]) - 0xAC00) % 28 == 17):
            said = stem + end[:-1] + "다"  # 합니까 -> 합니다 (ㅂ before 니까); not 이니까, "because"
        elif end == "니까":
            return sentence
        elif end == "인가요":
            said = stem + "입니다"
        elif end == "인가":
            said = stem + "이다"
        elif not stem:
            return sentence
        elif end == "나" and stem[-1] not in _KO_PAST:
            return sentence  # 나 ends statements too ("…나"): only a past "했나" surely asks
        elif stem[-1] in _KO_PAST or stem.endswith(("있", "없")) or end == "나":
            said = stem + "다"
        else:
            n = _with_n(stem[-1])
            said = (stem[:-1] + n + "다") if n else (stem + "는다")
        return body[:m.start()] + said + "."
    z = _ZH_QUESTION.match(body)
    if z and langid.detect(body) == "zh" and not re.search(r"[什哪谁几怎多]", z.group("body")[-8:]):
        return z.group("body") + "。"
    return sentence


def drop_echoed_questions(text: str) -> str:
    """The answer without sentences that end as a question (the small model sometimes restates the
    question, "…인가? [1]", after answering it). A question holding a number the rest does not is
    kept, made a statement where the language allows (`declarative`), as is everything when
    nothing else would be left."""
    sentences: list[list[str]] = []  # [body, markers that follow it]
    for piece in _SENTENCE_END.split(text):
        lead = _LEADING_MARKERS.match(piece)
        if lead and sentences:
            sentences[-1][1] += lead.group(0)
            piece = piece[lead.end():]
        sentences.append([piece, ""])

    def question(body: str) -> bool:
        return body.rstrip().endswith(("?", "？")) or declarative(body) != body

    def spaced(said: str, body: str) -> str:  # the whitespace the sentence had after it
        return said + body[len(body.rstrip()):]

    rest = "".join(b for b, _ in sentences if not question(b))
    kept = [(b if not question(b) else spaced(declarative(b), b)) + m for b, m in sentences
            if not question(b) or figures.numbers(b) - figures.numbers(rest)]
    out = "".join(kept).strip()
    return out if re.search(r"\w", MARKER.sub("", out)) else text


_REFERENCES = Path(__file__).resolve().parents[1] / "data" / "source_references.tsv"
_ONE_MARKER = r"[\[【]\s*\d+\s*[\]】]"


@cache
def _references() -> tuple[re.Pattern, re.Pattern]:
    """The lead phrases and whole sentences of rag/data/source_references.tsv, one pattern each."""
    kinds: dict[str, list[str]] = {"lead": [], "sentence": []}
    for line in _REFERENCES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, pattern = line.split("\t", 1)
            kinds[kind].append(pattern.strip().replace("{marker}", _ONE_MARKER))
    return (re.compile("(?:" + "|".join(kinds["lead"]) + ")", re.I),
            re.compile(r"\s*(?:" + "|".join(kinds["sentence"]) + ")", re.I))


_OPENS = re.compile(r"(?:^|[。！？!?]|\.\s)\s*(?:\[\d+\]\s*)*$")  # what precedes a sentence's start


def drop_source_references(text: str) -> str:
    """The answer without "According to passage [1]," or "이는 passage [1]에서 확인할 수 있습니다.":
    the fact stays, with the phrase's markers after its sentence when it had none of its own."""
    lead, whole = _references()
    # A sentence only pointing at a passage becomes its markers, after the sentence before it.
    out = whole.sub(lambda m: " " + "".join(PLAIN_MARKER.findall(m.group())), text)
    pos = 0
    while (m := lead.search(out, pos)) is not None:
        pos = m.start() + 1
        if not _OPENS.search(out[:m.start()]):
            continue  # mid-sentence: not a lead
        end = SENTENCE_END.search(out, m.end())
        stop = end.end() if end else len(out)
        body = out[m.end():stop]
        after = re.match(r"\s*(?:\[\d+\]\s*)*", out[stop:])
        have = body + (after.group() if after else "")
        markers = "".join(x for x in PLAIN_MARKER.findall(m.group()) if x not in have)
        if not re.search(r"\w", MARKER.sub("", body)):
            continue  # nothing would be left of the sentence
        body = body[:1].upper() + body[1:]
        out = out[:m.start()] + body + (f" {markers}" if markers else "") + out[stop:]
    out = re.sub(r"[ \t]{2,}", " ", out).strip()
    return out if re.search(r"\w", MARKER.sub("", out)) else text


def restates(answer: str, question: str) -> bool:
    """Whether the answer is only the question again (markers, spaces and punctuation aside)."""
    def bare(t: str) -> str:
        return re.sub(r"[\W_]+", "", MARKER.sub("", t)).lower()

    return bool(bare(question)) and bare(answer) == bare(question)


def answer_language(text: str) -> str:
    """The language of the answer's own words: citations, figures and quoted names removed."""
    bare = PLAIN_MARKER.sub(" ", text)
    bare = re.sub(r"\([^)]*\)|（[^）]*）|《[^》]*》|“[^”]*”", " ", bare)
    out, pos = [], 0
    for m in parse_figures(bare):  # "407명" or "4901亿元" quoted inside an English sentence
        out.append(bare[pos:m.start])
        pos = m.end
    out.append(bare[pos:])
    return langid.detect(" ".join(out))


def other_language(text: str, lang: str) -> bool:
    """Whether the answer's own words (its first paragraph, before any conflict note; citations,
    brackets and figures quote the sources) are in a supported language other than `lang`."""
    found = answer_language(text.split("\n\n", 1)[0])
    return found in langid.SUPPORTED and found != lang
