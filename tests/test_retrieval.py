"""HybridRetriever's dense ranking for questions in none of the corpus languages."""
import numpy as np
import pytest

from rag.index.store import StoredIndex
from rag.retrieval import HybridRetriever
from rag.types import Passage

QUERY = np.array([1.0, 0.0], dtype=np.float32)


class _Fixed:
    """Every query embeds to QUERY: the passages' vectors alone set their cosines."""

    def embed_query(self, text: str) -> np.ndarray:
        return QUERY


def _index(cosines: dict[str, tuple[str, float]]) -> StoredIndex:
    passages, rows = [], []
    for n, (pid, (lang, cos)) in enumerate(cosines.items()):
        passages.append(Passage(pid, f"{pid}.txt", 0, 0, 1, "x", lang, "", "", f"h{n}", [(0, 1)]))
        rows.append([cos, np.sqrt(1 - cos * cos)])
    return StoredIndex({}, passages, np.asarray(rows, dtype=np.float32), {})


@pytest.fixture
def leaning_corpus() -> StoredIndex:
    # e5 leans to the Korean passages (all ~0.80, none standing out); one Chinese passage stands
    # well above the other Chinese ones, though below every Korean one in raw cosine.
    return _index({"ko1": ("ko", 0.81), "ko2": ("ko", 0.80), "ko3": ("ko", 0.80), "ko4": ("ko", 0.79),
                   "zh1": ("zh", 0.78), "zh2": ("zh", 0.70), "zh3": ("zh", 0.69), "zh4": ("zh", 0.68)})


def _ranked(index: StoredIndex, question: str) -> list[str]:
    retriever = HybridRetriever(index, _Fixed(), mode="dense", top_k=4, candidates=4, language_quota=0)
    return [h.passage.id for h in retriever.search(question).hits]


def test_a_question_in_no_corpus_language_ranks_by_cosine_above_its_language_median(leaning_corpus):
    assert _ranked(leaning_corpus, "Who founded the company?")[0] == "zh1"


def test_a_question_in_a_corpus_language_keeps_one_ranking_per_language(leaning_corpus):
    # The best of each language ties at rank 1; raw cosine breaks the tie.
    assert _ranked(leaning_corpus, "谁创立了这家公司？")[:2] == ["ko1", "zh1"]


def test_a_one_language_corpus_ranks_by_raw_cosine():
    index = _index({"zh1": ("zh", 0.9), "zh2": ("zh", 0.5), "zh3": ("zh", 0.7)})
    assert _ranked(index, "Who founded the company?") == ["zh1", "zh3", "zh2"]


def test_a_translation_joins_the_fusion_with_its_own_keyword_ranking():
    from rag.embed import FakeEmbedder

    texts = {"port": "诺尔维克港货物吞吐量为五万吨。", "ferry": "渡轮每天往返六次。", "park": "城市公园面积很大。"}
    passages = [Passage(pid, f"{pid}.txt", 0, 0, len(t), t, "zh", "", "", f"h{n}", [(0, len(t))])
                for n, (pid, t) in enumerate(texts.items())]
    emb = FakeEmbedder()
    index = StoredIndex({}, passages, np.asarray(emb.embed_passages(list(texts.values())), dtype=np.float32), {})
    retriever = HybridRetriever(index, emb, mode="bm25", top_k=1, language_quota=0)
    question = "How much cargo does the port handle?"
    assert not retriever.search(question).hits
    hit, = retriever.search(question, also=["港口货物吞吐量是多少？"]).hits
    assert hit.passage.id == "port" and "bm25~1" in hit.ranks
