"""ruff and mypy, configured in pyproject.toml, as part of the test run (so CI runs them too)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists() and shutil.which(name) is None:
        pytest.skip(f"{name} is not installed (./setup.sh installs the dev extras)")
    return str(path if path.exists() else shutil.which(name))


def test_ruff_is_clean():
    r = subprocess.run([_tool("ruff"), "check", "rag", "tests", "eval", "app.py"], cwd=PROJECT_ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:]


def test_mypy_is_clean():
    r = subprocess.run([_tool("mypy")], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:]
