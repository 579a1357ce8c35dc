"""Split eval/questions.jsonl once into dev and test, stratified by question language and type.

Run once (2026-12-01); the split is frozen. Within each (language, type) stratum the questions are
ordered by sha256 of their id (not by content or by any result), and the first share of each
stratum goes to test, with largest remainders rounding to TEST_SIZE in all. Re-running refuses to
change a file that already carries a split; tests/test_eval_split.py checks the frozen digest.

    python eval/split.py            # writes the "split" field into eval/questions.jsonl
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

PATH = Path(__file__).with_name("questions.jsonl")
TEST_SIZE = 42


def assign(items: list[dict], test_size: int = TEST_SIZE) -> dict[str, str]:
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for it in items:
        strata[(it["lang"], it["type"])].append(it["id"])
    share = test_size / len(items)
    quota = {k: len(v) * share for k, v in strata.items()}
    n = {k: int(q) for k, q in quota.items()}
    for k in sorted(quota, key=lambda k: (-(quota[k] - n[k]), k))[: test_size - sum(n.values())]:
        n[k] += 1
    out = {}
    for k, ids in strata.items():
        ordered = sorted(ids, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        for rank, i in enumerate(ordered):
            out[i] = "test" if rank < n[k] else "dev"
    return out


def split_digest(items: list[dict]) -> str:
    """sha256 over the sorted test ids: what tests check to keep the split frozen."""
    ids = sorted(it["id"] for it in items if it.get("split") == "test")
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def main() -> int:
    lines = [json.loads(x) for x in PATH.read_text(encoding="utf-8").splitlines() if x.strip()]
    if any("split" in it for it in lines):
        print(f"{PATH}: already split (frozen); test digest {split_digest(lines)}", file=sys.stderr)
        return 1
    split = assign(lines)
    PATH.write_text("".join(json.dumps({**it, "split": split[it["id"]]}, ensure_ascii=False) + "\n" for it in lines),
                    encoding="utf-8")
    done = [json.loads(x) for x in PATH.read_text(encoding="utf-8").splitlines() if x.strip()]
    print(f"dev {sum(s == 'dev' for s in split.values())}, test {sum(s == 'test' for s in split.values())}; "
          f"test digest {split_digest(done)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
