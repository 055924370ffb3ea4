"""Full-text backfill against the machine's ceiling, both measured in one run on one fast server.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_ceiling                       # 3,000 pages, 2 rounds (A,B,A,B)
    .venv/bin/python -m benchmarks.bench_ceiling --items 3000 --rounds 3 --concurrency 10
    .venv/bin/python -m benchmarks.bench_ceiling --baseline ../newsroll-old   # also another checkout's newsroll

One fast local server (:mod:`benchmarks.fastserver`, its own process: a Sina roll API over N items
and N distinct ~230 KB real-template Sina article pages, all precomputed) serves, in alternating
rounds (A, B, A, B, …):

* **A, the ceiling**: a child process with a plain ``httpx.AsyncClient`` keeping ``--concurrency``
  requests in flight: the roll pages, then every article page, each parsed with selectolax
  (title from ``h1.main-title``, body text of ``div#artibody``) and inserted into a fresh SQLite
  file in batches of 500 rows (``executemany``, one transaction a batch);
* **B, newsroll**: ``newsroll backfill FEED --full-text`` (the real CLI in a child process) into a
  fresh archive, politeness off through the config (``per_host_interval = 0``,
  ``per_host_concurrency = --concurrency``, ``obey_robots = false``), the feed's rules ``sina``.
  Everything newsroll does for a page counts: fetch, decode, extraction with the site rules,
  cleaning, the article record, company tagging, dedup, the raw page kept for ``reparse``, the
  SQLite rows and search index, the post file, checkpoints, the process start.

Both are timed from outside (wall clock from spawn to exit) with the child's CPU seconds (user +
system, from ``wait4``); the server's CPU seconds per round are read from /proc when available.
With ``--baseline DIR`` (a checkout of another version, e.g. ``git worktree add ../old main``), that
version's ``newsroll backfill`` runs too in every round, right after this one's, on the same server
and with the same interpreter: a before/after in one run. Printed: each round's pages/s and CPU of A and B, their ratio B/A, and the median ratio over
the rounds. On a shared 2-core machine absolute figures move from run to run: read the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEED = "新浪财经－国內"
ROLL_NUM = 50
BATCH = 500


@dataclass(frozen=True)
class Measure:
    pages: int
    seconds: float
    cpu: float
    server_cpu: float | None

    @property
    def rate(self) -> float:
        return self.pages / self.seconds


# -- A: the ceiling (runs in a child process) ------------------------------------------------------
async def _ceiling(base: str, database: Path, concurrency: int) -> int:
    import httpx
    from selectolax.lexbor import LexborHTMLParser

    conn = sqlite3.connect(database)
    conn.execute("create table pages (url text primary key, title text, body text)")
    rows: list[tuple[str, str, str]] = []
    stored = 0

    def flush() -> None:
        nonlocal stored
        with conn:
            conn.executemany("insert into pages values (?, ?, ?)", rows)
        stored += len(rows)
        rows.clear()

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        roll = f"{base}/api/roll/get?pageid=155&lid=1686&num={ROLL_NUM}"
        first = (await client.get(f"{roll}&page=1")).json()["result"]
        total = int(first["total"])
        listings = [first] + [
            r.json()["result"] for r in await asyncio.gather(
                *(client.get(f"{roll}&page={p}") for p in range(2, -(-total // ROLL_NUM) + 1)))]
        urls = asyncio.Queue[str]()
        for listing in listings:
            for item in listing["data"]:
                urls.put_nowait(item["url"])

        async def worker() -> None:
            while not urls.empty():
                url = urls.get_nowait()
                response = await client.get(url)
                tree = LexborHTMLParser(response.content)
                title, body = tree.css_first("h1.main-title"), tree.css_first("div#artibody")
                rows.append((url, title.text() if title else "", body.text(separator="\n") if body else ""))
                if len(rows) >= BATCH:
                    flush()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    if rows:
        flush()
    conn.close()
    return stored


# -- B: newsroll ------------------------------------------------------------------------------------
def _config(folder: Path, base: str, concurrency: int) -> Path:
    path = folder / "config.toml"
    path.write_text(f"""
[archive]
database = "data/archive.db"
posts_dir = "data/posts"

[http]
user_agent = "newsroll-bench/1.0"
timeout = 30.0
max_attempts = 2
per_host_interval = 0
per_host_concurrency = {concurrency}
obey_robots = false

