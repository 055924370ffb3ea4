"""Hostile-input parsing time as the input grows: each row should grow about linearly.

Run (from the repository root):

    .venv/bin/python benchmarks/bench_hostile.py
    .venv/bin/python benchmarks/bench_hostile.py --sizes 100000,400000,1600000

For each constructed input shape (the red-team report's classes and the patterns found while
fixing them) it prints seconds per size and the growth factor between the last two sizes; with
sizes four times apart, a linear parser shows about 4, a quadratic one 16. Before the fixes:
26 ``<!---->`` before ``<rss>`` took 85 s (doubling per comment); 80 KB of blank lines before a
feed 70 s; ``<script`` repeated in a non-UTF-8 page 18 s at 140 KB, 279 s at 560 KB; 20 000
unclosed ``<script`` in html_to_text 121 s.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from scraper.charset import decode_html
from scraper.errors import ScraperError
from scraper.listing import parse_feed, parse_sina_roll
from scraper.sanitize import clean_html, html_to_text

FEED = b'<rss version="2.0"><channel><item><title>x</title><link>http://example.com/a</link></item></channel></rss>'
GBK = "中文内容，新闻正文。".encode("gbk") * 20


def shapes() -> dict[str, Callable[[int], object]]:
    def feed(unit: bytes) -> Callable[[int], object]:
        return lambda n: _quiet(parse_feed, unit * (n // len(unit)) + FEED)

    return {
        "feed: <!----> before <rss>": feed(b"<!---->"),
        "feed: blank lines before <rss>": feed(b" \t\r\n"),
        "feed: <!-- unclosed": feed(b"<!--"),
        "feed: <a  (no >)": feed(b"<a "),
        "feed: <item> nested": feed(b"<item>"),
        "feed: &#": feed(b"&#"),
        "sina: JSONP with spaces": lambda n: _quiet(parse_sina_roll, b"cb(" + b" " * n + b"x"),
        "charset: <script in GBK page": lambda n: decode_html(b"<script" * (n // 7) + GBK, None),
        "charset: <meta  in GBK page": lambda n: decode_html(b"<meta " * (n // 6) + GBK, None),
        "html_to_text: <script": lambda n: html_to_text("<script" * (n // 7)),
        "html_to_text: <!--": lambda n: html_to_text("<!--" * (n // 4)),
        "clean_html: <div> nested (nh3)": lambda n: clean_html("<div>" * (n // 5) + "x", "https://example.com/"),
    }


def _quiet(parse: Callable[[bytes], object], content: bytes) -> object:
    try:
        return parse(content)
    except ScraperError as exc:
        return exc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000,400000", help="input sizes in bytes, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'shape':36}" + "".join(f"{n:>12,}" for n in sizes) + "   growth")
    for name, work in shapes().items():
        seconds = []
        for n in sizes:
            started = time.perf_counter()
            work(n)
            seconds.append(time.perf_counter() - started)
        growth = seconds[-1] / max(seconds[-2], 1e-6) if len(seconds) > 1 else float("nan")
        print(f"{name:36}" + "".join(f"{s:11.3f}s" for s in seconds) + f"   x{growth:.1f}", flush=True)


if __name__ == "__main__":
    main()
