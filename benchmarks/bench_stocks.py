"""Stock tagger: precision and recall against the sources' own stock lists, and its cost per article.

    .venv/bin/python benchmarks/bench_stocks.py [--verbose] [--rounds 20]

Precision/recall: tests/fixtures/stocks/labelled.json (built by benchmarks/build_stock_labels.py;
labels are the sources' structured data or page links, see tests/fixtures/stocks/SOURCES.md). The
text is tagged WITHOUT those labels and compared per source (``label_from``), A-share/Hong Kong codes
and US tickers in two tables. Each row gives the figures against the source's labels as they are
and against the labels after the hand review in tests/fixtures/stocks/review.tsv (each disagreement read in its text: companies
the sources' auto-linkers did not link are added, words they linked that are not the company —
cities, oceans, data sources — are removed; the tagger's own mistakes stay counted).

Cost: tagging (scraper.stocks.tagged_article: links of the page + codes + names) per
article, against the pipeline's per-article work on the same real pages (extract + build_article +
archive.store into a temporary SQLite archive).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import Archive
from scraper.extract import extract
from scraper.models import FeedItem
from scraper.normalize import FeedIdentity, build_article
from scraper.stocks import default_directory, tag_text, tagged_article

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "fixtures" / "stocks" / "labelled.json"
REVIEW = ROOT / "tests" / "fixtures" / "stocks" / "review.tsv"
PAGES = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))


def reviewed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with review.tsv's verdicts applied to their labels."""
    verdicts: dict[str, dict[str, str]] = {}
    for line in REVIEW.read_text(encoding="utf-8").splitlines()[1:]:
        record_id, code, verdict, _note = line.split("\t")
        verdicts.setdefault(record_id, {})[code] = verdict
    out = []
    for record in records:
        labels = set(record["labels"])
        for code, verdict in verdicts.get(record["id"], {}).items():
            (labels.add if verdict == "mentioned" else labels.discard)(code)
        out.append({**record, "labels": sorted(labels)})
    return out


def score(records: list[dict[str, Any]], *, us: bool, verbose: bool) -> dict[str, list[int]]:
    """Per source (``label_from``): [texts, tp, fp, fn] of the text tagger against the labels, for
    A/H-share codes (``us=False``) or US tickers (``us=True``)."""
    directory = default_directory()
    by_origin: dict[str, list[int]] = {}
    for record in records:
        keep = (lambda c: c.startswith("US:")) if us else (lambda c: not c.startswith("US:"))
        found = {t.code for t in tag_text(record["text"], directory) if keep(t.code)}
        labels = {c for c in record["labels"] if keep(c)}
        counts = by_origin.setdefault(record["label_from"], [0, 0, 0, 0])
        for i, n in enumerate((1, len(found & labels), len(found - labels), len(labels - found))):
            counts[i] += n
        if verbose and found != labels:
            extra = [(c, directory.name_of(c)) for c in sorted(found - labels)]
            missed = [(c, directory.name_of(c)) for c in sorted(labels - found)]
            print(f"  {record['id']}: not labelled {extra} missed {missed}")
    return by_origin


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def accuracy(raw: list[dict[str, Any]], verbose: bool) -> None:
    """One table: per source, precision/recall against its list as it is and after the review."""
    checked = reviewed(raw)
    for us in (False, True):
        print(f"== {'US tickers' if us else 'A-share and Hong Kong codes'}: the text tagger against each source's list"
              " (raw = as the source gives it; reviewed = tests/fixtures/stocks/review.tsv applied)")
        if verbose:
            print("-- raw disagreements")
        as_is = score(raw, us=us, verbose=verbose)
        if verbose:
            print("-- reviewed disagreements")
        after = score(checked, us=us, verbose=verbose)
        print(f"  {'source (label_from)':44s} {'texts':>5s} {'labels':>6s} | {'raw P':>6s} {'raw R':>6s} | "
              f"{'rev. labels':>11s} {'rev. P':>6s} {'rev. R':>6s}")
        totals = [[0, 0, 0, 0], [0, 0, 0, 0]]
        for origin in as_is:
            a, b = as_is[origin], after[origin]
            for total, counts in zip(totals, (a, b), strict=True):
                for i in range(4):
                    total[i] += counts[i]
            print(f"  {origin:44s} {a[0]:5d} {a[1] + a[3]:6d} | {_ratio(a[1], a[1] + a[2]):>6s} "
                  f"{_ratio(a[1], a[1] + a[3]):>6s} | {b[1] + b[3]:11d} {_ratio(b[1], b[1] + b[2]):>6s} "
                  f"{_ratio(b[1], b[1] + b[3]):>6s}")
        a, b = totals
        print(f"  {'all':44s} {a[0]:5d} {a[1] + a[3]:6d} | {_ratio(a[1], a[1] + a[2]):>6s} "
              f"{_ratio(a[1], a[1] + a[3]):>6s} | {b[1] + b[3]:11d} {_ratio(b[1], b[1] + b[2]):>6s} "
              f"{_ratio(b[1], b[1] + b[3]):>6s}   (raw tp={a[1]} fp={a[2]} fn={a[3]}; reviewed tp={b[1]} fp={b[2]} fn={b[3]})")


def cost(rounds: int) -> None:
    """Per round over every page: the pipeline's own steps and the tagging step of each article,
    timed around each call in the same loop (interleaved); the figure is the median of the rounds'
    ratios. The list and automaton are built before (their one-off cost is printed apart)."""
    started = time.perf_counter()
    default_directory.cache_clear()
    directory = default_directory()
    built = time.perf_counter()
    directory.matcher  # noqa: B018 (the automaton, built on first tagging)
    print(f"one-off per process: company list {1000 * (built - started):.0f} ms, "
          f"name automaton {1000 * (time.perf_counter() - built):.0f} ms")
    identity = FeedIdentity("bench", "新浪财经", "金融", None)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    pages = [(p.read_bytes(), f"https://finance.sina.com.cn/roll/{p.stem}.shtml") for p in PAGES]
    ratios: list[float] = []
    per_pipeline: list[float] = []
    per_tag: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "a.db", Path(tmp) / "posts", background_index=False)
        for round_number in range(rounds):
            pipeline = tagging = 0.0
            for n, (raw, url) in enumerate(pages):
                item = FeedItem(url=f"{url}?r={round_number}", title=f"t{round_number}-{n}", guid=f"{round_number}-{n}",
                                published=now)
                started = time.perf_counter()
                extracted = extract(raw, url, charset=None)
                article = build_article(identity, item, now=now, extracted=extracted, raw_html=raw)
                middle = time.perf_counter()
                article = tagged_article(article, directory)
                tagged = time.perf_counter()
                archive.store([article], now=now)
                done = time.perf_counter()
                pipeline += (middle - started) + (done - tagged)
                tagging += tagged - middle
            ratios.append(tagging / pipeline)
            per_pipeline.append(pipeline / len(pages) * 1000)
            per_tag.append(tagging / len(pages) * 1000)
        archive.close()
    ratios.sort()
    print(f"cost per article, {rounds} rounds of {len(pages)} real pages (extract+build+store vs tagging, interleaved): "
          f"median pipeline {statistics.median(per_pipeline):.2f} ms, tagging {statistics.median(per_tag):.2f} ms; "
          f"tagging adds {100 * statistics.median(ratios):.1f}% (median of rounds; "
          f"min {100 * ratios[0]:.1f}%, max {100 * ratios[-1]:.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    records = json.loads(LABELS.read_text(encoding="utf-8"))
    accuracy(records, args.verbose)
    if args.rounds > 0:
        cost(args.rounds)


if __name__ == "__main__":
    main()
