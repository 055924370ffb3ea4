"""Stock tagger: precision and recall against the sources' own stock lists, and its cost per article.

    .venv/bin/python benchmarks/bench_stocks.py [--verbose] [--rounds 20]

Precision/recall: tests/fixtures/stocks/labelled.json (built by benchmarks/build_stock_labels.py;
labels are the sources' structured data or page links, see tests/fixtures/stocks/SOURCES.md). The
text is tagged WITHOUT those labels; US tickers are left out of the comparison (no label source
lists them). Printed twice: against the sources' labels as they are, and against the labels after
the hand review in tests/fixtures/stocks/review.tsv (each disagreement read in its text: companies
the sources' auto-linkers did not link are added, words they linked that are not the company —
cities, oceans, data sources — are removed; the tagger's own mistakes stay counted). Cost: tagging (scraper.stocks.tagged_article: links of the page + codes + names) per
article, against the pipeline's per-article work on the same real pages (extract + build_article +
archive.store into a temporary SQLite archive).
"""

from __future__ import annotations

import argparse
import json
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


def accuracy(records: list[dict[str, Any]], verbose: bool) -> None:
    directory = default_directory()
    tp = fp = fn = 0
    by_origin: dict[str, list[int]] = {}
    for record in records:
        found = {t.code for t in tag_text(record["text"], directory) if not t.code.startswith("US:")}
        labels = set(record["labels"])
        counts = by_origin.setdefault(record["label_from"], [0, 0, 0])
        for i, n in enumerate((len(found & labels), len(found - labels), len(labels - found))):
            counts[i] += n
        tp, fp, fn = tp + len(found & labels), fp + len(found - labels), fn + len(labels - found)
        if verbose and found != labels:
            extra = [(c, directory.name_of(c)) for c in sorted(found - labels)]
            missed = [(c, directory.name_of(c)) for c in sorted(labels - found)]
            print(f"  {record['id']}: not labelled {extra} missed {missed}")
    print(f"labelled set: {len(records)} texts, {tp + fn} labels")
    for origin, (a, b, c) in by_origin.items():
        print(f"  {origin:40s} tp={a:3d} fp={b:3d} fn={c:3d}")
    print(f"precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, tp + fn):.3f}  (tp={tp} fp={fp} fn={fn})")


def cost(rounds: int) -> None:
    directory = default_directory()
    identity = FeedIdentity("bench", "新浪财经", "金融", None)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    pages = [(p.read_bytes(), f"https://finance.sina.com.cn/roll/{p.stem}.shtml") for p in PAGES]
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "a.db", Path(tmp) / "posts", background_index=False)
        pipeline = tagging = 0.0
        stored = 0
        for round_number in range(rounds):
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
                stored += 1
        archive.close()
    per_pipeline, per_tag = pipeline / stored * 1000, tagging / stored * 1000
    print(f"cost per article over {stored} stores of {len(pages)} real pages: pipeline (extract+build+store) "
          f"{per_pipeline:.2f} ms, tagging {per_tag:.2f} ms = {100 * per_tag / per_pipeline:.1f}% added")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    records = json.loads(LABELS.read_text(encoding="utf-8"))
    print("== against the sources' labels as they are")
    accuracy(records, args.verbose)
    print("== against the reviewed labels (tests/fixtures/stocks/review.tsv)")
    accuracy(reviewed(records), args.verbose)
    cost(args.rounds)


if __name__ == "__main__":
    main()
