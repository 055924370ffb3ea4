"""Growth benchmark: the cost of storing an article into an archive that already holds N of them.

Run (from the repository root):

    .venv/bin/python benchmarks/bench_growth.py --sizes 0,10000,100000 --n 2000 --workdir /var/tmp/nrg
    .venv/bin/python benchmarks/bench_growth.py --sizes 0,10000,100000,1000000 --rounds 2 \
        --workdir /var/tmp/nrg --build-body-chars 400
    .venv/bin/python benchmarks/bench_growth.py --check-build 3000 --build-body-chars 400

``--build-body-chars 400`` builds the archives from shorter texts (the search index costs about
1.5 ms per 1,500-character article; the measured articles keep 1,500): 1M articles, 12 GB,
take about 1 ms of CPU per article in the writing process (17 minutes) while two workers
prepare them; on a 2-core machine shared with other work it took 55 minutes. A build stopped early is resumed by the next run, and
``--as-built`` measures a stopped build at the size it reached.

1. Build (once; reused from ``--workdir`` when the row count matches): an archive of N synthetic
   articles (bench_archive_synth, 70 % Chinese) holding the rows the real store path writes for
   them (articles, keys, URLs, content hashes, minhash buckets, audit, the flash and filter
   indexes, the search index), written in bulk by ``growth_build`` (workers prepare the rows,
   ``executemany`` in 20,000-article transactions, build-only pragmas; about 1 ms per article
   of one core). Its docstring says how the build differs from ingest; ``--check-build 3000``
   builds 3,000 articles both ways and compares every table and the search index (it prints
   that they are the same, or the differences and exits 1).
2. Measure ingest, each size in a fresh subprocess, ``--rounds`` rounds each measuring every size
   in turn: ``--n`` new articles (distinct texts) stored through ``Archive.store`` into a copy of
   the archive, in batches of ``--batch`` (post files written, search index in the background
   and finished before the clock stops), with a raw page (a real Sina template around the body)
   when ``--raw``. Prints articles/s, CPU ms per article, near-duplicate comparisons per article,
   the ratios to the first size (wall and CPU), and peak RSS of the measuring process. The
   synthetic texts share no clause, so the near-duplicate layer finds no candidate here (0
   comparisons); its bound on templated texts is pinned by tests/test_neardup_bound.py.
3. Measure reading, each archive in a fresh process opened as the CLI opens it: searches (a
   common word, words with a feed, a date range, a later page), newest-first lists of one site,
   exports of a week and of a query over a month, the per-feed status counts. Prints each one's
   ms (second run) and the process's peak RSS (memory flat: compare the sizes).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import growth_build  # noqa: E402
from bench_archive_synth import ArticleFactory, Vocabulary, page_template  # noqa: E402

from archive import Archive  # noqa: E402

NOW = datetime(2024, 6, 1, tzinfo=UTC)
MEASURE_FIRST = 50_000_000  # article numbers of the measured articles: never in a built archive


def build(path: Path, size: int, body_chars: int = 1500) -> float:
    """An archive of ``size`` articles at ``path`` (reused when it holds exactly that many; a build
    stopped early is resumed), by ``growth_build.bulk_build``: the rows of the real store path,
    written fast (see that module for how the build differs from ingest, and ``--check-build``)."""
    done = 0
    if path.exists():
        with Archive(path, path.parent / "posts", background_index=False) as archive:
            done = archive.count()
            pending = archive.pending_index()
        if done == size and not pending:
            return 0.0
        if done > size or done % growth_build.CHUNK or pending:
            shutil.rmtree(path.parent)
            done = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    growth_build.bulk_build(path, done, size, body_chars, NOW)
    return time.perf_counter() - start


def measure(path: Path | None, n: int, batch: int, raw: bool) -> dict[str, object]:
    """Store ``n`` new articles into the archive at ``path`` (a copy; an empty one when None)."""
    work = Path(tempfile.mkdtemp(prefix="nr-growth-"))
    try:
        db = work / "archive.db"
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{path}{suffix}").exists():
                    shutil.copyfile(f"{path}{suffix}", f"{db}{suffix}")
        factory = ArticleFactory(Vocabulary(), seed=99, template=page_template(ROOT) if raw else None)
        articles = list(factory.articles(n, first=MEASURE_FIRST))
        with Archive(db, work / "posts") as archive:
            size = archive.count()
            start, cpu = time.perf_counter(), time.process_time()
            for i in range(0, n, batch):
                archive.store(articles[i : i + batch], now=NOW)
            archive.index_pending()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            checks = archive.resemblance_checks
            t0 = time.perf_counter()
            hits = archive.search("投资", limit=20)
            search_ms = (time.perf_counter() - t0) * 1000
        return {
            "archive_size": size,
            "stored": n,
            "seconds": round(seconds, 2),
            "articles_per_s": round(n / seconds, 1),
            "cpu_ms_per_article": round(cpu * 1000 / n, 2),
            "resemblance_checks_per_article": round(checks / n, 2),
            "search_ms": round(search_ms, 1),
            "search_hits": len(hits),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _searches(archive: Archive) -> dict[str, Callable[[], int]]:
    """Typical reads of a user (search, filters, exports, the status counts); each returns a row count."""
    newest = datetime.fromisoformat(str(archive.search("", limit=1)[0]["published"]))
    week, month = newest - timedelta(days=7), newest - timedelta(days=30)
    return {
        "search 投资": lambda: len(archive.search("投资", limit=20)),
        "search 市场 增长, one feed": lambda: len(archive.search("市场 增长", feed="feed-03", limit=50)),
        "search market, last week": lambda: len(archive.search("market", since=week, limit=50)),
        "search page 5": lambda: len(archive.search("公司", limit=20, offset=80)),
        "newest of one site": lambda: len(archive.search("", site="site-2", limit=50)),
        "export last week": lambda: sum(1 for _ in archive.export(since=week)),
        "export 投资, last month": lambda: sum(1 for _ in archive.export(query="投资", since=month)),
        "status counts": lambda: len(archive.article_counts(now=NOW)),
    }


def measure_search(path: Path) -> dict[str, object]:
    """Peak RSS and times of ``_searches`` in this fresh process, opening ``path`` as the CLI does
    (writable; nothing is queued, so nothing is written). Each read runs twice: ms of the second."""
    with Archive(path, path.parent / "posts", background_index=False) as archive:
        size = archive.count()
        timings: dict[str, float] = {}
        rows: dict[str, int] = {}
        for name, read in _searches(archive).items():
            read()
            t0 = time.perf_counter()
            rows[name] = read()
            timings[name] = round((time.perf_counter() - t0) * 1000, 1)
    return {
        "archive_size": size,
        "search_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "ms": timings,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,10000,100000", help="comma-separated archive sizes")
    parser.add_argument("--n", type=int, default=2000, help="articles stored in each measurement")
    parser.add_argument("--batch", type=int, default=100, help="articles per store() call")
    parser.add_argument("--raw", action="store_true", help="keep a raw page with each article")
    parser.add_argument("--rounds", type=int, default=1, help="measurements per size (median reported)")
    parser.add_argument("--workdir", default=None, help="keep built archives here (reused when present)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--build-body-chars", type=int, default=1500,
                        help="text length of the built archives' articles (the measured ones keep 1,500)")
    parser.add_argument("--as-built", action="store_true",
                        help="measure the archives in --workdir as they are (a build stopped early), not rebuilt")
    parser.add_argument("--check-build", type=int, default=0, metavar="N",
                        help="build N articles in bulk and through the real store path, compare, exit")
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)  # internal: one measurement
    parser.add_argument("--measure-search", default=None, help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()
    if args.check_build:
        problems = growth_build.check(args.check_build, args.build_body_chars)
        print("\n".join(problems) or f"bulk build of {args.check_build} articles = real store path: same rows, same search")
        sys.exit(1 if problems else 0)
    if args.measure_search is not None:
        print(json.dumps(measure_search(Path(args.measure_search)), ensure_ascii=False))
        return
    if args.measure is not None:
        path = Path(args.measure) if args.measure else None
        print(json.dumps(measure(path, args.n, args.batch, args.raw)))
        return
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="nr-growth-"))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    paths: dict[int, Path | None] = {}
    for size in sizes:
        if size == 0:
            paths[size] = None
            continue
        path = work / f"archive-{size}" / "archive.db"
        seconds = 0.0 if args.as_built and path.exists() else build(path, size, args.build_body_chars)
        if seconds:
            print(f"built {size} articles in {seconds:.0f}s", file=sys.stderr, flush=True)
        paths[size] = path
    if args.build_only:
        return
    results: dict[int, list[dict[str, object]]] = {size: [] for size in sizes}
    for _round in range(args.rounds):
        for size in sizes:  # the same round measures every size, one after the other
            cmd = [sys.executable, __file__, "--measure", str(paths[size] or ""), "--n", str(args.n),
                   "--batch", str(args.batch)] + (["--raw"] if args.raw else [])
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results[size].append(json.loads(out.strip().splitlines()[-1]))
    base = None
    for size in sizes:
        rows = sorted(results[size], key=lambda r: float(r["articles_per_s"]))  # type: ignore[arg-type]
        row = dict(rows[len(rows) // 2])
        row["rates_each_round"] = [r["articles_per_s"] for r in results[size]]
        if base is None:
            base = row
        row["rate_ratio_to_first"] = round(float(row["articles_per_s"]) / float(base["articles_per_s"]), 3)  # type: ignore[arg-type]
        row["cpu_ratio_first_over_this"] = round(
            float(base["cpu_ms_per_article"]) / float(row["cpu_ms_per_article"]), 3  # type: ignore[arg-type]
        )
        print(json.dumps(row), flush=True)
    for size in sizes:  # reading: a fresh process per archive, after the ingest rounds
        if paths[size] is not None:
            cmd = [sys.executable, __file__, "--measure-search", str(paths[size])]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            print(out.strip().splitlines()[-1], flush=True)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
