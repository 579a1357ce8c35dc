"""The records that flow between stages. Plain dataclasses, JSON-friendly through to_dict()."""
from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field


@dataclass
class Article:
    """One ingested file: decoded text plus metadata. Offsets everywhere index into `text`."""

    doc: str  # file name, the citation handle
    text: str  # the whole decoded file, unmodified
    sha256: str  # of the decoded text
    language: str
    title: str
    title_inferred: bool
    date: str  # ISO date, "" when unknown
    date_inferred: bool
    outlet: str
    encoding: str
    source_path: str = ""
    # Kept body paragraphs as (start, end) offsets, after chrome and duplicate removal.
    spans: list[tuple[int, int]] = field(default_factory=list)
    author: str = ""
    # Where the date came from: "metadata" (the page's markup), "labelled" (a 发布时间/발표시간 line or a
    # timestamp line), "feed" (the item's date), "pdf" (the file's metadata), "inferred", or "".
    date_source: str = ""
    url: str = ""  # where a fetched article came from
    page_starts: list[int] = field(default_factory=list)  # PDF: offset in `text` where each page starts
    currency: str = ""  # what a bare 원 means here: "yuan" (Chinese-Korean press) or "won"; see ingest/currency.py

    def page_at(self, offset: int) -> int:
        """The 1-based PDF page holding `offset`; 0 for articles without pages."""
        return bisect.bisect_right(self.page_starts, offset) if self.page_starts else 0

    def meta(self) -> dict:
        d = asdict(self)
        d.pop("text")
        d["spans"] = [list(s) for s in self.spans]
        return d


@dataclass
class Passage:
    id: str  # "<doc>#<ordinal>-<hash8>": stable while the text is unchanged
    doc: str
    ordinal: int
    start: int
    end: int
    text: str  # display text: the source slice with line breaks inside sentences removed
    language: str
    title: str
    date: str
    hash: str
    # Sentences as (start, end) offsets into the article text.
    sentences: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sentences"] = [list(s) for s in self.sentences]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Passage:
        d = dict(d)
        d["sentences"] = [tuple(s) for s in d.get("sentences", [])]
        return cls(**d)


@dataclass
class Hit:
    passage: Passage
    score: float
    ranks: dict[str, int] = field(default_factory=dict)  # rank per retriever, 1-based


@dataclass
class Citation:
    marker: int
    doc: str
    title: str
    date: str
    passage_id: str
    start: int
    end: int
    quote: str
    page: int = 0  # the PDF page the quote starts on; 0 when the source has no pages


@dataclass
class Timings:
    retrieve_s: float = 0.0
    prefill_s: float = 0.0
    generate_s: float = 0.0
    total_s: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    def add(self, gen) -> None:
        """Count one generation (an llm.base.Generation): the drafts of one answer add up."""
        self.prefill_s += gen.prefill_s
        self.generate_s += gen.generate_s
        self.prompt_tokens += gen.prompt_tokens
        self.completion_tokens += gen.completion_tokens
        self.cached_tokens += gen.cached_tokens


@dataclass
class Answer:
    question: str
    answer: str
    language: str
    abstained: bool
    citations: list[Citation]
    timings: Timings
    model: str
    retrieved: list[Hit] = field(default_factory=list)
    figures: list[FigureCheck] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    dates: list[DateCheck] = field(default_factory=list)
    # "low" when a figure or date could not be verified or no cited sentence is about the question
    confidence: str = "high"
    refocused: bool = False  # answered again from the one sentence whose figure fits the question best
    relevance: float | None = None  # best e5 cosine of the question to a cited sentence
    relevant: bool = True  # that cosine reached relevance_min (or there was none to check)
    abstain_reason: str = ""  # which check made it abstain (rag.answering.guard.REASONS)
    translated_from: str = ""  # drafted in its passages' language and translated (rag/answering/answerer.py)
    question_translation: str = ""  # the question as the model put it into its passages' language

    def to_dict(self) -> dict:
        t = self.timings
        return {
            "question": self.question,
            "answer": self.answer,
            "language": self.language,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "timings": {
                "retrieve_s": round(t.retrieve_s, 4),
                "prefill_s": round(t.prefill_s, 3),
                "generate_s": round(t.generate_s, 3),
                "total_s": round(t.total_s, 3),
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
                "cached_tokens": t.cached_tokens,
            },
            "model": self.model,
            "figures": [asdict(f) for f in self.figures],
            "dates": [asdict(d) for d in self.dates],
            "conflicts": [asdict(c) for c in self.conflicts],
            "confidence": self.confidence,
            "relevance": None if self.relevance is None else round(self.relevance, 4),
            "refocused": self.refocused,
            "abstain_reason": self.abstain_reason,
            "translated_from": self.translated_from,
            "question_translation": self.question_translation,
        }


@dataclass
class Figure:
    """A figure found in a source passage, with what it measures and when. Offsets index the article."""

    id: str  # "<doc>@<start>"
    text: str  # as written: 4901亿元, 49억 6000만원
    value: str  # normalised decimal string: "490100000000"
    unit: str  # canonical English unit ("yuan", "people", "%"), "" when none
    qualifier: str  # nearly | over | about | ""
    period: str  # "by end-2022", "2019", "" when the text gives none
    as_of: str  # ISO date the figure describes (the article date when the text gives none)
    measure: str  # the words naming what it measures, as the source writes them (总签约额); "" when none
    scope: list[str]  # places the figure is about, canonical English names
    scope_explicit: bool  # named in the figure's own clause (ordered) vs inherited from the article
    flags: list[str]  # per_year | cumulative | expected
    doc: str
    passage_id: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    date: str  # the article's date
    language: str

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Figure:
        return cls(**d)


@dataclass
class FigureCheck:
    """One figure in an answer, checked against the passages it cites."""

    text: str
    value: str
    unit: str
    supported: bool
    passage_id: str = ""  # the passage whose figure supports it
    source_text: str = ""  # that figure as the source writes it
    repaired_from: str = ""  # what the model wrote, when the figure was rewritten from the source
    note: str = ""  # why it is unsupported, or what was repaired


@dataclass
class DateCheck:
    """One date in an answer, checked against the passages it cites (rag/figures/date_check.py)."""

    text: str  # as the answer wrote it
    key: str  # 1756-05: the answer's precision
    supported: bool
    repaired: str = ""  # the source's date written in its place, "" when left as it was


@dataclass
class ConflictValue:
    figure_id: str
    value: str
    text: str
    unit: str
    as_of: str
    period: str
    doc: str
    passage_id: str
    date: str
    language: str


@dataclass
class Conflict:
    """Sources give different values for the same measure; `newest` is the doc with the latest as-of date."""

    measure: str
    label: str
    scope: list[str]
    values: list[ConflictValue]
    newest: str  # passage id of the newest value
