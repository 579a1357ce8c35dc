"""The index in PostgreSQL with pgvector: passages, e5 vectors, keyword postings, figures, articles.

psycopg and pgvector directly, not llama-index's PGVectorStore: that store keeps nodes in its own
table and sessions (one write could not hold the articles, figures and vectors of a version in one
transaction), its keyword side is to_tsvector() over raw text (no words to split in Chinese), and it
pins SQLAlchemy < 2.1.

Versions: every write fills tables of a new generation (rag_g<N>_*) and switches rag_state to it in
the same transaction, so a killed writer leaves the old generation current and a reader, in one
REPEATABLE READ snapshot, sees the old index or the new one, never a mix. Keyword search is the
same Okapi BM25 as the local store (rag/index/bm25.py), with the same float32 weights: a keywords table
holds, per token of the project's own (CJK bigrams, bridge tokens), its passages and their weights
packed as two byte strings. A query reads its tokens' rows by primary key and sums them into one score
per passage: exact, and a few bytes per posting. A row per (term, passage) with btree indexes, read by
Fagin's threshold algorithm, took 3.2 s p50 at 100k synthetic passages (eval/results/bench-store.md);
common bigrams sit in a large share of news passages and no pruning bound holds for them. Dense search
is pgvector's HNSW over inner product (the vectors are normalised).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import IndexCorrupt, IndexMissing, RagError
from ..types import Article, Figure, Passage
from .bm25 import BM25, top_scores
from .search import TIE_MARGIN, by_similarity, scored_by_similarity
from .store import StoredIndex, current_figures

SCHEMA_VERSION = 2
KEEP_GENERATIONS = 2  # the current one and the one before, which readers may still hold
WRITE_LOCK = 7_372_104_955  # pg_advisory_lock key: one writer at a time
EF_SEARCH = 100  # pgvector's HNSW search width unless Config.pg_ef_search says otherwise
BUILD_MEM_MAX_MB = 4096  # the most maintenance_work_mem a write asks for (a 1M-passage e5 index needs ~2.4 GB)


class StoreUnavailable(RagError):
    exit_code = 3


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def _first_line(e: Exception) -> str:
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    fatal = [ln for ln in lines if "FATAL:" in ln]
    return (fatal or lines or [type(e).__name__])[0]


class PostgresStore:
    local = False

    def __init__(self, url: str, ef_search: int = EF_SEARCH):
        if ef_search < 1:
            raise RagError(f"ef_search must be at least 1, not {ef_search}")
        if not url.startswith(("postgresql://", "postgres://")):
            raise RagError(f"{_redact(url)}: a store must be a postgresql://user@host/db URL")
        self.url = url
        self.ef_search = int(ef_search)
        self._writer: Any = None  # the connection holding the write lock, inside lock()

    # ---- connections and schema

    def connect(self, autocommit: bool = False):
        import psycopg

        try:
            conn = psycopg.connect(self.url, connect_timeout=10, autocommit=autocommit)
        except psycopg.Error as e:
            raise StoreUnavailable(f"cannot open PostgreSQL at {_redact(self.url)}: {_first_line(e)}") from e
        return conn

    def _missing(self) -> IndexMissing:
        return IndexMissing(f"no index in {_redact(self.url)}. Build it with `rag index --store URL`.")

    def _version(self, conn) -> int:
        if conn.execute("SELECT to_regclass('rag_schema')").fetchone()[0] is None:
            return 0
        row = conn.execute("SELECT version FROM rag_schema").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self, conn, writing: bool) -> None:
        v = self._version(conn)
        if v > SCHEMA_VERSION:
            raise IndexCorrupt(f"the database schema is version {v}, newer than this newsrag's {SCHEMA_VERSION}: "
                               "upgrade newsrag")
        if v == 0 and not writing:
            raise self._missing()
        if 0 < v < SCHEMA_VERSION and not writing:
            raise IndexCorrupt(f"the database schema is version {v}, older than {SCHEMA_VERSION}: "
                               "run `rag index --store URL` once to migrate it")

    def migrate(self, conn) -> list[int]:
        """Bring the schema forward, each step in its own transaction; returns the versions reached."""
        import psycopg

        done = []
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK + 1,))
                v = self._version(conn)
                self._check_version(conn, writing=True)
                if v < SCHEMA_VERSION and not conn.execute(
                        "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
                    raise StoreUnavailable(f"{_redact(self.url)} has no pgvector extension: install pgvector "
                                           "(https://github.com/pgvector/pgvector) or use a server that ships it")
                for step in range(v, SCHEMA_VERSION):
                    migration = MIGRATIONS[step]
                    if isinstance(migration, str):
                        conn.execute(migration)
                    else:
                        migration(conn)
                    done.append(step + 1)
                if done:
                    conn.execute("CREATE TABLE IF NOT EXISTS rag_schema (version int NOT NULL)")
                    conn.execute("DELETE FROM rag_schema")
                    conn.execute("INSERT INTO rag_schema VALUES (%s)", (SCHEMA_VERSION,))
        except psycopg.Error as e:
            raise StoreUnavailable(f"cannot prepare the schema in {_redact(self.url)}: {_first_line(e)}") from e
        return done

    def _vectors(self, conn) -> None:
        from pgvector.psycopg import register_vector

        register_vector(conn)

    # ---- the IndexStore interface

    @contextmanager
    def lock(self):
        """One writer at a time across every machine sharing the database; readers never wait."""
        conn = self.connect(autocommit=True)
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
            self.migrate(conn)  # a writer brings an older schema forward before it reads the index
            self._writer = conn
            yield
        finally:
            self._writer = None
            conn.close()

    def exists(self) -> bool:
        with self.connect() as conn:
            return self._version(conn) > 0 and self._current(conn) is not None

    def current(self) -> str | None:
        """The current generation's number (None without an index): one indexed row."""
        import psycopg

        try:
            with self.connect() as conn:
                if self._version(conn) == 0:
                    return None
                gen = self._current(conn)
        except psycopg.Error as e:
            raise StoreUnavailable(f"cannot read the index in {_redact(self.url)}: {_first_line(e)}") from e
        return None if gen is None else str(gen)

    def _current(self, conn) -> int | None:
        row = conn.execute("SELECT generation FROM rag_state WHERE id = 1").fetchone()
        return row[0] if row else None

    def load(self, verify: bool = True, vectors: bool = True) -> StoredIndex:
        """The current generation in one snapshot; `vectors=False` leaves them in the database (search
        runs there)."""
        import psycopg

        try:
            return self._load(vectors)
        except psycopg.Error as e:
            raise StoreUnavailable(f"cannot read the index in {_redact(self.url)}: {_first_line(e)}") from e

    def _load(self, vectors: bool) -> StoredIndex:
        import psycopg

        with self.connect() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.transaction():
                self._check_version(conn, writing=False)
                gen = self._current(conn)
                if gen is None:
                    raise self._missing()
                manifest, aliases = conn.execute(
                    "SELECT manifest, aliases FROM rag_generations WHERE generation = %s", (gen,)).fetchone()
                t = _tables(gen)
                articles = {}
                for meta, text in conn.execute(f"SELECT meta, text FROM {t['articles']} ORDER BY doc"):
                    meta["spans"] = [tuple(s) for s in meta["spans"]]
                    articles[meta["doc"]] = Article(**meta, text=text)
                rows = conn.execute(f"SELECT data FROM {t['passages']} ORDER BY idx")
                passages = [Passage.from_dict(d) for (d,) in rows]
                figures = current_figures(manifest, lambda: [Figure.from_dict(d) for (d,) in conn.execute(
                    f"SELECT data FROM {t['figures']} ORDER BY n")], articles, passages)
                if vectors:
                    self._vectors(conn)
                    rows = conn.execute(f"SELECT embedding FROM {t['passages']} ORDER BY idx").fetchall()
                    vecs = (np.stack([_array(r[0]) for r in rows]) if rows
                            else np.zeros((0, int(manifest.get("dim", 0))), np.float32))
                else:
                    vecs = np.zeros((len(passages), 0), np.float32)
        if len(passages) != int(manifest.get("passages", len(passages))):
            raise IndexCorrupt(f"generation {gen} in {_redact(self.url)} holds {len(passages)} passages, "
                               f"its manifest {manifest.get('passages')}. Rebuild it.")
        return StoredIndex(articles, passages, vecs, {**manifest, "generation": gen}, aliases, None, figures)

    def write(self, index: StoredIndex, faiss_writer=None, bm25: BM25 | None = None) -> str:
        """A new generation, made current in the same transaction. Call under lock(). `faiss_writer`
        is the local store's: vectors are indexed here by HNSW. `bm25`: the keyword weights of these
        passages where the caller has them already (the benchmark), else computed here."""
        import psycopg

        from ..text.tokenize import tokens

        conn = self._writer or self.connect()
        try:
            conn.autocommit = False
            if self._writer is None:  # lock() has migrated already
                self.migrate(conn)
            self._vectors(conn)
            bm25 = bm25 or BM25(tokens(p.text, bridge=True) for p in index.passages)
            with conn.transaction():
                if self._writer is None:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                gen = conn.execute("SELECT coalesce(max(generation), 0) + 1 FROM rag_generations").fetchone()[0]
                dim = int(index.vectors.shape[1]) if index.vectors.ndim == 2 and index.vectors.shape[1] else 1
                t = _tables(gen)
                conn.execute(f"CREATE TABLE {t['articles']} (doc text PRIMARY KEY, meta jsonb NOT NULL, "
                             "text text NOT NULL)")
                conn.execute(f"CREATE TABLE {t['passages']} (idx int PRIMARY KEY, id text NOT NULL, "
                             f"language text NOT NULL, embedding vector({dim}) NOT NULL, data jsonb NOT NULL)")
                _create_keywords(conn, t["keywords"])
                conn.execute(f"CREATE TABLE {t['figures']} (n int PRIMARY KEY, data jsonb NOT NULL)")
                with conn.cursor().copy(f"COPY {t['articles']} (doc, meta, text) FROM STDIN") as cp:
                    for a in index.articles.values():
                        cp.write_row((a.doc, json.dumps(a.meta(), ensure_ascii=False), a.text))
                with conn.cursor().copy(f"COPY {t['passages']} (idx, id, language, embedding, data) FROM STDIN") as cp:
                    for i, p in enumerate(index.passages):
                        cp.write_row((i, p.id, p.language, np.asarray(index.vectors[i], dtype=np.float32),
                                      json.dumps(p.to_dict(), ensure_ascii=False)))
                with conn.cursor().copy(f"COPY {t['figures']} (n, data) FROM STDIN") as cp:
                    for n, f in enumerate(index.figures):
                        cp.write_row((n, json.dumps(f.to_dict(), ensure_ascii=False)))
                # The local store's own float32 weights, so both stores rank alike.
                w = bm25.weights.tocsc()
                terms = sorted(bm25.vocab, key=bm25.vocab.__getitem__)
                _copy_keywords(conn, t["keywords"], ((term, w.indices[w.indptr[j]:w.indptr[j + 1]],
                                                      w.data[w.indptr[j]:w.indptr[j + 1]])
                                                     for j, term in enumerate(terms)))
                # HNSW builds in memory where the server allows: it slows sharply once its graph spills.
                conn.execute(f"SET LOCAL maintenance_work_mem = '{_build_mem_mb(len(index.passages), dim)}MB'")
                conn.execute(f"CREATE INDEX ON {t['passages']} USING hnsw (embedding vector_ip_ops)")
                manifest = {**index.manifest, "passages": len(index.passages), "articles": len(index.articles),
                            "dim": dim}
                manifest.pop("generation", None)
                conn.execute("INSERT INTO rag_generations (generation, manifest, aliases, passages) "
                             "VALUES (%s, %s, %s, %s)",
                             (gen, json.dumps(manifest, ensure_ascii=False),
                              json.dumps(index.aliases, ensure_ascii=False), len(index.passages)))
                conn.execute("UPDATE rag_state SET generation = %s WHERE id = 1", (gen,))
            self._prune(conn, gen)
        except psycopg.Error as e:
            raise StoreUnavailable(f"writing the index to {_redact(self.url)} failed, the previous one stays: "
                                   f"{_first_line(e)}") from e
        finally:
            if self._writer is None:
                conn.close()
            else:
                conn.autocommit = True
        index.manifest = {**manifest, "generation": gen}
        return f"{_redact(self.url)} generation {gen}"

    def _prune(self, conn, current: int) -> None:
        with conn.transaction():
            old = [g for (g,) in conn.execute("SELECT generation FROM rag_generations WHERE generation <= %s "
                                              "ORDER BY generation", (current - KEEP_GENERATIONS,))]
            for g in old:
                for name in _tables(g).values():
                    conn.execute(f"DROP TABLE IF EXISTS {name}")
                conn.execute("DELETE FROM rag_generations WHERE generation = %s", (g,))

    def search(self, index: StoredIndex, bridge: bool = True) -> PostgresSearch:
        if not bridge:
            raise RagError("the Postgres store indexes bridge tokens; --no-bridge needs the local store")
        return PostgresSearch(self, index.manifest["generation"])


