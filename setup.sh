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
# Browser tests drive Debian's Chromium (no browser download works here); CJK fonts for screenshots.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 ||
     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1)) ||
      echo "note: could not install chromium; the browser tests will be skipped" >&2
  else
    echo "note: install Debian's chromium and fonts-noto-cjk for the browser tests (they skip without it)" >&2
  fi
fi
.venv/bin/rag setup "$@"
echo "setup complete: try  .venv/bin/rag ask \"截至目前两省合作项目总签约额是多少？\""
