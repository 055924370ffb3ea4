"""Backoff and recovery end to end through FeedRunner: real local server, real SQLite archive,
the clock injected (no sleeping): the decisions land in the feed's state and `run --once` obeys them.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from archive import Archive
from jobs.config import load_settings
from jobs.daemon.feedrun import GAPS_KEY, FeedRunner
from jobs.daemon.health import schedule_health
from jobs.daemon.once import run_once, skip_reason
from jobs.daemon.schedule import feed_plan
from jobs.pipeline import PollContext
from scraper.fetch import Fetcher
from tests.daemon_support import FakeClock, rss_feed, write_config
from tests.httpserver import Reply, serve


def _settings(tmp_path: Path, base: str, **feed: Any):
    values = {"name": "flaky", "url": base + "/flaky.xml", "interval": "1m", **feed}
    return load_settings(write_config(tmp_path, [values], schedule={"max_backoff": "10m"},
                                      http={"retry_after_cap": 1.0}))


async def _polls(settings, clock: FakeClock, steps: list[float | None]) -> list[tuple[Any, Any]]:
    """Poll the feed once per step; a step advances the clock (None = to the decided next run)."""
    out = []
    archive = Archive(settings.archive.database, settings.archive.posts_dir)
    try:
        async with Fetcher(settings.http) as fetcher:
            runner = FeedRunner(PollContext(settings, fetcher, archive, clock=clock), rand=lambda: 0.5)
            feed = settings.feeds[0]
            plan = feed_plan(feed, settings.schedule, clock())
            for step in steps:
                if out and step is None:
                    clock.set(out[-1][0].decision.next_run)
                elif step:
                    clock.advance(step)
                result = await runner.run(feed, plan, scheduled=clock() + timedelta(seconds=plan.interval))
                out.append((result, archive.feed_state(feed.name)))
    finally:
        archive.close()
    return out


def test_failures_back_off_exponentially_then_recover(tmp_path: Path) -> None:
    clock = FakeClock()
    with serve() as server:
        good = Reply(body=rss_feed(server.base_url, "flaky", range(1, 6)), content_type="application/rss+xml")
        server.routes["/flaky.xml"] = [Reply(status=503)] * 5 + [good]
        settings = _settings(tmp_path, server.base_url)
        runs = asyncio.run(_polls(settings, clock, [0, None, None, None, None, None]))
    failures = [state.consecutive_failures for _, state in runs]
    assert failures == [1, 2, 3, 4, 5, 0]
    # 2, 4, 8 minutes, then the 10-minute cap: the feed that failed 3 times was retried, twice more
    waits = [(state.backoff_until - state.last_attempt).total_seconds() for _, state in runs[:5]]
    assert waits == [120, 240, 480, 600, 600]
    assert [r.decision.reason for r, _ in runs] == ["backoff"] * 5 + ["schedule"]
    recovered = runs[-1][1]
    assert recovered.backoff_until is None and recovered.error is None
    assert recovered.next_run == recovered.last_attempt + timedelta(minutes=1)
    assert runs[-1][0].report.new == 5
    # each retry happened when the backoff said, not earlier
    attempts = [state.last_attempt for _, state in runs]
    assert all(later == state.backoff_until for later, (_, state) in zip(attempts[1:], runs, strict=False))


def test_retry_after_sets_a_floor_and_run_once_waits_for_it(tmp_path: Path) -> None:
    clock = FakeClock()
    with serve() as server:
        server.routes["/flaky.xml"] = Reply(status=429, headers={"Retry-After": "3600"})
        settings = _settings(tmp_path, server.base_url)
        [(result, state)] = asyncio.run(_polls(settings, clock, [0]))
        assert result.report.retry_after == 3600
        assert result.decision.reason == "retry-after"
        assert state.retry_after_until == clock() + timedelta(hours=1)
        assert state.next_run == clock() + timedelta(hours=1)
        feed = settings.feeds[0]
        assert "backing off until" in (skip_reason(feed, state, clock()) or "")
        assert skip_reason(feed, state, clock() + timedelta(minutes=59)) is not None
        assert skip_reason(feed, state, clock() + timedelta(minutes=61)) is None
        # run --once skips it while the floor holds, and polls it after
        server.routes["/flaky.xml"] = Reply(body=rss_feed(server.base_url, "flaky", [1]),
                                            content_type="application/rss+xml")

        async def once_at(offset_minutes: int):
            archive = Archive(settings.archive.database, settings.archive.posts_dir)
            try:
                async with Fetcher(settings.http) as fetcher:
                    at = FakeClock(clock() + timedelta(minutes=offset_minutes))
                    return await run_once(settings, PollContext(settings, fetcher, archive, clock=at), clock=at)
            finally:
                archive.close()

        results, skipped = asyncio.run(once_at(30))
        assert results == [] and [s.feed for s in skipped] == ["flaky"]
        assert len(server.requests_for("/flaky.xml")) == 1
        results, skipped = asyncio.run(once_at(61))
        assert [r.report.status for r in results] == ["ok"] and skipped == []
        assert len(server.requests_for("/flaky.xml")) == 2


def test_ttl_is_a_floor_and_new_articles_feed_the_stale_check(tmp_path: Path) -> None:
    clock = FakeClock()
    with serve() as server:
        ids = list(range(1, 4))
        server.routes["/flaky.xml"] = lambda request: Reply(
            body=rss_feed(server.base_url, "flaky", ids, ttl_minutes=5), content_type="application/rss+xml")
        settings = _settings(tmp_path, server.base_url)

        async def polls():
            archive = Archive(settings.archive.database, settings.archive.posts_dir)
            try:
                async with Fetcher(settings.http) as fetcher:
                    runner = FeedRunner(PollContext(settings, fetcher, archive, clock=clock), rand=lambda: 0.5)
                    feed = settings.feeds[0]
                    plan = feed_plan(feed, settings.schedule, clock())
                    first = await runner.run(feed, plan, scheduled=clock() + timedelta(minutes=1))
                    for _ in range(3):  # one new story every 10 minutes
                        clock.advance(600)
                        ids.append(ids[-1] + 1)
                        await runner.run(feed, plan, scheduled=clock() + timedelta(minutes=1))
                    return first, archive.feed_state(feed.name)
            finally:
                archive.close()

        first, state = asyncio.run(polls())
    assert first.decision.reason == "max-age"  # TTL 5 min over a 1-minute interval
    assert first.decision.next_run - first.decision.max_age_until == timedelta(0)
    assert state.extra[GAPS_KEY] == [600.0, 600.0, 600.0]
    assert state.last_new_at == clock()
    quiet = schedule_health(state, interval=60.0, now=clock() + timedelta(minutes=30))
    assert quiet["stale"] is False
    late = schedule_health(state, interval=60.0, now=clock() + timedelta(minutes=41))
    assert late["stale"] is True and "usual gap 10m" in late["warning"]


def test_adaptive_interval_follows_activity_and_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    with serve() as server:
        ids = [1]
        server.routes["/flaky.xml"] = lambda request: Reply(
            body=rss_feed(server.base_url, "flaky", ids), content_type="application/rss+xml")
        settings = _settings(tmp_path, server.base_url, interval="10m", adaptive=True,
                             min_interval="2m", max_interval="20m")

        async def polls(new_each_time: list[bool]) -> list[Any]:
            archive = Archive(settings.archive.database, settings.archive.posts_dir)
            try:
                async with Fetcher(settings.http) as fetcher:
                    runner = FeedRunner(PollContext(settings, fetcher, archive, clock=clock), rand=lambda: 0.0)
                    feed = settings.feeds[0]
                    plan = feed_plan(feed, settings.schedule, clock())
                    out = []
                    for new in new_each_time:
                        if new:
                            ids.append(ids[-1] + 1)
                        result = await runner.run(feed, plan, scheduled=clock() + timedelta(minutes=10))
                        out.append((result.decision.interval, result.decision.next_run - clock(),
                                    archive.feed_state(feed.name).interval))
                        clock.set(result.decision.next_run)
                    return out
            finally:
                archive.close()

        busy = asyncio.run(polls([False, True, True, True, True, True]))
        # first poll: the whole listing is new (x0.5); then one new story per poll (x0.75), down to 2 minutes
        assert [round(i) for i, _, _ in busy] == [300, 225, 169, 127, 120, 120]
        assert all(gap == timedelta(seconds=i) and stored == i for i, gap, stored in busy)
        quiet = asyncio.run(polls([False, False]))  # a restart: a new runner resumes from the stored 2 minutes
        assert [round(i) for i, _, _ in quiet] == [150, 188]