def _build_mem_mb(passages: int, dim: int) -> int:
    """Room for the HNSW build: each vector and its graph links (m = 16: 32 neighbours of 6 bytes on
    layer 0, plus tuple overhead), a third more for slack; at least pgvector's usual 1 GB and at
    most BUILD_MEM_MAX_MB, so a large index does not take a small server's memory."""
    need = passages * (dim * 4 + 32 * 6 + 100) * 4 // 3 // 2**20
    return int(min(max(need, 1024), BUILD_MEM_MAX_MB))


def _array(v) -> np.ndarray:
    """pgvector's value (a Vector, or an array where the binary loader ran) as float32."""
    return np.asarray(v.to_numpy() if hasattr(v, "to_numpy") else v, dtype=np.float32)


def _tables(gen: int) -> dict[str, str]:
    return {k: f"rag_g{int(gen)}_{k}" for k in ("articles", "passages", "keywords", "figures")}


def pack_passages(idx: np.ndarray) -> bytes:
    """Ascending passage numbers as their gaps in the narrowest unsigned type that holds them, that
    type's width in the first byte: a common bigram's gaps fit one byte."""
    gaps = np.diff(np.asarray(idx, dtype=np.int64), prepend=0)
    top = int(gaps.max()) if len(gaps) else 0
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4
    return bytes([width]) + gaps.astype(f"<u{width}").tobytes()


