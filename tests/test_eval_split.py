"""The seed questions' dev/test split: present on every item, stratified, and frozen."""
from collections import Counter

from eval.split import assign, split_digest
from rag.config import PROJECT_ROOT
from rag.evaluation.dataset import load_items

ITEMS = load_items(PROJECT_ROOT / "eval" / "questions.jsonl")
FROZEN = "f9a7077b946fab5c4c958cd176d7a8d75915b777666fd15d8dd5f03168844f5c"  # eval/split.py, 2026-12-01


def test_every_item_has_a_split_and_the_test_split_is_frozen():
    assert {i.split for i in ITEMS} == {"dev", "test"}
    assert split_digest([{"id": i.id, "split": i.split} for i in ITEMS]) == FROZEN


def test_split_is_stratified_by_language_and_type():
    test = Counter((i.lang, i.type) for i in ITEMS if i.split == "test")
    whole = Counter((i.lang, i.type) for i in ITEMS)
    assert sum(test.values()) == 42
    for stratum, n in whole.items():
        assert abs(test[stratum] - n * 42 / len(ITEMS)) < 1.5, stratum


def test_assign_is_deterministic_and_ignores_file_order():
    items = [{"id": f"q{k}", "lang": "en" if k % 2 else "zh", "type": "single"} for k in range(20)]
    assert assign(items, 8) == assign(list(reversed(items)), 8)
    assert sum(v == "test" for v in assign(items, 8).values()) == 8
