#!/usr/bin/env bash
# One command: Python deps (CPU torch from the pinned wheel), pinned weights (sha256-checked),
# the converted embedder, and the index of seeds/. Safe to re-run: finished steps are skipped.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
.venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
.venv/bin/rag setup "$@"
echo "setup complete: try  .venv/bin/rag ask \"截至目前两省合作项目总签约额是多少？\""
