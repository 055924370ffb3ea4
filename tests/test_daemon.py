"""The real `newsroll run` in a subprocess against a real local HTTP server, with second-level
intervals: cycles across feeds, a failing feed backing off and recovering, clean shutdown on
SIGTERM (also in the middle of a slow fetch), the forced second signal, and one daemon per archive.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.daemon_support import DaemonProcess, rss_feed, run_cli, write_config
from tests.httpserver import Reply, TestServer

RSS = "application/rss+xml"



def growing_feed(server: TestServer, name: str) -> Any:
    """A listing that gains one story every second request."""
    def reply(request: Any) -> Reply:
        count = len(server.requests_for(f"/{name}.xml"))
        return Reply(body=rss_feed(server.base_url, name, range(1, 2 + count // 2)), content_type=RSS)
    return reply


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 2) for a, b in zip(times, times[1:], strict=False)]


def scheduled_times(daemon: DaemonProcess, feed: str) -> list[float]:
    """When the scheduler meant each run of ``feed`` to start (the run line's ``scheduled_at``).

    The cadence is checked on these, not on when requests reached the test server: on a loaded
    machine a request may leave late, which says nothing about the schedule.
    """
    return [datetime.fromisoformat(r["scheduled_at"]).timestamp() for r in run_lines(daemon, feed)]


def run_lines(daemon: DaemonProcess, feed: str) -> list[dict[str, Any]]:
    return [r for r in daemon.records() if r.get("logger") == "jobs.feedrun" and r.get("feed") == feed]


def articles_in(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("select count(*) from articles").fetchone()[0])


@pytest.mark.slow
def test_cycles_across_feeds_with_one_failing_then_recovering(tmp_path: Path, server: TestServer) -> None:
    for name in ("alpha", "beta"):
        server.routes[f"/{name}.xml"] = growing_feed(server, name)
    server.routes["/gamma.xml"] = Reply(body=rss_feed(server.base_url, "gamma", [1, 2]), content_type=RSS,
                                        etag='"g1"')  # 304 after the first poll
    good = Reply(body=rss_feed(server.base_url, "flaky", [1, 2, 3]), content_type=RSS)
    server.routes["/flaky.xml"] = [Reply(status=503)] * 3 + [good]
    feeds = [{"name": n, "url": server.url(f"/{n}.xml"), "interval": "1s"} for n in ("alpha", "beta", "gamma")]
    feeds.append({"name": "flaky", "url": server.url("/flaky.xml"), "interval": "1s"})
    config = write_config(tmp_path, feeds, schedule={"max_backoff": "2s"})
    daemon = DaemonProcess(config)
    try:
        daemon.wait_started()
        daemon.wait_for(lambda: len(server.requests_for("/flaky.xml")) >= 6, 16, "flaky to recover and poll again")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.log()
    finally:
        daemon.close()

    for name in ("alpha", "beta", "gamma"):
        times = [r.time for r in server.requests_for(f"/{name}.xml")]
        assert len(times) >= 5, (name, times)
        planned = scheduled_times(daemon, name)
        assert len(planned) == len(times), (name, planned, times)
        assert min(gaps(planned)) >= 0.95, (name, gaps(planned))  # never sooner than the interval
        assert max(gaps(planned)) <= 2.0, (name, gaps(planned))  # interval + 10% jitter, no slot lost
        assert len(run_lines(daemon, name)) == len(times)  # one log line per run
    assert {r["status"] for r in run_lines(daemon, "gamma")[1:]} == {"not_modified"}

    flaky = [r.time for r in server.requests_for("/flaky.xml")]
    assert len(scheduled_times(daemon, "flaky")) == len(flaky)
    backoff_gaps, recovered_gaps = gaps(flaky)[:3], gaps(flaky)[3:]
    assert all(1.8 <= g <= 3.0 for g in backoff_gaps), gaps(flaky)  # 2 s capped backoff (±10%)
    assert all(0.95 <= g <= 2.0 for g in recovered_gaps), gaps(flaky)  # back to the 1 s rhythm
    statuses = [r["status"] for r in run_lines(daemon, "flaky")]
    assert statuses[:4] == ["failed", "failed", "failed", "ok"]
    first = run_lines(daemon, "alpha")[0]
    assert {"feed", "status", "new", "updated", "duplicates", "failed", "seconds"} <= set(first)
    assert first["new"] == 1 and first["status"] == "ok"

    rows = {row["name"]: row for row in json.loads(run_cli(config, "feeds", "--format", "json").stdout)}
    assert rows["flaky"]["consecutive_failures"] == 0 and rows["flaky"]["backoff"] is None
    assert all(rows[name]["next_run"] for name in rows)
    assert rows["alpha"]["articles_24h"] >= 2
    assert articles_in(tmp_path / "data" / "archive.db") >= 2 + 2 + 2 + 3
    verify = run_cli(config, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_sigterm_during_a_slow_fetch_finishes_it_and_exits_0(tmp_path: Path, server: TestServer) -> None:
    server.routes["/slow.xml"] = Reply(body=rss_feed(server.base_url, "slow", [1, 2, 3]), content_type=RSS,
                                       delay=2.0)
    config = write_config(tmp_path, [{"name": "slow", "url": server.url("/slow.xml"), "interval": "1h"}],
                          schedule={"shutdown_timeout": "10s"})
    daemon = DaemonProcess(config)
    try:
        daemon.wait_started()
        daemon.wait_for(lambda: server.requests_for("/slow.xml"), 10, "the slow request")
        sent = time.monotonic()
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.log()
        waited = time.monotonic() - sent
    finally:
        daemon.close()
    assert 1.0 <= waited <= 8.0, waited  # it waited for the in-flight poll, not for the deadline
    assert [r["status"] for r in run_lines(daemon, "slow")] == ["ok"]
    assert articles_in(tmp_path / "data" / "archive.db") == 3
    assert "daemon stopped cleanly" in daemon.log()
    verify = run_cli(config, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_shutdown_deadline_cancels_a_hung_poll(tmp_path: Path, server: TestServer) -> None:
    server.routes["/hung.xml"] = Reply(body=b"never", delay=60.0)
    config = write_config(tmp_path, [{"name": "hung", "url": server.url("/hung.xml"), "interval": "1h"}],
                          schedule={"shutdown_timeout": "1s"}, http={"timeout": 60.0})
    daemon = DaemonProcess(config)
    try:
        daemon.wait_started()
        daemon.wait_for(lambda: server.requests_for("/hung.xml"), 10, "the hung request")
        sent = time.monotonic()
        daemon.signal(signal.SIGINT)
        assert daemon.wait() == 0, daemon.log()
        assert time.monotonic() - sent < 5.0
    finally:
        daemon.close()
    assert "poll cancelled at shutdown" in daemon.log()
    assert "Traceback" not in daemon.log()
    assert run_cli(config, "verify").returncode == 0


def test_second_signal_exits_at_once_without_corrupting(tmp_path: Path, server: TestServer) -> None:
    server.routes["/ok.xml"] = Reply(body=rss_feed(server.base_url, "ok", [1, 2]), content_type=RSS)
    server.routes["/hung.xml"] = Reply(body=b"never", delay=60.0)
    feeds = [{"name": "ok", "url": server.url("/ok.xml"), "interval": "1h"},
             {"name": "hung", "url": server.url("/hung.xml"), "interval": "1h"}]
    config = write_config(tmp_path, feeds, schedule={"shutdown_timeout": "30s", "startup_spread": 0},
                          http={"timeout": 60.0})
    daemon = DaemonProcess(config)
    try:
        daemon.wait_started()
        daemon.wait_for(lambda: run_lines(daemon, "ok") and server.requests_for("/hung.xml"), 10, "both polls")
        daemon.signal(signal.SIGTERM)
        daemon.wait_for(lambda: "stopping" in daemon.log(), 5, "the first signal")
        sent = time.monotonic()
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 128 + signal.SIGTERM
        assert time.monotonic() - sent < 3.0
    finally:
        daemon.close()
    assert "second stop signal" in daemon.log()
    assert articles_in(tmp_path / "data" / "archive.db") == 2
    verify = run_cli(config, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_second_daemon_on_the_same_archive_is_refused(tmp_path: Path, server: TestServer) -> None:
    server.routes["/a.xml"] = Reply(body=rss_feed(server.base_url, "a", [1]), content_type=RSS)
    config = write_config(tmp_path, [{"name": "a", "url": server.url("/a.xml"), "interval": "1h"}])
    first = DaemonProcess(config)
    try:
        first.wait_started()
        second = run_cli(config, "run", timeout=20)
        assert second.returncode == 2
        assert "already running on this archive" in second.stderr
        assert f"pid {first.proc.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        assert run_cli(config, "run", "--once").returncode == 2
        first.signal(signal.SIGTERM)
        assert first.wait() == 0
    finally:
        first.close()
    assert run_cli(config, "run", "--once").returncode == 0  # released on exit


def test_a_killed_daemon_leaves_no_stuck_lock(tmp_path: Path, server: TestServer) -> None:
    server.routes["/a.xml"] = Reply(body=rss_feed(server.base_url, "a", [1]), content_type=RSS)
    config = write_config(tmp_path, [{"name": "a", "url": server.url("/a.xml"), "interval": "1h"}])
    first = DaemonProcess(config)
    try:
        first.wait_started()
        first.signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
    finally:
        first.close()
    assert (tmp_path / "data" / "archive.db.lock").exists()  # the file stays; the lock does not
    again = run_cli(config, "run", "--once")
    assert again.returncode == 0, again.stderr


def test_a_feed_slower_than_its_interval_never_overlaps_itself(tmp_path: Path, server: TestServer) -> None:
    server.routes["/slow.xml"] = Reply(body=rss_feed(server.base_url, "slow", [1]), content_type=RSS, delay=1.3)
    config = write_config(tmp_path, [{"name": "slow", "url": server.url("/slow.xml"), "interval": "1s"}])
    daemon = DaemonProcess(config)
    try:
        daemon.wait_started()
        daemon.wait_for(lambda: len(server.requests_for("/slow.xml")) >= 4, 15, "four slow polls")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.log()
    finally:
        daemon.close()
    starts = [r.time for r in server.requests_for("/slow.xml")]
    planned = scheduled_times(daemon, "slow")
    assert len(planned) == len(starts), (planned, starts)
    # each poll takes 1.3 s, so the 1 s slot inside it is skipped (max_instances = 1): the next poll
    # starts at the following slot, never alongside it nor straight after it ended
    assert all(1.95 <= gap <= 3.0 for gap in gaps(planned)), gaps(planned)
    assert "maximum number of running instances reached" in daemon.log()
    assert len(run_lines(daemon, "slow")) == len(starts)


def test_archive_lock_in_process(tmp_path: Path) -> None:
    import os

    from jobs.lock import ArchiveLock, LockedError, lock_path_for

    path = lock_path_for(tmp_path / "data" / "archive.db")
    assert path == tmp_path / "data" / "archive.db.lock"
    with ArchiveLock(path) as held:
        assert held.held and path.read_text().startswith(f"{os.getpid()} ")
        with pytest.raises(LockedError, match=rf"pid {os.getpid()} since .*already running on this archive"):
            ArchiveLock(path).acquire()
    assert not held.held
    with ArchiveLock(path):  # released: free again
        pass
