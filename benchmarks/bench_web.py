"""Datasette plugin benchmark: search latency through Datasette against ``Archive.search``.

Run (from the repository root; needs the web extra):

    .venv/bin/python benchmarks/bench_web.py --n 30000 --per-class 5 --workdir /var/tmp/nrw

Builds (or reuses) a DB-only archive of ``--n`` synthetic articles (benchmarks/bench_archive.py's
generator and query classes), then times, per query, the median of 3 runs of:

- ``archive``: ``Archive.search`` (limit 50), what ``newsroll search`` runs;
- ``ranked``: ``/archive/articles.json?_search=…&_shape=array`` through Datasette's own ASGI app
  (datasette.client, no socket): the plugin hands it to the canned query ``search``;
- ``table``: ``/archive/articles.json?_search=…&_sort_desc=published``: Datasette's table view
  (escape_fts rewritten by the plugin), with its count and the feed/site/category facets.

Prints p50 and max per query class, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Archive  # noqa: E402
from benchmarks.bench_archive import build_search_db, query_set  # noqa: E402


async def _timed_get(client: object, path: str, params: dict[str, str]) -> float:
    start = time.perf_counter()
    response = await client.get(path, params=params)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: HTTP {response.status_code} {response.text[:200]}")
    return elapsed


async def run(db: Path, per_class: int) -> None:
    from datasette.app import Datasette

    ds = Datasette([str(db)], settings={"sql_time_limit_ms": 60_000})
    await ds.invoke_startup()
    archive = Archive(db, db.parent / "unused-posts")
    queries = query_set(random.Random(7), per_class)
    print(f"{'class':28} {'archive p50/max':>18} {'ranked p50/max':>18} {'table p50/max':>18}  (ms)")
    try:
        for language, classes in queries.items():
            for name, words in classes.items():
                times: dict[str, list[float]] = {"archive": [], "ranked": [], "table": []}
                for query in words:
                    for kind in times:
                        runs = []
                        for _ in range(3):
                            if kind == "archive":
                                start = time.perf_counter()
                                archive.search(query, limit=50)
                                runs.append(time.perf_counter() - start)
                            elif kind == "ranked":
                                runs.append(await _timed_get(ds.client, f"/{db.stem}/articles.json",
                                                             {"_search": query, "_shape": "array"}))
                            else:
                                runs.append(await _timed_get(ds.client, f"/{db.stem}/articles.json",
                                                             {"_search": query, "_sort_desc": "published"}))
                        times[kind].append(statistics.median(runs))
                cells = " ".join(
                    f"{statistics.median(v) * 1000:8.1f}/{max(v) * 1000:8.1f}".rjust(18) for v in times.values()
                )
                print(f"{language + ' ' + name:28} {cells}", flush=True)
    finally:
        archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000)
    parser.add_argument("--per-class", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/var/tmp/newsroll-bench-web"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / f"archive-{args.n}.db"
    built = build_search_db(db, args.n)
    how = f"built in {built:.0f} s" if built else "reused"
    print(f"archive: {args.n} articles ({how}), {db.stat().st_size / 1e6:.0f} MB")
    asyncio.run(run(db, args.per_class))


if __name__ == "__main__":
    main()
