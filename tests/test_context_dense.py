"""Choosing the prompt's sentences by dense similarity: SentenceSimilarity and select_context."""
import numpy as np
import pytest

from rag.answering.context import select_context
from rag.embed import FakeEmbedder
from rag.sentences_dense import SentenceScores, SentenceSimilarity
from rag.types import Article, Hit, Passage

SENTENCES = ["The river was named in 1850.", "Its bridge opened in 1901.", "The harbour froze every winter."]


def _article_and_hit() -> tuple[dict[str, Article], Hit]:
    text, offsets, at = "", [], 0
    for s in SENTENCES:
        offsets.append((at, at + len(s)))
        text += s + " "
        at = len(text)
    art = Article("a.txt", text, "sha", "en", "A", False, "", False, "", "utf-8")
    p = Passage("a.txt#0-x", "a.txt", 0, 0, len(text), text, "en", "A", "", "x", offsets)
    return {"a.txt": art}, Hit(p, 1.0, {})


def test_relative_scores_run_from_the_median_to_the_best():
    assert SentenceScores([0.80, 0.82, 0.90]).relative() == pytest.approx([0.0, 0.0, 1.0])


def test_equal_scores_add_nothing():
    assert SentenceScores([0.5, 0.5]).relative() == [0.0, 0.0]


def test_each_sentence_is_embedded_once_per_process():
    emb = FakeEmbedder()
    sim = SentenceSimilarity(emb)
    q = emb.embed_query("bridge opened")
    first = sim.run(q, SENTENCES)
    calls = emb.calls
    second = sim.run(q, SENTENCES)
    assert emb.calls == calls == len(SENTENCES)
    assert first.scores == second.scores


def test_the_sentence_most_like_the_question_scores_highest():
    emb = FakeEmbedder()
    scores = SentenceSimilarity(emb).run(emb.embed_query("when did its bridge open"), SENTENCES).scores
    assert int(np.argmax(scores)) == 1


def test_a_question_sharing_no_word_gets_its_dense_best_sentence_within_the_budget():
    articles, hit = _article_and_hit()
    third = (hit.passage.sentences[2][0], hit.passage.sentences[2][1])
    dense = {("a.txt", *third): 1.0}
    budget = 12  # one sentence
    without = select_context([hit], articles, ["冰"], budget)
    with_dense = select_context([hit], articles, ["冰"], budget, dense=dense, dense_weight=4.0)
    assert third not in without[0].sentences
    assert with_dense[0].sentences == [third]


def test_a_zero_weight_ignores_the_dense_scores():
    articles, hit = _article_and_hit()
    third = hit.passage.sentences[2]
    plain = select_context([hit], articles, ["冰"], 12)
    weighted_off = select_context([hit], articles, ["冰"], 12, dense={("a.txt", *third): 1.0}, dense_weight=0.0)
    assert [b.sentences for b in plain] == [b.sentences for b in weighted_off]


def _hits(n: int) -> tuple[dict[str, Article], list[Hit]]:
    articles, hits = {}, []
    for k in range(n):
        text = SENTENCES[k]
        doc = f"d{k}.txt"
        articles[doc] = Article(doc, text, "sha", "en", doc, False, "", False, "", "utf-8")
        hits.append(Hit(Passage(f"{doc}#0", doc, 0, 0, len(text), text, "en", doc, "", "x", [(0, len(text))]),
                        1.0, {}))
    return articles, hits


def test_a_passage_unlike_the_question_is_left_out():
    articles, hits = _hits(3)
    dense = {("d0.txt", 0, len(SENTENCES[0])): 1.0, ("d1.txt", 0, len(SENTENCES[1])): 0.7,
             ("d2.txt", 0, len(SENTENCES[2])): 0.1}
    shown = select_context(hits, articles, [], 100, dense=dense, dense_weight=4.0, passage_min=0.5)
    assert [b.hit.passage.doc for b in shown] == ["d0.txt", "d1.txt"]
    every = select_context(hits, articles, [], 100, dense=dense, dense_weight=4.0, passage_min=0.0)
    assert len(every) == 3


def test_the_best_ranked_passage_and_a_fitting_figure_stay_however_unlike():
    articles, hits = _hits(3)
    dense = {("d0.txt", 0, len(SENTENCES[0])): 0.0, ("d1.txt", 0, len(SENTENCES[1])): 0.0,
             ("d2.txt", 0, len(SENTENCES[2])): 1.0}
    fit = {("d1.txt", 0, len(SENTENCES[1])): 0.8}
    shown = select_context(hits, articles, [], 100, fit=fit, dense=dense, dense_weight=4.0, passage_min=0.5)
    assert sorted(b.hit.passage.doc for b in shown) == ["d0.txt", "d1.txt", "d2.txt"]
    no_fit = select_context(hits, articles, [], 100, dense=dense, dense_weight=4.0, passage_min=0.5)
    assert sorted(b.hit.passage.doc for b in no_fit) == ["d0.txt", "d2.txt"]


def test_a_cache_bound_below_one_is_refused():
    with pytest.raises(ValueError):
        SentenceSimilarity(FakeEmbedder(), max_cached=0)
