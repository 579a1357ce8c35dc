"""The seed index with real e5 vectors, copied into PostgreSQL: retrieval there gives the local
store's top 5 for every eval question."""
import pytest

from rag.config import PROJECT_ROOT, Config
from rag.embed import make_embedder
from rag.errors import RagError
from rag.evaluation.dataset import load_items
from rag.index.pgserver import LocalPostgres
from rag.index.postgres import PostgresStore
from rag.index.store import IndexStore
from rag.pipeline import Pipeline
from tests.integration.test_real_model import requires_models

pytestmark = pytest.mark.integration


class _Memo:
    """One e5 encoding per question, shared by both stores."""

    def __init__(self, inner):
        self.inner, self.memo = inner, {}
        self.id, self.dim = inner.id, inner.dim

    def warm_up(self):
        self.inner.warm_up()

    def embed_query(self, q):
        if q not in self.memo:
            self.memo[q] = self.inner.embed_query(q)
        return self.memo[q]


@requires_models
def test_seed_questions_retrieve_the_same_passages_from_postgres(tmp_path):
    config = Config.from_env()
    pg = LocalPostgres(tmp_path / "pg")
    try:
        pg.start()
    except (RagError, OSError) as e:
        pytest.skip(f"the embedded PostgreSQL server cannot start here: {e}")
    try:
        store = PostgresStore(pg.url())
        with store.lock():
            store.write(IndexStore(config.index_dir).load())
        emb = _Memo(make_embedder(config))
        local = Pipeline(config, emb).warm_up(llm=False).retriever
        remote = Pipeline(config.replace(store=pg.url()), emb).warm_up(llm=False).retriever
        assert local is not None and remote is not None
        questions = [i.question for i in load_items(PROJECT_ROOT / "eval" / "questions.jsonl")]
        differ = [q for q in questions
                  if [h.passage.id for h in local.search(q).hits] != [h.passage.id for h in remote.search(q).hits]]
        assert len(questions) > 90 and differ == []
    finally:
        pg.delete()
