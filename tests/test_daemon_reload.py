"""SIGHUP reloads the config (added, removed, changed feeds; a bad config keeps the old one),
`run --once` for cron users, and the daemon's reload logic in-process (scheduler inspected).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from jobs.config import load_settings
from jobs.daemon.service import Daemon
from jobs.pipeline import PollContext
from scraper.fetch import Fetcher
from tests.daemon_support import DaemonProcess, rss_feed, run_cli, write_config
from tests.httpserver import Reply, TestServer, serve

RSS = "application/rss+xml"


@pytest.fixture
def server() -> Iterator[TestServer]:
    with serve() as running:
        for name in ("a", "b", "c"):
            running.routes[f"/{name}.xml"] = Reply(body=rss_feed(running.base_url, name, [1, 2]), content_type=RSS)
        running.routes["/down.xml"] = Reply(status=503)
        yield running


def feed(server: TestServer, name: str, interval: str = "1s", **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": server.url(f"/{name}.xml"), "interval": interval, **extra}


def times(server: TestServer, name: str, since: float = 0.0) -> list[float]:
    return [r.time for r in server.requests_for(f"/{name}.xml") if r.time >= since]


@pytest.mark.slow
def test_sighup_applies_added_removed_and_changed_feeds(tmp_path: Path, server: TestServer) -> None:
    config = write_config(tmp_path, [feed(server, "a"), feed(server, "b")])
    daemon = DaemonProcess(config, log_format="text", log_level=None)
    try:
        daemon.wait_started()
        daemon.wait_for(lambda: len(times(server, "a")) >= 2 and len(times(server, "b")) >= 2, 10, "a and b")
        write_config(tmp_path, [feed(server, "b", "2s"), feed(server, "c")])  # a removed, b slower, c new
        daemon.signal(signal.SIGHUP)
        daemon.wait_for(lambda: "config reloaded" in daemon.log(), 5, "the reload")
        reloaded = time.monotonic()
        daemon.wait_for(lambda: len(times(server, "c")) >= 3, 10, "c polled")
        daemon.wait_for(lambda: len(times(server, "b", reloaded)) >= 2, 10, "b polled after the reload")
        # an invalid config is refused and the running one kept
        config.write_text(config.read_text(encoding="utf-8") + "\n[schedule]\nspeed = 3\n", encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        daemon.wait_for(lambda: "config reload failed" in daemon.log(), 5, "the refused reload")
        refused = time.monotonic()
        daemon.wait_for(lambda: len(times(server, "c", refused)) >= 2, 10, "c still polled")
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.log()
    finally:
        daemon.close()
    assert times(server, "a", reloaded + 0.5) == []  # removed: no more polls
    b_after = times(server, "b", reloaded)
    assert min(b - a for a, b in zip(b_after, b_after[1:], strict=False)) >= 1.9  # the new 2 s interval
    assert "schedule.speed: unknown key" in daemon.log()
    assert "Traceback" not in daemon.log()
    # INFO by default: one line per feed run, nothing per request or per item
    lines = daemon.log().splitlines()
    runs = [line for line in lines if " INFO jobs.feedrun: c: " in line]
    assert len(runs) == len(times(server, "c")), lines
    assert "c: ok new=2 updated=0 duplicates=0 failed=0" in runs[0]
    assert not [line for line in lines if "scraper.fetch" in line or "archive.archive" in line]


def test_run_once_polls_due_feeds_and_skips_those_backing_off(tmp_path: Path, server: TestServer) -> None:
    config = write_config(tmp_path, [feed(server, "a", "1m"), feed(server, "down", "1m")])
    first = run_cli(config, "run", "--once")
    assert first.returncode == 1, first.stderr
    assert "a: 2 items, 2 new" in first.stdout
    assert "down: FAILED" in first.stdout
    second = run_cli(config, "run", "--once")
    assert second.returncode == 0, second.stderr  # a skipped feed is not a failure
    assert "down: skipped (backing off until" in second.stdout
    assert "a: 2 items, 0 new" in second.stdout or "a: not modified" in second.stdout
    assert len(server.requests_for("/down.xml")) == 1
    assert len(server.requests_for("/a.xml")) == 2
    rows = {row["name"]: row for row in json.loads(run_cli(config, "feeds", "--format", "json").stdout)}
    assert rows["down"]["status"] == "failing"
    assert rows["down"]["backoff"].startswith("1 failure(s), next try in")
    assert rows["down"]["next_run"] == rows["down"]["backoff_until"]
    assert rows["a"]["backoff"] is None and rows["a"]["next_run"]


def _daemon_jobs(daemon: Daemon) -> dict[str, Any]:
    return {job.name: job for job in daemon.scheduler.get_jobs()}


def test_reload_in_process_reschedules_only_what_changed(tmp_path: Path, server: TestServer) -> None:
    config = write_config(tmp_path, [feed(server, "a", "1h"), feed(server, "b", "1h")],
                          schedule={"startup_spread": "10m"})
    settings = load_settings(config)

    async def scenario() -> dict[str, Any]:
        archive = Archive(settings.archive.database, settings.archive.posts_dir)
        try:
            async with Fetcher(settings.http) as fetcher:
                daemon = Daemon(settings, PollContext(settings, fetcher, archive), config_path=config)
                runner = asyncio.create_task(daemon.run())
                await asyncio.sleep(0.3)
                before = _daemon_jobs(daemon)
                b_trigger = before["b"].trigger
                write_config(tmp_path, [feed(server, "b", "1h"), feed(server, "c", "30m", adaptive=True)],
                             schedule={"startup_spread": "10m"})
                daemon.reload()
                after = _daemon_jobs(daemon)
                seen = {"before": sorted(before), "after": sorted(after),
                        "b_kept": after["b"].trigger is b_trigger, "c": after["c"],
                        "plans": dict(daemon.plans)}
                config.write_text("not toml [", encoding="utf-8")
                daemon.reload()
                seen["after_bad"] = sorted(_daemon_jobs(daemon))
                daemon.request_stop()
                seen["code"] = await asyncio.wait_for(runner, 10)
                return seen
        finally:
            archive.close()

    seen = asyncio.run(scenario())
    assert seen["before"] == ["a", "b"]
    assert seen["after"] == ["b", "c"] == seen["after_bad"]
    assert seen["b_kept"]  # unchanged feed: same job, same trigger
    assert seen["c"].max_instances == 1 and seen["c"].coalesce
    assert seen["plans"]["c"].adaptive and seen["plans"]["c"].interval == 1800
    assert seen["code"] == 0
