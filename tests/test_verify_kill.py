"""kill -9 at random moments of storing, many times: nothing committed is lost, verify is clean."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive import Archive

CHILD = Path(__file__).with_name("test_verify_kill_child.py")
KILLS = 20


def run_and_kill(
    db: Path, posts: Path, start: int, delay: float, after_first_commit: bool
) -> list[list[str]]:
    """Run the child, SIGKILL it ``delay`` s after launch (or after its first commit), return its commits."""
    env = dict(os.environ, PYTHONPATH=str(CHILD.parent.parent))
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(db), str(posts), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    first = b""
    if after_first_commit:
        guard = threading.Timer(60, proc.kill)
        guard.start()
        first = proc.stdout.readline()
        guard.cancel()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    out = first + out
    assert proc.returncode == -signal.SIGKILL, err.decode(errors="replace")[-2000:]
    committed = []
    for line in out.decode("utf-8").splitlines():
        try:
            committed.extend(json.loads(line))
        except json.JSONDecodeError:  # the line being printed when the kill came
            pass
    return committed


@pytest.mark.slow
def test_kill_9_at_random_points_loses_nothing(tmp_path: Path) -> None:
    db, posts = tmp_path / "archive.db", tmp_path / "posts"
    rng = random.Random(20240501)
    committed: list[list[str]] = []
    interrupted = 0  # kills that left posts pending or temp files behind (recovery had work to do)
    for kill in range(KILLS):
        if db.exists():
            with sqlite3.connect(db) as conn:
                pending = conn.execute("select count(*) from pending_files").fetchone()[0]
            conn.close()
            interrupted += bool(pending) or any(p.name.startswith(".") for p in posts.rglob("*"))
        # odd kills: any moment from launch (imports, recovery of the previous kill, first batch);
        # even kills: a random moment of the steady store loop
        after_first = kill % 2 == 0
        delay = rng.uniform(0.0, 0.4) if after_first else rng.uniform(0.1, 1.5)
        committed += run_and_kill(db, posts, kill * 100000, delay, after_first)
    assert len(committed) >= KILLS // 2 * 20, "the children should have committed batches before being killed"
    # about a third of the kills land while posts are being written (fsync dominates that phase)
    assert interrupted >= 1, "no kill interrupted post writing: the test did not exercise recovery"

    # restart: opening the archive finishes what the kills interrupted
    with Archive(db, posts) as archive:
        report = archive.verify()
        assert report.ok, report.problems[:10]
        assert report.orphans == []
        for article_id, title in committed:
            row = archive.get(article_id)
            assert row is not None, f"committed article {article_id} lost"
            titles = {row["title"]} | {r["title"] for r in archive.revisions(article_id)}
            assert title in titles
    hidden = [p for p in posts.rglob("*") if p.name.startswith((".", "_"))]
    assert hidden == []