def unpack_passages(data: bytes) -> np.ndarray:
    return np.cumsum(np.frombuffer(data, f"<u{data[0]}", offset=1), dtype=np.int64)


def _create_keywords(conn, table: str) -> None:
    conn.execute(f"CREATE TABLE {table} (term text PRIMARY KEY, df int NOT NULL, idx bytea NOT NULL, "
                 "w bytea NOT NULL)")
    # Out of line and uncompressed: weights do not compress, and a query reads whole rows.
    conn.execute(f"ALTER TABLE {table} ALTER idx SET STORAGE EXTERNAL, ALTER w SET STORAGE EXTERNAL")


def _copy_keywords(conn, table: str, lists) -> None:
    """(term, ascending passage numbers, their float32 weights) rows into a keywords table."""
    with conn.cursor().copy(f"COPY {table} (term, df, idx, w) FROM STDIN (FORMAT BINARY)") as cp:
        cp.set_types(["text", "int4", "bytea", "bytea"])
        for term, idx, w in lists:
            cp.write_row((term, len(idx), pack_passages(idx), np.asarray(w, dtype="<f4").tobytes()))


def _keywords_from_postings(conn) -> None:
    """Schema 1 -> 2: each generation's postings table (a row per term and passage) and terms table
    become its keywords table, weights unchanged."""
    for (gen,) in conn.execute("SELECT generation FROM rag_generations ORDER BY generation").fetchall():
        old = f"rag_g{int(gen)}_postings"
        if conn.execute("SELECT to_regclass(%s)", (old,)).fetchone()[0] is None:
            continue
        table = _tables(gen)["keywords"]
        _create_keywords(conn, table)
        cur = conn.cursor(name=f"migrate_{int(gen)}", binary=True)
        cur.execute(f"SELECT term, string_agg(int4send(idx), ''::bytea ORDER BY idx), "
                    f"string_agg(float4send(w), ''::bytea ORDER BY idx) FROM {old} GROUP BY term")
        while batch := cur.fetchmany(2000):  # big-endian, as int4send/float4send write them
            _copy_keywords(conn, table, ((term, np.frombuffer(i, ">i4"), np.frombuffer(w, ">f4"))
                                         for term, i, w in batch))
        cur.close()
        conn.execute(f"DROP TABLE {old}, rag_g{int(gen)}_terms")


