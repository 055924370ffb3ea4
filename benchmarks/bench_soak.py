"""Soak benchmark of the daemon: 50 feeds, 1,000 poll cycles in accelerated time.

Run from the repository root:

    .venv/bin/python benchmarks/bench_soak.py                 # 50 feeds, 1,000 cycles
    .venv/bin/python benchmarks/bench_soak.py --feeds 20 --cycles 200   # a quicker look

How time is accelerated: the daemon's job function (``FeedRunner.run``, exactly what each
APScheduler job of ``newsroll run`` calls: poll the feed over real HTTP, store into a real SQLite
archive, decide the next poll with the backoff policy, record it in the feed's state) runs against
a fake wall clock. A small event loop plays the scheduler: it jumps the clock to the earliest next
poll, fires every feed due within ``--window`` virtual seconds concurrently, and takes each feed's
next poll from the real APScheduler ``IntervalTrigger`` (with its jitter) and the runner's decision
(backoff, floors), as the daemon does with ``modify_job``. Nothing sleeps, so a 5-minute interval
costs only the work of a poll. A cycle is 50 polls (one per feed, on average); resident memory
(psutil RSS, after a gc) is read every 100 cycles, and growth is from cycle 100 to the last one.

The feeds come from a local HTTP server in a child process (so its request log never counts
against our memory): every feed gains a story every 20th poll and answers 304 to a matching
If-None-Match otherwise; a fifth of the feeds fetch article pages (a real saved STCN page); five
feeds fail in bursts of 503s (a burst of 5 every 120 requests) and must back off and recover.

Prints: polls, wall and virtual time, RSS at cycle 100 and at the end (growth %), CPU seconds per
poll (this process only: fetch, parse, extract, store, schedule), polls per feed (min/max for the
healthy feeds, and for the flaky ones), and the outcome counts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import heapq
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from archive import Archive  # noqa: E402
from jobs.config import load_settings  # noqa: E402
from jobs.daemon.feedrun import FeedRunner  # noqa: E402
from jobs.daemon.schedule import build_trigger, feed_plan, spread_offset  # noqa: E402
from jobs.pipeline import PollContext  # noqa: E402
from scraper.fetch import Fetcher  # noqa: E402
from tests.daemon_support import FakeClock, rss_feed, write_config  # noqa: E402

PAGE = ROOT / "tests" / "fixtures" / "pages" / "gne_tests_stcn_1.html"
NEW_EVERY = 20  # a feed gains a story every this many requests
FLAKY = 5  # feeds that fail in bursts
BURST, PERIOD = 5, 120  # 503 for BURST requests out of every PERIOD
LISTING = 10  # stories in a listing


# -- the server (child process) ---------------------------------------------------------------------
def serve_forever(count: int) -> None:
    """Serve ``count`` generated feeds until stdin closes; prints the base URL first."""
    from tests.httpserver import Reply, serve

    with serve() as server:
        base = server.base_url
        hits: Counter[str] = Counter()
        page = PAGE.read_bytes()

        def feed_route(name: str, flaky: bool):
            def reply(request):
                n = hits[name]
                hits[name] += 1
                server.requests.clear()  # keep the server's own log from growing
                if flaky and n % PERIOD >= PERIOD - BURST:
                    return Reply(status=503)
                version = n // NEW_EVERY
                ids = range(version + 1, version + 1 + LISTING)
                return Reply(body=rss_feed(base, name, ids), content_type="application/rss+xml",
                             etag=f'"{name}-{version}"')
            return reply

        for index in range(count):
            name = f"feed{index:02d}"
            server.routes[f"/{name}.xml"] = feed_route(name, index >= count - FLAKY)
        server._reply_for = _with_pages(server._reply_for, page)  # type: ignore[method-assign]
        print(base, flush=True)
        sys.stdin.read()


def _with_pages(original, page: bytes):
    """Every ``*.html`` path is a story page (the saved STCN article)."""
    from tests.httpserver import Reply

    def reply_for(record):
        if record.bare_path.endswith(".html"):
            return Reply(body=page, content_type="text/html; charset=utf-8")
        return original(record)
    return reply_for


# -- the accelerated scheduler ----------------------------------------------------------------------
def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


async def soak(config: Path, feeds: int, cycles: int, window: float,
               cache_pages: int | None = None) -> dict[str, object]:
    settings = load_settings(config)
    clock = FakeClock()
    archive = Archive(settings.archive.database, settings.archive.posts_dir)
    if cache_pages is not None:  # the archive's SQLite page cache grows with the database up to its cap
        archive.db.execute(f"PRAGMA cache_size={int(cache_pages)}")
    polls: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    items: Counter[str] = Counter()
    marks: dict[int, tuple[float, float, int]] = {}
    try:
        async with Fetcher(settings.http) as fetcher:
            runner = FeedRunner(PollContext(settings, fetcher, archive, clock=clock))
            start = clock()
            plans = {f.name: feed_plan(f, settings.schedule, start) for f in settings.feeds}
            triggers, queue = {}, []
            for index, (name, plan) in enumerate(plans.items()):
                first = start + timedelta(seconds=spread_offset(index, len(plans), plan.interval, None))
                triggers[name] = build_trigger(plan, first)
                heapq.heappush(queue, (first, name))
            by_name = {f.name: f for f in settings.feeds}
            total, target = 0, feeds * cycles
            while total < target:
                at, _ = queue[0]
                clock.set(at)
                batch = []
                while queue and queue[0][0] <= at + timedelta(seconds=window):
                    batch.append(heapq.heappop(queue))

                async def fire(run_time, name):
                    scheduled = triggers[name].get_next_fire_time(run_time, clock())
                    result = await runner.run(by_name[name], plans[name], scheduled=scheduled)
                    return name, result

                for name, result in await asyncio.gather(*(fire(t, n) for t, n in batch)):
                    polls[name] += 1
                    outcomes[result.report.status] += 1
                    items.update(new=result.report.new, updated=result.report.updated,
                                 failed=result.report.failed)
                    heapq.heappush(queue, (result.decision.next_run, name))
                before = total
                total += len(batch)
                for mark in range(100, cycles + 1, 100):
                    if before < mark * feeds <= total:
                        gc.collect()
                        marks[mark] = (rss_mb(), cpu_seconds(), total)
            virtual = clock() - start
    finally:
        archive.close()
    return {"polls": polls, "outcomes": outcomes, "items": items, "marks": marks, "virtual": virtual,
            "articles": _count_articles(settings.archive.database),
            "db_mb": sum(p.stat().st_size for p in settings.archive.database.parent.glob("archive.db*")) / 1e6}


def _count_articles(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as db:
        return int(db.execute("select count(*) from articles").fetchone()[0])


def make_config(folder: Path, base: str, feeds: int, full_text_every: int = 5) -> Path:
    entries = []
    for index in range(feeds):
        name = f"feed{index:02d}"
        entries.append({"name": name, "url": f"{base}/{name}.xml", "interval": "5m",
                        "full_text": bool(full_text_every) and index % full_text_every == 0})
    return write_config(folder, entries, schedule={"max_backoff": "1h"},
                        http={"per_host_concurrency": 8, "timeout": 10.0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--window", type=float, default=5.0, help="virtual seconds fired together")
    parser.add_argument("--full-text-every", type=int, default=5,
                        help="every N-th feed fetches article pages (0: none)")
    parser.add_argument("--sqlite-cache-pages", type=int, default=None,
                        help="override the archive's SQLite cache_size (pages), to tell cache from leak")
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve_forever(args.serve)
        return
    if args.cycles < 100 or args.cycles % 100:
        parser.error("--cycles must be a multiple of 100 (memory is read every 100 cycles)")
    logging.basicConfig(level=logging.ERROR)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(args.feeds)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        base = server.stdout.readline().strip() if server.stdout else ""
        with tempfile.TemporaryDirectory() as tmp:
            config = make_config(Path(tmp), base, args.feeds, args.full_text_every)
            wall = time.perf_counter()
            result = asyncio.run(soak(config, args.feeds, args.cycles, args.window, args.sqlite_cache_pages))
            wall = time.perf_counter() - wall
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(10)
    report(result, args, wall)


def report(result: dict[str, object], args: argparse.Namespace, wall: float) -> None:
    polls: Counter[str] = result["polls"]  # type: ignore[assignment]
    marks: dict[int, tuple[float, float, int]] = result["marks"]  # type: ignore[assignment]
    (rss_100, cpu_100, polls_100), (rss_end, cpu_end, polls_end) = marks[100], marks[args.cycles]
    flaky = {f"feed{i:02d}" for i in range(args.feeds - FLAKY, args.feeds)}
    healthy = [n for name, n in polls.items() if name not in flaky]
    failing = [n for name, n in polls.items() if name in flaky]
    growth = (rss_end - rss_100) / rss_100 * 100
    print(f"feeds: {args.feeds} ({FLAKY} flaky), cycles: {args.cycles}, polls: {sum(polls.values())}, "
          f"articles stored: {result['articles']}, database {result['db_mb']:.1f} MB")
    print(f"poll outcomes: {dict(result['outcomes'])}; items: {dict(result['items'])}")  # type: ignore[call-overload]
    print(f"wall time: {wall:.1f} s for {result['virtual']} of virtual time "
          f"({result['virtual'].total_seconds() / wall:,.0f}x accelerated)")  # type: ignore[attr-defined]
    print(f"RSS at cycle 100: {rss_100:.1f} MB; at cycle {args.cycles}: {rss_end:.1f} MB; "
          f"growth {growth:+.1f}% ({'OK' if growth < 10 else 'OVER'} the 10% budget)")
    per_poll = (cpu_end - cpu_100) / max(1, polls_end - polls_100)
    print("RSS by cycle (MB): " + ", ".join(f"{mark}: {rss:.1f}" for mark, (rss, _, _) in sorted(marks.items())))
    if args.sqlite_cache_pages is None:
        print("  (steady growth here is the archive's SQLite page cache filling as the database grows, up to its "
              "cache_size cap; rerun with --sqlite-cache-pages 64 to see the rest)")
    print(f"CPU per poll (cycles 100..{args.cycles}, this process): {per_poll * 1000:.2f} ms")
    print(f"polls per healthy feed: min {min(healthy)}, max {max(healthy)} "
          f"(ratio {min(healthy) / max(healthy):.3f}); per flaky feed: min {min(failing)}, max {max(failing)}")
    print("starved feeds: " + (", ".join(n for n, c in polls.items() if c < 0.5 * max(healthy)) or "none"))


if __name__ == "__main__":
    main()
