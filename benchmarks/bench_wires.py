"""Wire listing parsers: pages and items parsed per second, per kind (pure parsing, no I/O).

Run (from the repository root):

    .venv/bin/python benchmarks/bench_wires.py --rounds 5 --pages 2000

Each kind parses its test fixture page (tests/fixtures/apis/) ``--pages`` times per round, and the
article readers (cls 深度 ``__NEXT_DATA__``, 华尔街见闻 articles API) their page as many times; the
median of ``--rounds`` rounds is printed. The pages are small (2-20 items), so the figures bound the
per-page parsing cost a poll or a backfill adds to its network time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from scraper.sources import get_source

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "apis"
ZONE = ZoneInfo("Asia/Shanghai")
LISTINGS = {
    "cls_telegraph": "cls-telegraph-page1.json",
    "cls_depth": "cls-depth-list.json",
    "wallstreetcn_live": "wallstreetcn-lives-page1.json",
    "wallstreetcn_news": "wallstreetcn-news-flow.json",
    "jin10_flash": "jin10-flash-page1.json",
    "rsshub": "rsshub-cls-telegraph.json",
}
ARTICLES = {"cls_depth": "cls-detail-2498400.html", "wallstreetcn_news": "wallstreetcn-article-3752001.json"}


def _rate(call: object, pages: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(pages):
            call()  # type: ignore[operator]
        samples.append(pages / (time.perf_counter() - started))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'kind':<20} {'items/page':>10} {'pages/s':>10} {'items/s':>10}")
    for kind, name in LISTINGS.items():
        source, content = get_source(kind), (FIXTURES / name).read_bytes()
        items = len(source.parse(content, "http://127.0.0.1/x", ZONE).items)
        rate = _rate(lambda s=source, c=content: s.parse(c, "http://127.0.0.1/x", ZONE), args.pages, args.rounds)
        print(f"{kind:<20} {items:>10} {rate:>10.0f} {rate * items:>10.0f}")
    for kind, name in ARTICLES.items():
        source, content = get_source(kind), (FIXTURES / name).read_bytes()
        reader = source.parse_article
        assert reader is not None
        rate = _rate(lambda r=reader, c=content: r(c, "http://127.0.0.1/detail/1"), args.pages, args.rounds)
        print(f"{kind + ' article':<20} {'':>10} {rate:>10.0f}")


if __name__ == "__main__":
    main()
