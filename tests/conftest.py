import os
import shutil

import pytest

from rag.config import PROJECT_ROOT, Config
from rag.embed import FakeEmbedder
from rag.indexer import Indexer

SEEDS = PROJECT_ROOT / "seeds"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def fake_config(tmp_path) -> Config:
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS, corpus)
    # relevance_min is fitted for e5's cosines; the fake embedder's sit lower, so tests that are not
    # about the relevance check let any cited sentence with shared words pass it. The name-gloss
    # follow-up is a model call of its own: tests that script or count the calls of other steps
    # leave it out (tests/test_gloss.py turns it on), and so does the translation of a question into
    # its passages' language (tests/test_answering.py turns it on).
    return Config(home=tmp_path, corpus_dir=corpus, embed_backend="fake", llm_backend="fake", relevance_min=0.0,
                  gloss_names=False, translate_query=False)


@pytest.fixture
def built(fake_config):
    """A fake-embedded index of the five seeds."""
    emb = FakeEmbedder()
    Indexer(fake_config, emb).run([fake_config.corpus_dir])
    return fake_config, emb


def seed_text(name_prefix: str) -> str:
    (path,) = [p for p in SEEDS.iterdir() if p.name.startswith(name_prefix)]
    return path.read_text(encoding="utf-8")


@pytest.fixture
def env(built, monkeypatch):
    """The CLI pointed at the fake-embedded seed index, with the fake model."""
    config, _ = built
    monkeypatch.setenv("RAG_HOME", str(config.home))
    monkeypatch.setenv("RAG_EMBED_BACKEND", "fake")
    monkeypatch.setenv("RAG_LLM_BACKEND", "fake")
    monkeypatch.setenv("RAG_TRANSLATE_QUERY", "0")
    return config


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_llm():
    """A factory: fake_llm(["reply", ...]) answers with those replies in turn, then from the prompt."""
    from rag.llm.fake import FakeLLM

    return FakeLLM


@pytest.fixture
def tiny_corpus(tmp_path, fake_embedder, fake_llm):
    """A factory: tiny_corpus({"name.txt": text}, script) indexes those documents, written for the
    test, and returns a warm Pipeline over them with the fake embedder and a scripted fake model."""
    from rag.pipeline import Pipeline

    def build(docs: dict[str, str], script: list[str] | None = None, **config):
        corpus = tmp_path / "corpus"
        corpus.mkdir(exist_ok=True)
        for name, text in docs.items():
            (corpus / name).write_text(text, encoding="utf-8")
        cfg = Config(home=tmp_path, corpus_dir=corpus, embed_backend="fake", llm_backend="fake",
                     **{"relevance_min": 0.0, "gloss_names": False, "translate_query": False, **config})
        Indexer(cfg, fake_embedder).run([corpus])
        return Pipeline(cfg, embedder=fake_embedder, llm=fake_llm(script)).warm_up()

    return build
