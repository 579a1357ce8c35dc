"""Context recall: whether the evidence of a question reaches the sentences shown to the model."""
from rag.config import Config
from rag.embed import FakeEmbedder
from rag.evaluation.dataset import Item
from rag.evaluation.recall import context_recall
from rag.indexer import Indexer
from rag.llm.fake import FakeLLM
from rag.pipeline import Pipeline

DOC = ("Harbour report\n\nThe old harbour of Norrvik opened in 1850 with four piers. "
       "Its lighthouse was rebuilt in 1911 after a storm. Fishing boats still land herring there every autumn.\n")
OTHER = ("Mill report\n\nThe paper mill of Osterby employs 240 workers. "
         "It was founded by two brothers and sells cardboard to printers.\n")


def _answerer(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(DOC, encoding="utf-8")
    (corpus / "mill.txt").write_text(OTHER, encoding="utf-8")
    config = Config(home=tmp_path, corpus_dir=corpus, embed_backend="fake", llm_backend="fake")
    emb = FakeEmbedder()
    Indexer(config, emb).run([corpus])
    pipe = Pipeline(config, embedder=emb, llm=FakeLLM()).warm_up(llm=False)
    assert pipe.answerer is not None
    return pipe.answerer


def _item(q: str, evidence: str, doc: str, kind: str = "text") -> Item:
    return Item(id=q[:10], question=q, lang="en", type=kind, accept=[evidence], docs=[doc], evidence=[evidence],
                scoring="span")


def test_evidence_in_a_shown_sentence_counts(tmp_path):
    summary = context_recall(_answerer(tmp_path), [_item("When was the lighthouse of Norrvik rebuilt?", "1911",
                                                         "harbour.txt")])
    assert summary.rows[0].in_context and summary.rows[0].in_top
    assert summary.rate() == 1.0


def test_evidence_in_a_doc_that_is_not_the_gold_does_not_count(tmp_path):
    summary = context_recall(_answerer(tmp_path), [_item("How many workers does the mill employ?", "240",
                                                         "harbour.txt")])
    assert not summary.rows[0].in_context


def test_unanswerable_items_are_left_out(tmp_path):
    item = Item(id="u", question="Who owns the airport?", lang="en", type="unanswerable", scoring="span")
    assert context_recall(_answerer(tmp_path), [item]).rows == []


def test_a_multi_part_item_needs_every_piece_of_evidence(tmp_path):
    item = _item("When did the harbour open and how many workers has the mill?", "1850", "harbour.txt", "multi")
    item.evidence.append("never written anywhere")
    assert not context_recall(_answerer(tmp_path), [item]).rows[0].in_context
