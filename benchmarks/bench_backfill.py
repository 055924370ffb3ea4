"""Backfill throughput (items/s) against a local Sina-style roll API, politeness off.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_backfill                      # defaults below
    .venv/bin/python -m benchmarks.bench_backfill --items 5000 --full-text-items 1000 --rounds 3

What is measured, each in a fresh archive (a real SQLite file and post tree in a temp folder),
through ``jobs.backfill.backfill_feed`` exactly as ``newsroll backfill`` runs it (real Fetcher,
pipeline, archive):

* ``full text off``   N items, 50 a page: listing pages only, items built from the roll rows;
* ``rerun (known)``   the same backfill again: every item is known, nothing is written;
* ``drift``           full text off while 7 new items arrive at the top every 3rd request;
* ``full text on``    M items, each article page fetched and extracted (generic extractor).

The ``store`` column is the share of the wall time spent inside ``Archive.store`` (SQLite
transaction plus one atomic, fsynced post file per article), timed by wrapping that method.

Politeness is off: ``per_host_interval = 0`` and ``per_host_concurrency`` = ``--concurrency``.
The server (tests/httpserver.py serving the generated roll API of the backfill tests and small
article pages) runs in a child process so it does not share the client's interpreter lock; on a
2-core machine the two still share the CPU, so read the figures as a floor. Each figure is the
median of ``--rounds`` runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from archive import Archive
from tests.backfill_support import RollAPI, config_text, run_backfill, write_config
from tests.httpserver import serve

STORE_SECONDS = [0.0]


def _timed_store(original: Callable[..., Any]) -> Callable[..., Any]:
    def store(self: Archive, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            STORE_SECONDS[0] += time.perf_counter() - started
    return store


def _serve(conn: Connection, items: int, drift: bool) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        api = RollAPI(base, items, pages=server)
        if drift:
            api.grow = lambda n: 7 if n and n % 3 == 0 else 0
        server.routes["/api/roll/get"] = api
        conn.send(base)
        conn.recv()  # until told to stop


def _run(items: int, *, full_text: bool, concurrency: int, drift: bool = False,
         rerun: bool = False) -> tuple[float, int, int, float]:
    """One backfill in a fresh archive: (seconds, items archived or seen, listing pages, store seconds)."""
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, items, drift), daemon=True)
    server.start()
    try:
        base = parent.recv()
        with tempfile.TemporaryDirectory() as folder:
            config = write_config(Path(folder), config_text(base, full_text=full_text, concurrency=concurrency))
            if rerun:
                run_backfill(config)
            STORE_SECONDS[0] = 0.0
            started = time.perf_counter()
            outcome = run_backfill(config)
            seconds = time.perf_counter() - started
        report = outcome.report
        if report.status != "complete":
            raise SystemExit(f"backfill did not complete: {report.line()}")
        count = report.tally.items if rerun else report.tally.new
        return seconds, count, report.tally.pages, STORE_SECONDS[0]
    finally:
        parent.send("stop")
        server.join(10)


def _measure(label: str, rounds: int, items: int, **kwargs: bool | int) -> None:
    runs = [_run(items, **kwargs) for _ in range(rounds)]  # type: ignore[arg-type]
    seconds = statistics.median(r[0] for r in runs)
    store = statistics.median(r[3] / r[0] for r in runs)
    count, pages = runs[0][1], runs[0][2]
    print(f"{label:<16} {count:>6} items  {pages:>4} pages  {seconds:7.2f} s  {count / seconds:8.1f} items/s"
          f"  {pages / seconds:6.1f} pages/s  store {store:4.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=3000, help="roll items for the full-text-off runs")
    parser.add_argument("--full-text-items", type=int, default=500, help="roll items for the full-text run")
    parser.add_argument("--concurrency", type=int, default=16, help="per-host concurrency (politeness off)")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    Archive.store = _timed_store(Archive.store)  # type: ignore[method-assign]
    print(f"backfill throughput, politeness off (interval 0, per-host concurrency {args.concurrency}), "
          f"median of {args.rounds} round(s)")
    _measure("full text off", args.rounds, args.items, full_text=False, concurrency=args.concurrency)
    _measure("rerun (known)", args.rounds, args.items, full_text=False, concurrency=args.concurrency, rerun=True)
    _measure("drift", args.rounds, args.items, full_text=False, concurrency=args.concurrency, drift=True)
    _measure("full text on", args.rounds, args.full_text_items, full_text=True, concurrency=args.concurrency)


if __name__ == "__main__":
    main()