[[feeds]]
name = "{FEED}"
site = "新浪财经"
category = "金融"
kind = "sina_roll"
url = "{base}/api/roll/get?pageid=155&lid=1686&num={ROLL_NUM}"
full_text = true
rules = "sina"
""", encoding="utf-8")
    return path


# -- the driver ---------------------------------------------------------------------------------------
def _process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants_cpu(root: int, seen: dict[int, float]) -> None:
    """Update ``seen`` (pid → CPU seconds) with ``root`` and every process below it (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    todo = [root]
    while todo:
        pid = todo.pop()
        cpu = _process_cpu(pid)
        if cpu is not None:
            seen[pid] = max(seen.get(pid, 0.0), cpu)
        todo.extend(parents.get(pid, []))


def _run(command: list[str], server_pid: int, cwd: Path = ROOT) -> tuple[float, float, float | None, str]:
    """Run ``command``: (wall seconds, CPU seconds of it and the processes it started, the server's CPU
    seconds meanwhile, its stdout).

    The CPU is the larger of two lower bounds: the kernel's count for the child and what it reaped
    (``wait4``), and the sum over the child and every process below it sampled from /proc every
    0.1 s (worker processes that are not reaped through the child are only seen this way).
    """
    server_before = _process_cpu(server_pid)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        child = subprocess.Popen(command, cwd=cwd, stdout=out_file, stderr=err_file, text=True)
        sampled: dict[int, float] = {}
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            _descendants_cpu(child.pid, sampled)
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    if code != 0:
        raise SystemExit(f"{' '.join(command[:5])}… exited {code}:\n{err[-3000:]}")
    server_after = _process_cpu(server_pid)
    server = server_after - server_before if server_before is not None and server_after is not None else None
    return seconds, max(usage.ru_utime + usage.ru_stime, sum(sampled.values())), server, out


def _round_ceiling(base: str, items: int, concurrency: int, server_pid: int) -> Measure:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "ceiling.db"
        seconds, cpu, server, out = _run([sys.executable, "-m", "benchmarks.bench_ceiling", "--ceiling-child",
                                          base, str(database), "--concurrency", str(concurrency)], server_pid)
    stored = int(out.split()[-1])
    if stored != items:
        raise SystemExit(f"the ceiling stored {stored} pages, expected {items}")
    return Measure(stored, seconds, cpu, server)


def _round_newsroll(base: str, items: int, concurrency: int, server_pid: int, root: Path = ROOT) -> Measure:
    with tempfile.TemporaryDirectory() as folder:
        config = _config(Path(folder), base, concurrency)
        seconds, cpu, server, out = _run([sys.executable, "-m", "jobs", "--config", str(config), "backfill", FEED,
                                          "--full-text"], server_pid, cwd=root)
    # A page whose drawn sentences happen to look alike may be merged by the near-duplicate check:
    # it was fetched and processed all the same.
    if f"{items} items seen" not in out or " 0 failed" not in out:
        raise SystemExit(f"newsroll did not process {items} full-text pages: {out.strip()}")
    return Measure(items, seconds, cpu, server)


def _line(label: str, m: Measure) -> str:
    server = f"  server CPU {m.server_cpu:5.1f} s" if m.server_cpu is not None else ""
    return (f"  {label:<9} {m.pages:>6} pages  {m.seconds:7.2f} s  {m.rate:7.1f} pages/s  "
            f"CPU {m.cpu:6.1f} s ({1000 * m.cpu / m.pages:5.2f} ms/page){server}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=3000, help="roll items = article pages")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (ceiling, newsroll)")
    parser.add_argument("--concurrency", type=int, default=10, help="requests in flight (both sides)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="also run the newsroll of this checkout (another version) in each round")
    parser.add_argument("--ceiling-child", nargs=2, metavar=("BASE", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ceiling_child:
        base, database = args.ceiling_child
        print(asyncio.run(_ceiling(base, Path(database), args.concurrency)))
        return
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.fastserver", "--items", str(args.items)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        if not base.startswith("http://"):
            raise SystemExit("the fast server did not start")
        print(f"full-text backfill vs ceiling: {args.items} Sina pages from {base}, "
              f"{args.concurrency} in flight, {args.rounds} round(s), {os.cpu_count()} CPUs")
        ratios: list[float] = []
        baselines: list[float] = []
        for number in range(1, args.rounds + 1):
            ceiling = _round_ceiling(base, args.items, args.concurrency, server.pid)
            newsroll = _round_newsroll(base, args.items, args.concurrency, server.pid)
            ratios.append(newsroll.rate / ceiling.rate)
            print(f"round {number}: ratio newsroll/ceiling {ratios[-1]:.2f}")
            print(_line("ceiling", ceiling))
            print(_line("newsroll", newsroll))
            if args.baseline:
                baseline = _round_newsroll(base, args.items, args.concurrency, server.pid, root=args.baseline)
                baselines.append(baseline.rate / ceiling.rate)
                print(_line("baseline", baseline) + f"  ratio {baselines[-1]:.2f}")
        print(f"median ratio newsroll/ceiling over {len(ratios)} round(s): {statistics.median(ratios):.2f}")
        if baselines:
            print(f"median ratio baseline ({args.baseline})/ceiling: {statistics.median(baselines):.2f}")
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
