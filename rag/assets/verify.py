"""sha256 verification of weight files, with a size+mtime keyed cache so a process start stays fast."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from ..errors import ModelMissing, ModelVerificationError

CHUNK = 1 << 22


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
            if progress:
                progress(len(block))
    return h.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def verify_file(path: Path, size: int, sha256: str, repair_hint: str) -> None:
    """Refuse a missing, truncated or tampered file. Re-hashes only when size or mtime changed."""
    if not path.exists():
        raise ModelMissing(f"model file not found: {path}. {repair_hint}")
    stamp = _stamp(path)
    if stamp["size"] != size:
        raise ModelVerificationError(
            f"{path.name} is {stamp['size']:,} bytes, expected {size:,}: truncated or replaced. {repair_hint}"
        )
    cache = _stamp_path(path)
    try:
        if json.loads(cache.read_text()) == {**stamp, "sha256": sha256}:
            return
    except (OSError, ValueError):
        pass
    actual = sha256_file(path)
    if actual != sha256:
        raise ModelVerificationError(
            f"{path.name} has sha256 {actual[:16]}…, expected {sha256[:16]}…: refusing to load. {repair_hint}"
        )
    cache.write_text(json.dumps({**stamp, "sha256": sha256}))
