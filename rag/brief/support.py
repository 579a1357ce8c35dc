"""NoteSupport: does a model-written note say what its passage says, beyond sharing its figures?

The figure and name checks catch a wrong number or an invented place; a note that keeps the
passage's figure but pins it on another claim passes them. The note is embedded as a query (e5,
any language) and compared with each sentence of its passage: the best cosine is its support. A
note below `support_min` (fitted on dev notes against their own passage and another article's,
`eval/fit.py --note-support`) is not trusted, and the briefer writes the note from the figures
index instead. It is a similarity, not an entailment model: a note contradicting its passage in
the passage's own words can still score high.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..embed import Embedder
from ..sentences_dense import SentenceSimilarity


@dataclass
class Support:
    score: float  # the best cosine of the note to one of the sentences
    sentence: int  # that sentence's position, -1 when there were none
    supported: bool


class NoteSupport:
    def __init__(self, embedder: Embedder, support_min: float, similarity: SentenceSimilarity | None = None):
        if not -1 <= support_min <= 1:
            raise ValueError(f"support_min is a cosine, in [-1, 1], not {support_min}")
        self.embedder = embedder
        self.support_min = support_min
        self.similarity = similarity or SentenceSimilarity(embedder)

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def run(self, note: str, sentences: list[str]) -> Support:
        if not sentences or not note.strip():
            return Support(0.0, -1, False)
        scores = self.similarity.run(self.embedder.embed_query(note), sentences).scores
        best = max(range(len(scores)), key=scores.__getitem__)
        return Support(scores[best], best, scores[best] >= self.support_min)
