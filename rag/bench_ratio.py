"""`rag bench --against REV`: end-to-end latency of this checkout against another commit, in one run.

Machines differ in speed and one machine drifts between sessions, so a latency target is a ratio
measured on one machine at one time. Each side answers the same questions through its own `rag ask
--json --questions` (the stable command line, present in old commits too), with its own index built
from the same corpus by its own code, in the order A B B A: a drift during the run weighs on both
sides alike. The per-question `timings.total_s` (model load excluded) are compared.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import PROJECT_ROOT, Config
from .errors import BadInput

ORDER = ("this", "base", "base", "this")  # ABBA


STEPS = ("prefill_s", "generate_s", "prompt_tokens", "completion_tokens")  # where an answer's time goes


@dataclass
class SideTimes:
    """One side's answers: seconds per question (every round), each answer's steps, and the prompt
    tokens the server reused."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    steps: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in STEPS})
    cached_tokens: int = 0

    def median(self) -> float:
        return statistics.median(s for ss in self.seconds.values() for s in ss)


def _git(*args: str, cwd: Path = PROJECT_ROOT) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    except FileNotFoundError as e:
        raise BadInput("--against needs git") from e
    except subprocess.CalledProcessError as e:
        last = ((e.stderr or e.stdout).strip().splitlines() or ["failed"])[-1]
        raise BadInput(f"git {' '.join(args)}: {last}") from e
    return out.stdout.strip()


def _rag(checkout: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # `python -m` from the checkout's root imports that checkout's `rag`, with this environment's packages.
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=checkout, env=env, capture_output=True,
                          text=True)


def _side_env(config: Config, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    # Only what locates things: every other setting is each side's own default.
    env.update(RAG_HOME=str(home), RAG_INDEX_DIR=str(home / "index"), RAG_MODELS_DIR=str(config.models_dir),
               RAG_CORPUS_DIR=str(config.corpus_dir), RAG_LLM_BACKEND=config.llm_backend,
               RAG_EMBED_BACKEND=config.embed_backend, RAG_LLM_MODEL=config.llm_model,
               RAG_THREADS=str(config.threads), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def _answer(checkout: Path, env: dict[str, str], questions: Path, side: SideTimes) -> None:
    done = _rag(checkout, ["ask", "--json", "--questions", str(questions)], env)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not rows:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BadInput(f"{checkout}: rag ask failed ({tail})")
    for row in rows:
        t = row.get("timings", {})
        side.seconds.setdefault(row["question"], []).append(float(t.get("total_s", 0.0)))
        for k in STEPS:
            side.steps[k].append(float(t.get(k, 0.0)))
        side.cached_tokens += int(t.get("cached_tokens", 0))


def latency_ratio(config: Config, against: str, questions_file: Path) -> list[str]:
    """A Markdown report: each side's median seconds per answer and this checkout's ratio to the base."""
    commit = _git("rev-parse", "--verify", f"{against}^{{commit}}")
    here = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    sides = {"this": SideTimes(), "base": SideTimes()}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        base = Path(tmp) / "base"
        _git("worktree", "add", "--detach", "--quiet", str(base), commit)
        try:
            checkouts = {"this": PROJECT_ROOT, "base": base}
            envs = {name: _side_env(config, Path(tmp) / f"home-{name}") for name in sides}
            for name, checkout in checkouts.items():
                built = _rag(checkout, ["index", str(config.corpus_dir)], envs[name])
                if built.returncode != 0:
                    tail = (built.stderr.strip().splitlines() or ["failed"])[-1]
                    raise BadInput(f"{name} ({checkout}): rag index failed ({tail})")
            for name in ORDER:
                _answer(checkouts[name], envs[name], questions_file, sides[name])
        finally:
            _git("worktree", "remove", "--force", str(base))
    this, old = sides["this"], sides["base"]
    paired = [statistics.median(this.seconds[q]) / statistics.median(old.seconds[q])
              for q in this.seconds if q in old.seconds and statistics.median(old.seconds[q]) > 0]
    lines = [f"# rag bench --against {against} ({commit[:10]}): {len(this.seconds)} questions, rounds "
             f"{' '.join(ORDER)}, {config.llm_backend} {config.llm_model}, {config.threads} threads", "",
             "| side | commit | median s per answer | prefill s | generate s | prompt tokens | generated tokens "
             "| prompt tokens reused |", "|---|---|---|---|---|---|---|---|"]
    for name, side, rev in (("this", this, here + (" + changes" if dirty else "")), ("base", old, commit[:10])):
        reused = (f"{side.cached_tokens / sum(side.steps['prompt_tokens']):.0%}" if side.cached_tokens
                  else "– (not reported)")
        medians = {k: statistics.median(side.steps[k]) for k in STEPS}
        steps = " | ".join(f"{v:.1f}" if k.endswith("_s") else f"{v:.0f}" for k, v in medians.items())
        lines.append(f"| {name} | {rev} | {side.median():.2f} | {steps} | {reused} |")
    lines += ["", f"ratio of medians (this / base): **{this.median() / old.median():.3f}**",
              f"median of per-question ratios: {statistics.median(paired):.3f} (target: ≤ 1.0)"]
    return lines
