"""A small real-model slice of the eval set, so CI notices a regression in answers.

The first 10 questions of eval/questions.jsonl (interleaved en/zh/ko, chosen by position, not by
result). Floors sit below what the full eval measured for hybrid-1.5b (eval/results/eval.md), so a
failure means something broke, not noise. About 6 minutes on 2 cores.
"""
import pytest

from rag.config import PROJECT_ROOT, Config
from rag.embed import make_embedder
from rag.evaluation.configs import CONFIGS
from rag.evaluation.dataset import load_items
from rag.evaluation.runner import run_config, summarize
from tests.integration.test_real_model import requires_models

pytestmark = pytest.mark.integration
FLOORS = {"accuracy": 0.5, "language_match": 0.8, "figure_support": 0.9}


@requires_models
def test_eval_subset_stays_above_floors(tmp_path):
    items = load_items(PROJECT_ROOT / "eval" / "questions.jsonl")[:10]
    config = Config.from_env()
    embedder = make_embedder(config)
    embedder.warm_up()
    rows = run_config(CONFIGS["hybrid-1.5b"], config, items, embedder, tmp_path)
    s = summarize(rows)
    print({k: s[k] for k in (*FLOORS, "unit_conversion_errors", "latency_p50_s")})
    for metric, floor in FLOORS.items():
        assert s[metric] is not None and s[metric] >= floor, (metric, s[metric], [r.answer for r in rows])
    assert s["unit_conversion_errors"] == 0
