import json

import pytest

from rag.embed import FakeEmbedder
from rag.errors import BadInput, IndexCorrupt, IndexMissing
from rag.index.store import IndexStore
from rag.indexer import Indexer


def test_index_roundtrip_and_no_reembedding(built):
    config, emb = built
    idx = IndexStore(config.index_dir).load()
    assert len(idx.articles) == 5 and len(idx.passages) == len(idx.vectors) > 50
    assert idx.manifest["embed_model"] == emb.id
    calls = emb.calls
    report = Indexer(config, emb).run([config.corpus_dir])
    assert report.unchanged and emb.calls == calls  # unchanged text is never re-embedded


def test_changed_article_reembeds_only_changed_passages(built, tmp_path):
    config, emb = built
    src = next(config.corpus_dir.glob("002_*"))
    text = src.read_text(encoding="utf-8")
    src.write_text(text.replace("金秋十月", "金秋十月,丰收在望"), encoding="utf-8")
    report = Indexer(config, emb).run([src])
    assert report.updated == [src.name]
    assert 1 <= report.embedded <= 3 and report.reused > 50


def test_new_embedding_model_rebuilds(built):
    config, _ = built
    report = Indexer(config, FakeEmbedder(dim=32)).run([config.corpus_dir])
    assert report.rebuilt and report.reused == 0
    assert IndexStore(config.index_dir).load().vectors.shape[1] == 32


def test_bad_files_do_not_lose_the_index(built, tmp_path):
    config, emb = built
    before = IndexStore(config.index_dir).load()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    report = Indexer(config, emb).run([bad, empty])
    assert set(report.failed) == {str(bad), str(empty)}
    after = IndexStore(config.index_dir).load()
    assert [p.id for p in after.passages] == [p.id for p in before.passages]


def test_missing_and_corrupt_index_are_detected(built, tmp_path):
    config, emb = built
    with pytest.raises(IndexMissing):
        IndexStore(tmp_path / "nowhere").load()
    folder = config.index_dir.resolve()
    with open(folder / "vectors.npy", "r+b") as f:
        f.seek(200)
        f.write(b"\xff\xff\xff\xff")
    with pytest.raises(IndexCorrupt, match="rebuild|Rebuild"):
        IndexStore(config.index_dir).load()
    # The corrupt index is replaced on request.
    Indexer(config, emb).run([config.corpus_dir], rebuild=True)
    assert len(IndexStore(config.index_dir).load().articles) == 5


def test_writes_are_versioned_and_old_versions_pruned(built):
    config, emb = built
    Indexer(config, emb).run([config.corpus_dir], rebuild=True)
    Indexer(config, emb).run([config.corpus_dir], rebuild=True)
    versions = list(config.index_dir.parent.glob(config.index_dir.name + ".v*"))
    assert config.index_dir.is_symlink() and len(versions) == 2
    manifest = json.loads((config.index_dir / "manifest.json").read_text())
    assert set(manifest["files"]) >= {"articles.jsonl", "passages.jsonl", "vectors.npy", "faiss.index"}


def test_remove_article(built):
    config, emb = built
    Indexer(config, emb).run([], remove=["003_761e2105e2f5780a.txt"])
    idx = IndexStore(config.index_dir).load()
    assert "003_761e2105e2f5780a.txt" not in idx.articles and len(idx.articles) == 4
    with pytest.raises(BadInput):
        Indexer(config, emb).run([], remove=["nope.txt"])


def test_figures_from_other_extraction_data_are_written_anew_without_reembedding(built, monkeypatch):
    import rag.indexer as indexer

    config, emb = built
    calls = emb.calls
    monkeypatch.setattr(indexer, "figures_version", lambda: "edited-data")
    report = Indexer(config, emb).run([config.corpus_dir])
    assert report.reused > 50 and report.embedded == 0 and emb.calls == calls
    assert IndexStore(config.index_dir).load(verify=False).manifest["figures_version"] == "edited-data"
