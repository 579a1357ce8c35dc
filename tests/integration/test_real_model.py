"""The real models on real seed questions: one per language, plus the OpenAI-compatible path.

Needs `./setup.sh` (weights + index). These take ~30 s a question on 2 cores."""
import socket

import pytest

from rag.assets.registry import E5_MODEL_DIR, LLMS
from rag.config import Config
from rag.pipeline import Pipeline

pytestmark = pytest.mark.integration
CONFIG = Config.from_env()


def _have(name: str) -> bool:
    return (CONFIG.models_dir / LLMS[name].filename).exists()


requires_models = pytest.mark.skipif(
    not (_have("qwen2.5-coder-1.5b") and (CONFIG.models_dir / E5_MODEL_DIR).exists() and CONFIG.index_dir.exists()),
    reason="models or index missing: run ./setup.sh")


@pytest.fixture(scope="module")
def pipe():
    return Pipeline(CONFIG).warm_up()


def norm(s: str) -> str:
    return s.replace(",", "").replace(" ", "")


@requires_models
@pytest.mark.parametrize("question,lang,figure,doc", [
    ("How many cadres did Heilongjiang send to Guangdong by the end of 2022?", "en", "407", "000_"),
    ("截至目前两省合作项目总签约额是多少？", "zh", "4901", "001_"),
    ("장춘과 사평의 32개 주요 협력 프로젝트의 총투자는 얼마인가?", "ko", "289.36", "004_"),
])
def test_seed_question(pipe, question, lang, figure, doc):
    a = pipe.ask(question)
    assert not a.abstained, a.answer
    assert a.language == lang
    assert figure in norm(a.answer), a.answer
    assert any(c.doc.startswith(doc) and figure in norm(c.quote) for c in a.citations), a.citations
    for c in a.citations:
        assert pipe.index.articles[c.doc].text[c.start:c.end] == c.quote


@requires_models
def test_unanswerable_question_abstains(pipe):
    a = pipe.ask("How many pandas were born in Harbin zoo in 2023?")
    assert a.abstained or not any(ch.isdigit() for ch in a.answer.replace("2023", "")), a.answer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not _have("qwen2.5-coder-0.5b") or not CONFIG.index_dir.exists(), reason="run ./setup.sh")
def test_openai_compatible_server_on_loopback():
    """A real llama.cpp HTTP server (the one xllamacpp ships) on 127.0.0.1, reached through llama-index's OpenAILike."""
    import xllamacpp as xlc

    from rag.llm.local import server_params

    port = _free_port()
    server = xlc.Server(server_params(CONFIG.models_dir / LLMS["qwen2.5-coder-0.5b"].filename, 4096, 2, port=port))
    try:
        config = CONFIG.replace(llm_backend="openai", llm_url=f"http://127.0.0.1:{port}/v1")
        a = Pipeline(config).warm_up().ask("截至目前两省合作项目总签约额是多少？")
        assert a.model.endswith(f"127.0.0.1:{port}/v1")
        assert a.timings.prompt_tokens > 100 and a.timings.completion_tokens > 0
        assert a.abstained or a.citations
    finally:
        del server
