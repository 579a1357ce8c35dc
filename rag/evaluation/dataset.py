"""The eval set: questions with gold figures, evidence quotes and source documents."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadInput

TYPES = {"single", "multi", "entity", "conflict", "unanswerable"}
SPLITS = {"dev", "test"}


@dataclass
class Gold:
    value: str  # normalised decimal string
    unit: str


@dataclass
class Item:
    id: str
    question: str
    lang: str  # the question's language
    type: str
    gold: list[Gold] = field(default_factory=list)
    accept: list[str] = field(default_factory=list)  # entity answers: any of these strings
    date: str = ""  # entity answers that are a date (ISO)
    docs: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # exact quotes from the docs
    answer_lang: str = ""
    note: str = ""
    split: str = ""  # "dev" (may be tuned on) or "test" (frozen: run and reported, never tuned on)
    scoring: str = "figures"  # "figures": gold values; "span": gold strings (external sets)
    source: str = ""  # the dataset an external item comes from

    @property
    def expected_lang(self) -> str:
        return self.answer_lang or self.lang

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass
class EvalSet:
    """Questions and the folder of articles they are about; indexed apart from the user's index."""
    name: str
    docs_dir: Path
    questions: Path
    items: list[Item]
    digest: str = ""  # sha256 over the docs' names and bytes: the eval index is reused while it holds


@dataclass
class BriefingCheck:
    id: str
    topic: str
    lang: str
    figures: list[dict]  # {value, unit, doc}: the topic's key figures, which must appear
    docs: list[str] = field(default_factory=list)  # the topic's articles (default: its figures'); others are off topic


def load_items(path: Path) -> list[Item]:
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read the eval set ({e})") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            d["gold"] = [Gold(**g) for g in d.get("gold", [])]
            item = Item(**d)
        except (ValueError, TypeError) as e:
            raise BadInput(f"{path}:{n}: not a valid eval item ({e})") from e
        if item.type not in TYPES:
            raise BadInput(f"{path}:{n}: unknown type {item.type!r}")
        if item.split and item.split not in SPLITS:
            raise BadInput(f"{path}:{n}: unknown split {item.split!r}")
        items.append(item)
    return items


def load_briefings(path: Path) -> list[BriefingCheck]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read the briefing checks ({e})") from e
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(BriefingCheck(**json.loads(line)))
            except (ValueError, TypeError) as e:
                raise BadInput(f"{path}:{n}: not a valid briefing check ({e})") from e
    return out