# Forward migrations: MIGRATIONS[v] brings a schema at version v to v + 1, in one transaction.
MIGRATIONS: list[str | Callable[[Any], None]] = [
    """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE rag_generations (
        generation int PRIMARY KEY, manifest jsonb NOT NULL, aliases jsonb NOT NULL,
        passages int NOT NULL, created timestamptz NOT NULL DEFAULT now());
    CREATE TABLE rag_state (id int PRIMARY KEY CHECK (id = 1), generation int REFERENCES rag_generations);
    INSERT INTO rag_state VALUES (1, NULL);
    """,
    _keywords_from_postings,
]


class PostgresSearch:
    """Keyword and dense rankings of one generation, in the database."""

    def __init__(self, store: PostgresStore, generation: int):
        self.store = store
        self.generation = generation
        self.tables = _tables(generation)
        self._conn: Any = None
        self._ef = store.ef_search
        self._passages = 0

    def _db(self):
        if self._conn is None or self._conn.closed:
            self._conn = self.store.connect(autocommit=True)
            self.store._vectors(self._conn)
            row = self._conn.execute("SELECT passages FROM rag_generations WHERE generation = %s",
                                     (self.generation,)).fetchone()
            if row is None:
                raise IndexMissing(f"index generation {self.generation} was replaced: restart to load the new one")
            self._passages = int(row[0])
            # Enough neighbours for the per-language split; a larger ef_search than needed made the
            # planner prefer a sequential scan at 10k passages (30 ms against 3).
            self._conn.execute(f"SET hnsw.ef_search = {self.store.ef_search}")
            self._ef = self.store.ef_search
        return self._conn

    def keyword(self, toks: list[str], n: int) -> list[int]:
        """BM25 top n: the query terms' rows by primary key, summed into one score per passage."""
        counts = Counter(t for t in toks if t)
        if not counts:
            return []
        db = self._db()
        rows = self._run(db, f"SELECT term, idx, w FROM {self.tables['keywords']} WHERE term = ANY(%s)",
                         (list(counts),), binary=True)
        scores = np.zeros(self._passages, dtype=np.float32)
        for term, idx, w in rows:  # repeated query terms count sub-linearly, as in BM25.scores
            scores[unpack_passages(idx)] += np.frombuffer(w, "<f4") * np.float32(np.sqrt(counts[term]))
        return by_similarity(top_scores(scores, n + TIE_MARGIN), n)

    def shares(self, toks: list[str]) -> dict[str, float]:
        """The share of passages holding each token, as LocalSearch gives it."""
        terms = list(dict.fromkeys(t for t in toks if t))
        if not terms:
            return {}
        rows = self._run(self._db(), f"SELECT term, df FROM {self.tables['keywords']} WHERE term = ANY(%s)",
                         (terms,))
        found = {t: int(c) for t, c in rows}
        total = self._passages  # read by _db() with the generation
        return {t: found.get(t, 0) / total if total else 0.0 for t in terms}

    def dense(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        db = self._db()
        k = n + TIE_MARGIN
        if k > self._ef:  # HNSW returns at most ef_search rows
            db.execute(f"SET hnsw.ef_search = {int(k)}")
            self._ef = k
        # <#> is the negative inner product; ordering by it alone lets the HNSW index serve the scan.
        rows = self._run(db, f"SELECT idx, embedding <#> %s AS d FROM {self.tables['passages']} ORDER BY d LIMIT %s",
                         (np.asarray(vector, dtype=np.float32), k))
        return scored_by_similarity([(int(i), -float(d)) for i, d in rows], n)

    def _run(self, db, sql: str, params, binary: bool = False) -> list:
        import psycopg

        try:
            return db.execute(sql, params, binary=binary).fetchall()
        except psycopg.errors.UndefinedTable as e:
            raise IndexMissing(f"index generation {self.generation} was replaced: restart to load the new one") from e
        except psycopg.OperationalError as e:
            self._conn = None
            raise StoreUnavailable(f"lost PostgreSQL at {_redact(self.store.url)}: {_first_line(e)}") from e
