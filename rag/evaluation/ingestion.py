"""The ingestion score on real web pages: an html-dev style folder's own score.py, run on our reader.

The pages and their checks stay in that folder; this only runs its scorer in a child process and
reads back the totals for the eval report."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from ..config import PROJECT_ROOT

HTML_DEV = PROJECT_ROOT.parent / "shared" / "html-dev"
READER = "rag.ingest:read_article"


def html_dev_score(folder: Path = HTML_DEV, reader: str = READER, timeout: int = 900) -> dict | None:
    """Totals of `folder/score.py` for `reader`, or None where the folder is absent; an error is reported."""
    script = Path(folder) / "score.py"
    if not script.is_file():
        return None
    with tempfile.TemporaryDirectory() as td:
        out = Path(td) / "html-dev.json"
        cmd = [sys.executable, str(script), "--python", sys.executable, "--reader", reader, "--json", str(out)]
        try:
            p = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout,
                               check=False)
        except subprocess.TimeoutExpired:
            return {"set": Path(folder).name, "reader": reader, "error": f"timed out after {timeout} s"}
        if p.returncode != 0 or not out.exists():
            tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]
            return {"set": Path(folder).name, "reader": reader, "error": f"score.py exit {p.returncode}: {tail[0]}"}
        totals = json.loads(out.read_text(encoding="utf-8"))["totals"][reader]
    t = totals

    def frac(a: str, b: str) -> str:
        return f"{t[a]}/{t[b]}"

    return {"set": Path(folder).name, "reader": reader, "pages_passing": frac("passed", "pages"),
            "with_kept": frac("with_kept", "with_total"), "without_kept": frac("without_kept", "without_total"),
            "titles_ok": frac("title_ok", "pages"), "dates_ok": frac("date_ok", "date_pages"),
            "failed": t["errors"], "seconds": round(t["seconds"], 1), "totals": t}
