"""Add articles to the index: ingest, chunk, embed only what changed, write atomically."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import chunk
from .config import Config
from .embed import Embedder
from .errors import BadInput, IndexMissing, RagError
from .figures.extract import extract_figures, figures_version
from .index.store import StoredIndex
from .index.stores import open_store
from .ingest import SUFFIXES, read_sources
from .ingest.fetch import is_url
from .text.bridge import AliasTable
from .types import Article

CHUNKING_VERSION = 3  # bump whenever chunking output changes: forces a rebuild


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    passages: int = 0
    figures: int = 0
    embedded: int = 0
    reused: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    path: str = ""


def expand_paths(paths: list[Path | str]) -> list[Path | str]:
    """Files of the given folders (by suffix), files, and URLs as given."""
    out: list[Path | str] = []
    for p in paths:
        if is_url(p):
            out.append(str(p))
            continue
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


class Indexer:
    def __init__(self, config: Config, embedder: Embedder):
        self.config = config
        self.embedder = embedder
        self.store = open_store(config)

    def _chunking_params(self) -> dict:
        c = self.config
        return {"version": CHUNKING_VERSION, "max_chars": c.chunk_chars, "min_chars": c.chunk_min_chars,
                "overlap": c.chunk_overlap_sentences}

    def run(self, paths: list[Path | str], rebuild: bool = False, remove: list[str] | None = None) -> IndexReport:
        t0 = time.perf_counter()
        report = IndexReport()
        with self.store.lock():
            old = None
            if not rebuild:
                try:
                    old = self.store.load()
                except IndexMissing:
                    pass
            if old is not None and (old.manifest.get("embed_model") != self.embedder.id
                                    or old.manifest.get("chunking") != self._chunking_params()):
                report.rebuilt = True  # a different embedder or chunker invalidates every vector
            articles: dict[str, Article] = dict(old.articles) if old else {}
            for doc in remove or []:
                if doc not in articles:
                    raise BadInput(f"{doc}: not in the index")
                del articles[doc]
            for path in expand_paths(paths):
                try:
                    found = read_sources(path, self.config)  # a feed holds several articles
                except RagError as e:
                    report.failed[str(path)] = str(e)
                    continue
                for a in found:
                    prev = articles.get(a.doc)
                    if prev is not None and prev.sha256 == a.sha256:
                        report.unchanged.append(a.doc)
                        continue
                    (report.updated if prev else report.added).append(a.doc)
                    articles[a.doc] = a
            if not articles:
                raise BadInput("nothing to index: " + ("; ".join(report.failed.values()) or "no files given"))
            # Figures and mined aliases written under other extraction code or data are written anew.
            stale = old is not None and old.manifest.get("figures_version") != figures_version()
            changed = report.added or report.updated or remove or report.rebuilt or old is None or stale
            if not changed:
                assert old is not None  # `changed` holds when there is no old index
                report.passages = len(old.passages)
                report.figures = len(old.figures)
                report.path = str(old.path)
                report.seconds = time.perf_counter() - t0
                return report

            c = self.config
            passages = [p for a in articles.values()
                        for p in chunk(a, c.chunk_chars, c.chunk_min_chars, c.chunk_overlap_sentences)]
            cache: dict[str, np.ndarray] = {}
            if old is not None and not report.rebuilt:
                cache = {p.hash: old.vectors[i] for i, p in enumerate(old.passages)}
            todo = [p for p in passages if p.hash not in cache]
            if todo:
                vecs = self.embedder.embed_passages([p.text for p in todo], progress=True)
                cache.update({p.hash: v for p, v in zip(todo, vecs, strict=False)})
            report.embedded = len(todo)
            report.reused = len(passages) - len(todo)
            dim = self.embedder.dim
            vectors = (np.stack([cache[p.hash] for p in passages]).astype(np.float32)
                       if passages else np.zeros((0, dim), np.float32))

            aliases = AliasTable()
            aliases.add_mined([a.text for a in articles.values()])
            figures = extract_figures(articles, passages)
            manifest = {"figures_version": figures_version(), "embed_model": self.embedder.id,
                        "dim": int(vectors.shape[1]) if vectors.ndim == 2 else dim,
                        "chunking": self._chunking_params(), "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
            new = StoredIndex(articles, passages, vectors, manifest, aliases.to_rows(), figures=figures)
            folder = self.store.write(new, faiss_writer=_faiss_writer(vectors))
            report.passages = len(passages)
            report.figures = len(figures)
            report.path = str(folder)
        report.seconds = time.perf_counter() - t0
        return report


def _faiss_writer(vectors: np.ndarray):
    def write(path: Path) -> None:
        from .index.search import faiss_store

        faiss_store(vectors, vectors.shape[1]).persist(persist_path=str(path))

    return write
