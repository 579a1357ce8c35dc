"""Pick the chat model from config: local GGUF (registry name or path), OpenAI-compatible server, or fake."""
from __future__ import annotations

from pathlib import Path

from ..assets.fetch import REPAIR
from ..assets.registry import LLMS
from ..assets.verify import verify_file
from ..config import Config
from ..errors import ModelMissing
from .base import ChatModel


def resolve_gguf(config: Config) -> tuple[Path, str, object]:
    """(path, display name, verifier). Registry models are verified against their pinned sha256."""
    spec = LLMS.get(config.llm_model)
    if spec is not None:
        path = config.models_dir / spec.filename
        return path, spec.name, lambda: verify_file(path, spec.size, spec.sha256, REPAIR)
    path = Path(config.llm_model).expanduser()
    if path.suffix.lower() != ".gguf":
        raise ModelMissing(f"unknown model {config.llm_model!r}: use one of {', '.join(LLMS)} "
                           "or a path to a .gguf file")
    if not path.is_file():
        raise ModelMissing(f"GGUF file not found: {path}")

    def check_magic():
        with open(path, "rb") as f:
            if f.read(4) != b"GGUF":
                raise ModelMissing(f"{path} is not a GGUF file")

    return path, path.name, check_magic


def make_llm(config: Config) -> ChatModel:
    if config.llm_backend == "fake":
        from .fake import FakeLLM

        return FakeLLM(delay_s=config.fake_delay_s)
    if config.llm_backend == "openai":
        from .remote import OpenAICompatible

        return OpenAICompatible(config.llm_url, config.llm_remote_model, config.llm_api_key, config.temperature)
    if config.llm_backend == "local":
        from .local import LocalLlama

        path, name, verify = resolve_gguf(config)
        return LocalLlama(path, name, config.n_ctx, config.threads, config.temperature, config.seed, verify)
    raise ValueError(f"unknown llm_backend {config.llm_backend!r}: use local, openai or fake")
