"""Precision and recall of the one-story-many-wires decision (archive.samestory.same_story).

Run (from the repository root):

    .venv/bin/python benchmarks/bench_samestory.py
    .venv/bin/python benchmarks/bench_samestory.py --pairs tests/fixtures/dedup/flash_pairs.jsonl --show-errors

Reads labelled pairs of flash texts (JSON lines: ``class``, ``label`` "match"/"no_match", ``a``/``b``
with ``feed``, ``published`` ISO 8601, ``title``, ``text``), decides each pair and prints overall
precision and recall, the share of pairs decided correctly in each class, and each mistake with
``--show-errors``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.samestory import Flash, same_story  # noqa: E402

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dedup" / "flash_pairs.jsonl"


def flash(side: dict[str, Any]) -> Flash:
    return Flash(side["feed"], datetime.fromisoformat(side["published"]), side["title"], side["text"])


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    pairs = load(args.pairs)
    counts: Counter[str] = Counter()
    per_class: Counter[tuple[str, bool]] = Counter()
    for pair in pairs:
        said = same_story(flash(pair["a"]), flash(pair["b"]))
        truth = pair["label"] == "match"
        counts[("t" if said == truth else "f") + ("p" if said else "n")] += 1
        per_class[(pair["class"], said == truth)] += 1
        if said != truth and args.show_errors:
            print(f"WRONG ({pair['class']}, said {'match' if said else 'no match'}): "
                  f"{pair['a']['text'][:40]} | {pair['b']['text'][:40]}")
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"pairs {len(pairs)}  matches {tp + fn}  merged {tp + fp}")
    print(f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn}, tn {counts['tn']})")
    for cls in sorted({c for c, _ in per_class}):
        right, wrong = per_class[(cls, True)], per_class[(cls, False)]
        print(f"  {cls:24s} {right}/{right + wrong} decided right")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
