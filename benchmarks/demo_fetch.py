"""Run the real ``newsroll fetch`` against a local copy of the test sites, and time it.

Command (from the repository root)::

    python benchmarks/demo_fetch.py [--copies N] [--keep DIR]

A local HTTP server on 127.0.0.1 serves the end-to-end fixtures (Sina roll API with saved Sina
pages, one in GBK behind a lying header; a real Atom feed; a real RSS feed; a maintenance page).
``--copies N`` serves N copies of each feed (distinct URLs and items) to make the run larger.
It prints the CLI's summary lines, then feeds, items, articles stored and wall seconds, and one
rendered post. Nothing touches the network.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.httpserver import Reply, serve  # noqa: E402
from tests.test_end_to_end import SEED_FEED, config_text, routes  # noqa: E402


def copy_routes(base: str, copies: int) -> tuple[dict[str, object], str]:
    table: dict[str, object] = dict(routes(base))
    config = config_text(base)
    roll = table["/api/roll/get"]
    atom = (ROOT / "tests/fixtures/feeds/ruanyifeng-atom.xml").read_bytes()
    for n in range(1, copies):
        assert isinstance(roll, Reply)
        table[f"/api{n}/roll/get"] = Reply(body=roll.body_bytes().replace(b".shtml", f".shtml?copy={n}".encode()),
                                           content_type="application/json")
        table[f"/atom{n}.xml"] = Reply(body=atom.replace(b"ruanyifeng.com/blog/", f"ruanyifeng.com/blog/c{n}/".encode()),
                                       content_type="application/atom+xml")
        config += f"""
[[feeds]]
name = "{SEED_FEED} {n}"
site = "新浪财经"
category = "金融"
kind = "sina_roll"
url = "{base}/api{n}/roll/get?pageid=155&lid=1686&num=50"
rules = "sina"

[[feeds]]
name = "atom {n}"
site = "阮一峰的网络日志"
category = "科技"
kind = "feed"
url = "{base}/atom{n}.xml"
full_text = false
"""
    return table, config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="keep the archive in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="newsroll-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    with serve({}) as server:
        base = server.url("").rstrip("/")
        table, config = copy_routes(base, args.copies)
        server.routes.update(table)
        (folder / "config.toml").write_text(config, encoding="utf-8")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "jobs", "--config", str(folder / "config.toml"), "fetch"],
                                capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        requests = len(server.requests)
    print(result.stdout, end="")
    if result.stderr.strip():
        print("stderr:", result.stderr.strip().splitlines()[-1])
    with sqlite3.connect(folder / "data" / "archive.db") as db:
        articles = db.execute("select count(*) from articles").fetchone()[0]
        post = db.execute("select path from articles where feed = ? order by published desc limit 1",
                          (SEED_FEED,)).fetchone()
    feeds = len(result.stdout.strip().splitlines())
    print(json.dumps({"feeds": feeds, "http_requests": requests, "articles": articles,
                      "seconds": round(seconds, 2), "exit_code": result.returncode}))
    if post:
        print("--- one rendered post:", post[0])
        print((folder / "data" / "posts" / post[0]).read_text(encoding="utf-8")[:1500])


if __name__ == "__main__":
    main()
