"""Which way a figure goes between two places: 407 cadres from Heilongjiang to Guangdong, 30 back.

The seeds tell exchanges in both directions in one sentence ("흑룡강성은 도합 407명의 간부를 광동에
파견하여 … 광동에서도 30명의 간부를 우리 성에 파견하여"), and both figures share every word a
question about either direction uses. The particles and prepositions around the places say which
is which: Korean 은/는/이/가/에서 mark the giver and 에/에게/을 위해 the receiver; Chinese 向/到/赴/为
mark the receiver, 从/由 the giver, and an unmarked place before the figure is its subject;
English has from/to/for and "did X send". 我省/우리 성 stand for the article's home province.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .context import place_matches, provinces, within

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# The article's own province, unnamed.
_HOME = re.compile(r"我省|本省|우리\s?성(?=[은는이가에을를의과와도]|[^가-힣]|$)")
# Both ways at once: no direction.
_MUTUAL = re.compile(r"两省|两市|双方|互[派送换访]|相互|서로|상호|두\s?(?:성|도시)|"
                     r"each other|the other\b|mutual|both", re.I)
# "사평과 장춘은", "长春与四平": two places joined as one giver.
_KO_JOINT = re.compile(r"(?:성|시)?[과와](?![가-힣])|\s?및")
_JOINT = re.compile(r"^\s?(?:与|和|及|、|and\b|&)", re.I)
_KO_SOURCE = re.compile(r"(?:성|시)?(?:에서는|에서도|에서|으로부터|로부터|은|는|이|가)(?![가-힣])")
_KO_TARGET = re.compile(r"(?:성|시)?(?:에게|에(?!서)|으로(?!부터)|로(?!부터)|[을를]\s?위(?:해|하여|한))")
_ZH_TARGET = re.compile(r"(?:向|到|赴|为|给|至|往|入)\s?$")
_ZH_SOURCE = re.compile(r"(?:从|由|自)\s?$")
_ZH_WHERE = re.compile(r"(?:在|于)\s?$")  # 在哈尔滨签约: where, not who
_EN_SOURCE_BEFORE = re.compile(r"\b(?:from|did|does|do|has|have|had)\s+(?:the\s+)?$", re.I)
_EN_TARGET_BEFORE = re.compile(r"\b(?:to|for|into|towards)\s+(?:the\s+)?$", re.I)
_EN_SOURCE_AFTER = re.compile(r"^(?:'s)?\s+(?:sent|send|sends|dispatched|shipped|sold|trained|seconded|"
                              r"cadres|officials|grain|companies|firms|enterprises)\b", re.I)


@dataclass(frozen=True)
class Direction:
    source: str = ""
    target: str = ""
    mutual: bool = False  # 两省互派, 서로: both ways at once

    def __bool__(self) -> bool:
        return bool(self.source or self.target)


@dataclass(frozen=True)
class _Mention:
    name: str
    start: int
    end: int


def mentions(text: str, home: str = "") -> list[_Mention]:
    """Place names (and 我省 as `home`) with their positions; of overlapping forms the longest."""
    # A pair's compound (中俄, 京津) stands for both places at once: it gives no direction.
    matches = place_matches(text)
    found = [_Mention(m.names[0], m.start, m.end) for m in matches if len(m.names) == 1]
    if home:
        found += [_Mention(home, m.start(), m.end()) for m in _HOME.finditer(text)]
    pairs = [(m.start, m.end) for m in matches if len(m.names) > 1]
    found = sorted((m for m in found if not any(s < m.end and m.start < e for s, e in pairs)),
                   key=lambda m: (m.start, -(m.end - m.start)))
    out: list[_Mention] = []
    for m in found:
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


def _role(text: str, m: _Mention) -> str:
    """'source', 'target', 'where', 'joint' (사평과 …, 长春与 …) or '' for one mention, from the
    words right around it."""
    before, after = text[max(0, m.start - 12):m.start], text[m.end:m.end + 12]
    if _HANGUL.search(text[m.start:m.end]):
        if _KO_JOINT.match(after):
            return "joint"
        if _KO_TARGET.match(after):
            return "target"
        if _KO_SOURCE.match(after):
            return "source"
        return ""
    if _JOINT.match(after):
        return "joint"
    if _ZH_TARGET.search(before) or _EN_TARGET_BEFORE.search(before):
        return "target"
    if _ZH_SOURCE.search(before) or _EN_SOURCE_BEFORE.search(before) or _EN_SOURCE_AFTER.match(after):
        return "source"
    if _ZH_WHERE.search(before):
        return "where"
    return ""


def _same(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or within().get(a) == b or within().get(b) == a)


def question_direction(question: str) -> Direction:
    """Giver and receiver a question names, when it names both; else none."""
    if _MUTUAL.search(question):
        return Direction()
    source = target = ""
    for m in mentions(question):
        role = _role(question, m)
        if role == "source" and not source:
            source = m.name
        elif role == "target" and not target:
            target = m.name
        elif role == "" and not source and _HAN.search(question[m.start:m.end]):
            source = m.name  # 广东向黑龙江派出: the unmarked subject gives
    if not (source and target) or _same(source, target):
        return Direction()
    return Direction(source, target)


def figure_direction(text: str, start: int, fig_start: int, fig_end: int, end: int, home: str = "") -> Direction:
    """Giver and receiver of the figure at text[fig_start:fig_end], read from its span before it
    (text[start:fig_start]) and the rest of its clause after it (text[fig_end:end])."""
    before, after = text[start:fig_start], text[fig_end:end]
    source = target = ""
    joint = False
    for m in mentions(before, home):
        role = _role(before, m)
        if role == "joint":
            joint = True
            continue
        if role in ("source", "") and joint:
            return Direction(mutual=True)  # 사평과 장춘은…: both give
        if role == "source":
            source, target = m.name, ""
        elif role == "target":
            target = m.name
        elif role == "" and not source and _HAN.search(before[m.start:m.end]):
            source = m.name
    if not source and _MUTUAL.search(before):
        return Direction(mutual=True)
    if not target:
        for m in mentions(after, home):
            role = _role(after, m)
            if role == "target":
                target = m.name
                break
            if role == "source":
                break  # the next exchange's giver: "…했으며 광동에서도 30명…"
    return Direction(source, target)


def home_province(text: str) -> str:
    """The province 我省/우리 성 stands for: of the provinces the article names, the one least often
    beside 我省 in a sentence, for share of its mentions (拉开了我省与广东省…合作: not Guangdong)."""
    counts = Counter(m.name for m in mentions(text) if m.name in provinces())
    if not counts:
        return ""
    beside: Counter = Counter()
    for sentence in re.split(r"[。.!?！？\n]", text):
        if _HOME.search(sentence):
            beside.update({m.name for m in mentions(sentence)})
    return min(counts, key=lambda n: (beside[n] / counts[n], -counts[n]))


def direction_fit(asked: Direction, got: Direction) -> float:
    """+1 when the figure goes the asked way, −1.5 when it goes the other way, −1 when it counts
    both ways together (两省互派341名 for "广东向黑龙江派出多少名"), 0 when unknown."""
    if not asked:
        return 0.0
    if got.mutual:
        return -1.0
    if not got:
        return 0.0
    if _same(got.source, asked.target) or _same(got.target, asked.source):
        return -1.5
    if _same(got.source, asked.source) or _same(got.target, asked.target):
        return 1.0
    return 0.0
