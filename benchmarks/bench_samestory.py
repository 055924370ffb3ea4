"""Precision and recall of the one-story-many-wires decision (archive.samestory.same_story).

Run (from the repository root):

    .venv/bin/python benchmarks/bench_samestory.py
    .venv/bin/python benchmarks/bench_samestory.py --pairs tests/fixtures/dedup/flash_pairs.jsonl --show-errors
    .venv/bin/python benchmarks/bench_samestory.py --ingest 4000    # also: archive store rate with the layer on/off

Reads labelled pairs of flash texts (JSON lines: ``class``, ``label`` "match"/"no_match", ``a``/``b``
with ``feed``, ``published`` ISO 8601, ``title``, ``text``), decides each pair and prints overall
precision and recall, the share of pairs decided correctly in each class, and each mistake with
``--show-errors``.

With ``--ingest N``: N synthetic flash items (4 wires × N/4 stories, a story every 20 s over a
day, each wire's wording its own, figures per story) stored in batches of 100 into a fresh archive
in a temporary folder, once with the same-story layer and once without it; prints items/s for
each and how many items merged.
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

import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, timedelta  # noqa: E402

from archive import Archive, sources  # noqa: E402
from archive.samestory import Flash, same_story  # noqa: E402
from scraper.models import Article  # noqa: E402

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dedup" / "flash_pairs.jsonl"


def flash(side: dict[str, Any]) -> Flash:
    return Flash(side["feed"], datetime.fromisoformat(side["published"]), side["title"], side["text"])


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--ingest", type=int, default=0, help="also time storing this many synthetic flashes")
    args = parser.parse_args()
    if args.ingest:
        ingest(args.ingest)
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


WIRES = (
    ("财联社电报", "财联社", "【{co}：{q}季度净利润{a}亿元 同比增长{b}%】财联社12月7日电，{co}公告，{q}季度净利润{a}亿元，同比增长{b}%。"),
    ("新浪7x24", "新浪财经", "{co}公告，{q}季度实现净利润{a}亿元，同比增长{b}%。"),
    ("证券时报快讯", "证券时报网", "人民财讯12月7日电，{co}公告，{q}季度净利润{a}亿元，同比增长{b}%。"),
    ("东方财富快讯", "东方财富", "【{co}：{q}季度净利润同比增长{b}%】{co}公告，{q}季度净利润{a}亿元。"),
)
COMPANIES = "贵州茅台 五粮液 宁德时代 比亚迪 中国平安 招商银行 隆基绿能 中国中铁 小米集团 腾讯控股".split()


def flashes(n: int) -> list[Article]:
    start = datetime(2026, 12, 7, tzinfo=UTC)
    out = []
    for i in range(n // len(WIRES)):
        values = {"co": COMPANIES[i % len(COMPANIES)] + str(i // len(COMPANIES)), "q": "前三",
                  "a": f"{100 + i * 0.7:.1f}", "b": f"{(i * 37) % 900 / 10:.1f}"}
        for w, (feed, site, template) in enumerate(WIRES):
            text = template.format(**values)
            out.append(Article(
                feed=feed, site=site, category="金融", url=f"https://{w}.example/{i}", title="",
                published=start + timedelta(seconds=20 * i + 30 * w), body_html=f"<p>{text}</p>", body_text=text,
                guid=f"{w}-{i}",
            ))
    return out


def ingest(n: int) -> None:
    items = flashes(n)
    original = sources.same_story_candidate
    for label, enabled in (("with same-story layer", True), ("without it", False)):
        if not enabled:
            sources.same_story_candidate = lambda conn, p: None  # type: ignore[assignment]
        with tempfile.TemporaryDirectory() as folder, Archive(Path(folder) / "a.db", Path(folder) / "posts") as arch:
            now = datetime(2026, 12, 8, tzinfo=UTC)
            began = time.perf_counter()
            statuses: Counter[str] = Counter()
            for start in range(0, len(items), 100):
                statuses.update(r.status for r in arch.store(items[start:start + 100], now=now))
            elapsed = time.perf_counter() - began
        sources.same_story_candidate = original  # type: ignore[assignment]
        print(f"{label}: {len(items)} flashes in {elapsed:.1f}s = {len(items) / elapsed:.0f}/s; "
              f"articles {statuses['new'] + statuses['duplicate']}, merged {statuses['merged']}")


if __name__ == "__main__":
    raise SystemExit(main())
