"""The persisted index: articles, passages, vectors and a FAISS index, written crash-safely.

Layout: `<index_dir>` is a symlink to a versioned folder `<index_dir>.v<N>`. A write fills a new
folder, fsyncs it, records every file's sha256 in manifest.json (written last), then swaps the
symlink with one atomic rename. A reader resolves the link once, so it sees the old or the new
index, never a mix; a killed writer leaves the old link untouched.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import IndexCorrupt, IndexMissing
from ..types import Article, Figure, Passage

FORMAT = 1
KEEP_VERSIONS = 2


@dataclass
class StoredIndex:
    articles: dict[str, Article]
    passages: list[Passage]
    vectors: np.ndarray  # row i belongs to passages[i]
    manifest: dict
    aliases: list[list[str]] = field(default_factory=list)
    path: Path | None = None
    figures: list[Figure] = field(default_factory=list)


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


class IndexStore:
    local = True

    def __init__(self, index_dir: Path):
        self.link = Path(index_dir)

    @contextmanager
    def lock(self):
        """One writer at a time; readers never wait."""
        self.link.parent.mkdir(parents=True, exist_ok=True)
        with open(self.link.parent / (self.link.name + ".lock"), "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def exists(self) -> bool:
        return self.link.exists()

    def current(self) -> str | None:
        """The current version's name (None without an index): cheap, to tell whether it changed."""
        try:
            return os.readlink(self.link)
        except OSError:
            return None

    def load(self, verify: bool = True, vectors: bool = True) -> StoredIndex:
        """`vectors` is for the Postgres store's signature: local search needs them in memory."""
        if not self.link.exists():
            raise IndexMissing(f"no index at {self.link}. Build it with `rag index` (or run ./setup.sh).")
        folder = self.link.resolve()
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise IndexCorrupt(f"index manifest at {folder} is unreadable ({e}). "
                               "Rebuild with `rag index --rebuild`.") from e
        if manifest.get("format") != FORMAT:
            raise IndexCorrupt(f"index format {manifest.get('format')} is not {FORMAT}. "
                               "Rebuild with `rag index --rebuild`.")
        if verify:
            for name, digest in manifest["files"].items():
                p = folder / name
                if not p.exists() or _sha(p) != digest:
                    raise IndexCorrupt(f"index file {name} is missing or damaged (checksum mismatch). "
                                       "Rebuild with `rag index --rebuild`.")
        try:
            articles = {}
            for line in (folder / "articles.jsonl").read_text(encoding="utf-8").splitlines():
                d = json.loads(line)
                d["spans"] = [tuple(s) for s in d["spans"]]
                articles[d["doc"]] = Article(**d)
            passages = [Passage.from_dict(json.loads(line))
                        for line in (folder / "passages.jsonl").read_text(encoding="utf-8").splitlines()]
            vecs = np.load(folder / "vectors.npy", allow_pickle=False)
            aliases = json.loads((folder / "aliases.json").read_text(encoding="utf-8"))
            figures = _load_figures(folder, manifest, articles, passages)
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise IndexCorrupt(f"index at {folder} cannot be read ({e}). Rebuild with `rag index --rebuild`.") from e
        if len(vecs) != len(passages):
            raise IndexCorrupt(f"index at {folder}: {len(passages)} passages but {len(vecs)} vectors. Rebuild it.")
        return StoredIndex(articles, passages, vecs, manifest, aliases, folder, figures)

    def write(self, index: StoredIndex, faiss_writer=None) -> Path:
        """Write a new version and switch to it atomically. Call under lock()."""
        parent = self.link.parent
        parent.mkdir(parents=True, exist_ok=True)
        version = int(time.time() * 1000)
        folder = parent / f"{self.link.name}.v{version}"
        tmp = parent / f".{folder.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        articles = "\n".join(json.dumps({**a.meta(), "text": a.text}, ensure_ascii=False)
                             for a in index.articles.values())
        _fsync_write(tmp / "articles.jsonl", articles.encode("utf-8"))
        passages = "\n".join(json.dumps(p.to_dict(), ensure_ascii=False) for p in index.passages)
        _fsync_write(tmp / "passages.jsonl", passages.encode("utf-8"))
        with open(tmp / "vectors.npy", "wb") as f:
            np.save(f, np.ascontiguousarray(index.vectors, dtype=np.float32), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        _fsync_write(tmp / "aliases.json", json.dumps(index.aliases, ensure_ascii=False).encode("utf-8"))
        figures = "\n".join(json.dumps(f.to_dict(), ensure_ascii=False) for f in index.figures)
        _fsync_write(tmp / "figures.jsonl", figures.encode("utf-8"))
        if faiss_writer is not None:
            faiss_writer(tmp / "faiss.index")
        files = {p.name: _sha(p) for p in sorted(tmp.iterdir())}
        manifest = {**index.manifest, "format": FORMAT, "version": version, "files": files,
                    "passages": len(index.passages), "articles": len(index.articles)}
        _fsync_write(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        os.replace(tmp, folder)
        new_link = parent / f".{self.link.name}.link-{version}"
        os.symlink(folder.name, new_link)
        if self.link.exists() and not self.link.is_symlink():
            raise IndexCorrupt(f"{self.link} is a plain folder, not an index link; move it away first.")
        os.replace(new_link, self.link)  # the atomic switch
        _fsync_dir(parent)
        self._prune(folder)
        index.manifest, index.path = manifest, folder
        return folder

    def search(self, index: StoredIndex, bridge: bool = True):
        from .search import LocalSearch

        return LocalSearch(index, bridge)

    def _prune(self, current: Path) -> None:
        versions = sorted(self.link.parent.glob(f"{self.link.name}.v*"), key=lambda p: p.name)
        for old in [v for v in versions if v != current][:-(KEEP_VERSIONS - 1) or None]:
            shutil.rmtree(old, ignore_errors=True)
        for stale in self.link.parent.glob(f".{self.link.name}.v*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)


def current_figures(manifest: dict, read, articles, passages) -> list[Figure]:
    """The stored figures (`read()`, or None where there are none) when the current extraction code
    and data wrote them; else derived again from the stored passages, which is cheap."""
    from ..figures.extract import extract_figures, figures_version

    stored = read() if manifest.get("figures_version") == figures_version() else None
    return stored if stored is not None else extract_figures(articles, passages)


def _load_figures(folder: Path, manifest: dict, articles, passages) -> list[Figure]:
    path = folder / "figures.jsonl"

    def read() -> list[Figure] | None:
        if not path.exists():
            return None
        return [Figure.from_dict(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]

    return current_figures(manifest, read, articles, passages)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
