"""`python -m rag.ui.loadtest --n 20`: N questions at once through the UI's queue; prints the outcome.

Starts the app on a free loopback port with the current configuration (RAG_* environment), fires N
concurrent requests with gradio_client, and reports answered / failed, wall time and the server's
peak RSS. Expected figures are checked, so "answered" means answered correctly.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

QUESTIONS = [("两省对俄贸易额2019年是多少？", "1957.10"),
             ("장춘과 사평의 32개 주요 협력 프로젝트의 총투자는 얼마인가?", "289.36"),
             ("广州市可办理齐齐哈尔市多少项政务服务事项？", "133")]


def start_app(env: dict | None = None, wait_s: float = 120) -> tuple[subprocess.Popen, str]:
    """`app.py` on a free loopback port, once it answers HTTP. Its output goes to a temporary file,
    quoted in the error if it exits during start-up."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = Path(__file__).resolve().parents[2] / "app.py"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, str(app), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            env={**(env or os.environ), "GRADIO_ANALYTICS_ENABLED": "False"})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return proc, url
        except OSError as e:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                raise RuntimeError("the app did not start: " + log.read().decode(errors="replace")[-2000:]) from e
            time.sleep(0.5)


def run(n: int, timeout: float) -> dict:
    import psutil
    from gradio_client import Client

    proc, url = start_app()
    peak = [0]
    stop = threading.Event()
    try:
        def sample():
            p = psutil.Process(proc.pid)
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], p.memory_info().rss)
                except psutil.Error:
                    return
                time.sleep(0.2)

        threading.Thread(target=sample, daemon=True).start()
        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        t0 = time.perf_counter()
        jobs = [(QUESTIONS[i % len(QUESTIONS)], client.submit(QUESTIONS[i % len(QUESTIONS)][0], "auto",
                                                              api_name="/on_ask")) for i in range(n)]
        outcomes = []
        for (_question, expect), job in jobs:
            try:
                answer = job.result(timeout=timeout)[0]
                outcomes.append("ok" if expect in answer else "wrong")
            except Exception as e:  # a lost or timed-out request is exactly what this measures
                outcomes.append(f"failed: {type(e).__name__}")
        wall = time.perf_counter() - t0
    finally:
        stop.set()
        proc.terminate()
        proc.wait(15)
    return {"requests": n, "ok": outcomes.count("ok"), "wrong": outcomes.count("wrong"),
            "failed": [o for o in outcomes if o.startswith("failed")], "wall_s": round(wall, 1),
            "server_peak_rss_mb": round(peak[0] / 2**20)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=1800)
    result = run(ap.parse_args().n, ap.parse_args().timeout)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] == result["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
