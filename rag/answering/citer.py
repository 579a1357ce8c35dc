"""CitationMapper: the model's markers checked against the blocks it was shown, and, once the text
is final, the citations, each quoting the sentence that best supports what it was cited for."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import figures
from ..citations import CitationList, Span
from ..sentences_dense import SentenceSimilarity
from ..text.tokenize import tokens
from ..types import Article, Citation, Passage
from .context import ContextBlock, block_text
from .prose import (
    MARKER,
    NOT_FOUND,
    claims,
    drop_echoed_questions,
    drop_source_references,
    other_language,
    split_sentences,
)

_MARKER_RUN = re.compile(r"(?:\s*[\[【]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】])+")  # MARKER, one or more


@dataclass
class Marked:
    """An answer whose markers are the blocks' own, renumbered 1..n in order of first use."""

    text: str
    blocks: list[ContextBlock]  # blocks[i] is cited as [i + 1]


class CitationMapper:
    def __init__(self, articles: dict[str, Article], passages: dict[str, Passage],
                 similarity: SentenceSimilarity | None = None, min_cosine: float = 1.0,
                 attribute_min: int = 3, remark_ratio: float = 3.0, quotes: SentenceSimilarity | None = None):
        """An unmarked sentence is cited to the block sharing the most with it, if at least
        `attribute_min` (3 per figure, 1 per word). With `similarity`, one sharing too little with
        every block (an English answer to Chinese passages shares no word) is cited to the block
        holding the sentence most like it, if that e5 cosine reaches `min_cosine`. A marked claim
        whose marked blocks share less than 1/`remark_ratio` of what another shown block shares with
        it (and that one at least `attribute_min`) is cited to that one: the small model numbers a
        Chinese answer copied from passage [3] as [1], a Korean passage sharing none of its words.
        With `quotes`, a claim in another language than its block quotes the block's sentence most
        like it by e5 cosine: by shared words, an English claim quoted an English title line."""
        if attribute_min < 1 or remark_ratio < 1:
            raise ValueError(f"attribute_min and remark_ratio must be at least 1, not {attribute_min}, {remark_ratio}")
        self.articles = articles
        self.passages = passages
        self.similarity = similarity
        self.min_cosine = min_cosine
        self.attribute_min = attribute_min
        self.remark_ratio = remark_ratio
        self.quotes = quotes

    def mark(self, raw: str, blocks: list[ContextBlock]) -> Marked | None:
        """Markers for blocks never shown dropped, the rest renumbered; a marker-less answer is
        attributed by shared figures and words (no blocks: nothing could be cited). None: the model
        found no answer (empty, or NOT_FOUND)."""
        text = raw.strip()
        if not text or NOT_FOUND in text.upper().replace(" ", "_"):
            return None
        text = drop_source_references(drop_echoed_questions(text))
        by_marker = {b.marker: b for b in blocks}
        text = self._remarked(text, blocks)
        order: list[int] = []

        def renumber(m: re.Match) -> str:
            keep = []
            for n in re.split(r"\s*[,，、]\s*", m.group(1)):
                n = int(n)
                if n in by_marker:
                    if n not in order:
                        order.append(n)
                    keep.append(order.index(n) + 1)
            return "".join(f"[{k}]" for k in dict.fromkeys(keep))

        text = MARKER.sub(renumber, text)
        if not order:
            text, order = self.attribute(text, blocks)
        text = re.sub(r"[ \t]+([。.,，])", r"\1", text).strip()
        return Marked(text, [by_marker[m] for m in order])

    def citation_list(self, marked: Marked) -> CitationList:
        """Markers 1..n for the blocks cited; a passage cited later with no sentence named quotes the
        first sentence it was shown with."""
        def shown(p: Passage) -> Span | None:
            return next((b.sentences[0] for b in marked.blocks if b.hit.passage.id == p.id and b.sentences), None)

        cites = CitationList(self.articles, self.passages, shown)
        for b in marked.blocks:
            cites.cite(b.hit.passage.id)
        return cites

    def cite(self, text: str, cites: CitationList, blocks: list[ContextBlock]) -> list[Citation]:
        """The citations for the final `text`: a block the model cited quotes its sentence that best
        supports the claims carrying its marker (the answer's own paragraph, not a conflict note)."""
        answer = text.split("\n\n", 1)[0]
        for marker, (src, block) in enumerate(zip(cites.sources, blocks, strict=False), 1):
            if src.span is None:
                src.span = self.best_sentence(block, " ".join(claims(answer, f"[{marker}]")) or answer)
        return cites.items

    def best_sentence(self, block: ContextBlock, claim: str) -> Span:
        text = self.articles[block.hit.passage.doc].text
        spans = block.sentences or block.hit.passage.sentences
        nums, toks = figures.numbers(claim), set(tokens(claim))
        bare = MARKER.sub("", claim).strip()
        if self.quotes is not None and bare and other_language(bare, block.hit.passage.language):
            cosines = self.quotes.run(self.quotes.embedder.embed_query(bare), [text[s:e] for s, e in spans]).scores
            like = dict(zip(spans, cosines, strict=True))
        else:
            like = {}

        def score(se):
            # The claim's figures first: a headline sharing many words but none of its numbers is no
            # support for them.
            sentence = text[se[0]:se[1]]
            return (len(nums & figures.numbers(sentence)), like.get(se, 0.0), len(toks & set(tokens(sentence))),
                    -se[0])

        return max(spans, key=score)

    def most_like(self, sentence: str, blocks: list[ContextBlock]) -> int | None:
        """The marker of the block holding the shown sentence most like `sentence`, by e5 cosine,
        if it reaches min_cosine; else None."""
        bare = MARKER.sub("", sentence).strip()
        if self.similarity is None or not bare:
            return None
        keys = [(b.marker, s, e) for b in blocks for s, e in b.sentences]
        if not keys:
            return None
        by_marker = {b.marker: b for b in blocks}
        texts = [self.articles[by_marker[m].hit.passage.doc].text[s:e] for m, s, e in keys]
        scores = self.similarity.run(self.similarity.embedder.embed_query(bare), texts).scores
        best = max(range(len(keys)), key=lambda i: scores[i])
        return keys[best][0] if scores[best] >= self.min_cosine else None

    def _shared(self, sentence: str, block: ContextBlock) -> int:
        """What `sentence` shares with `block`: 3 per figure and 1 per word, nothing if its figures
        are elsewhere."""
        nums, toks = figures.numbers(sentence), set(tokens(MARKER.sub(" ", sentence)))
        body = block_text(block, self.articles)
        shared_nums = len(nums & figures.numbers(body))
        return 3 * shared_nums + len(toks & set(tokens(body))) if (shared_nums or not nums) else 0

    def _remarked(self, text: str, blocks: list[ContextBlock]) -> str:
        """`text` with each run of markers replaced by another shown block's marker when that block
        shares far more (`remark_ratio`) with the words the run cites (those since the run before)
        than any block the run names."""
        out, pos = [], 0
        for run in _MARKER_RUN.finditer(text):
            claim = text[pos:run.start()]
            out.append(claim)
            named = {int(n) for n in re.findall(r"\d+", run.group())}
            cited = [b for b in blocks if b.marker in named]
            scores = {b.marker: self._shared(claim, b) for b in blocks}
            best = max(blocks, key=lambda b: scores[b.marker], default=None)
            if (cited and best is not None and scores[best.marker] >= self.attribute_min
                    and self.remark_ratio * max(scores[b.marker] for b in cited) < scores[best.marker]):
                out.append(run.group()[:len(run.group()) - len(run.group().lstrip())] + f"[{best.marker}]")
            else:
                out.append(run.group())
            pos = run.end()
        out.append(text[pos:])
        return "".join(out)

    def attribute(self, text: str, blocks: list[ContextBlock]) -> tuple[str, list[int]]:
        """No usable markers: cite, per answer sentence, the block sharing its figures (or most words)."""
        order: list[int] = []
        out = []
        for sentence in split_sentences(text):
            if not sentence.strip():
                continue
            best, best_score = None, 0
            for b in blocks:
                sc = self._shared(sentence, b)
                if sc > best_score:
                    best, best_score = b.marker, sc
            if best is None or best_score < self.attribute_min:
                best, best_score = self.most_like(sentence, blocks), self.attribute_min
            if best is not None and best_score >= self.attribute_min:
                if best not in order:
                    order.append(best)
                sentence = sentence.rstrip() + f" [{order.index(best) + 1}]"
            out.append(sentence)
        return " ".join(out), order
