"""Per-host politeness: the gate with an injected clock (unit) and the server's request log."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest

from scraper.fetch import Fetcher
from scraper.headers import host_key
from scraper.politeness import HostGate, spaced
from tests.httpserver import Reply, serve
from tests.test_fetch import FAST, run

JITTER = 0.02  # seconds of thread-scheduling noise tolerated in the server's request log


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def gate_starts(gate: HostGate, fake: FakeTime, hosts: list[str]) -> list[tuple[str, float]]:
    starts: list[tuple[str, float]] = []

    async def one(host: str) -> None:
        async with gate.slot(host):
            starts.append((host, fake.now))

    async def go() -> None:
        await asyncio.gather(*(one(h) for h in hosts))

    asyncio.run(go())
    return starts


def test_gate_spaces_starts_per_host_by_the_interval() -> None:
    fake = FakeTime()
    gate = HostGate(4, 0.5, clock=fake.clock, sleep=fake.sleep)
    starts = [t for _, t in gate_starts(gate, fake, ["a:80"] * 4)]
    assert [round(t - 100, 6) for t in starts] == [0.0, 0.55, 1.1, 1.65]  # interval + 10 % margin


def test_spacing_margin_is_small_and_capped() -> None:
    assert spaced(0.0) == 0.0 and spaced(0.3) == pytest.approx(0.33) and spaced(2.0) == 2.05


def test_gate_crawl_delay_raises_the_interval_and_hold_delays_the_host() -> None:
    fake = FakeTime()
    gate = HostGate(4, 0.5, clock=fake.clock, sleep=fake.sleep)
    gate.set_crawl_delay("a:80", 2.0)
    assert gate.interval_for("a:80") == 2.0 and gate.interval_for("b:80") == 0.5
    gate.set_crawl_delay("b:80", 0.1)  # never below the configured interval
    assert gate.interval_for("b:80") == 0.5
    gate.hold("c:80", 30.0)
    assert gate.blocked_for("c:80") == 30.0 and gate.blocked_for("a:80") == 0.0
    assert gate_starts(gate, fake, ["a:80", "a:80"]) == [("a:80", 100.0), ("a:80", 102.05)]
    assert gate_starts(gate, fake, ["c:80"]) == [("c:80", 130.0)]


def test_gate_crawl_delay_learnt_later_still_spaces_from_the_last_start() -> None:
    fake = FakeTime()
    gate = HostGate(4, 0.0, clock=fake.clock, sleep=fake.sleep)
    assert gate_starts(gate, fake, ["a:80"]) == [("a:80", 100.0)]  # e.g. robots.txt itself
    gate.set_crawl_delay("a:80", 1.5)
    assert gate_starts(gate, fake, ["a:80"]) == [("a:80", 101.55)]


def test_host_key_is_host_and_port() -> None:
    assert host_key("http://Example.org/a") == "example.org:80"
    assert host_key("https://example.org/a") == "example.org:443"
    assert host_key("http://127.0.0.1:8080/x?y") == "127.0.0.1:8080"
    assert host_key("http://localhost:8080/x") != host_key("http://127.0.0.1:8080/x")


def test_interval_between_request_starts_is_respected_per_host() -> None:
    settings = dataclasses.replace(FAST, per_host_concurrency=4, per_host_interval=0.3)
    with serve({"/p": b"page"}) as one, serve({"/p": b"page"}) as two:

        async def go() -> None:
            async with Fetcher(settings) as fetcher:
                urls = [one.url(f"/p?{i}") for i in range(4)] + [two.url(f"/p?{i}") for i in range(4)]
                await asyncio.gather(*(fetcher.fetch(u) for u in urls))

        run(go())
        for server in (one, two):
            times = sorted(r.time for r in server.requests)
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            # Client-side spacing is 0.33 s; the server's clock sees scheduling jitter on top.
            assert len(times) == 4 and min(gaps) >= 0.3 - JITTER and times[-1] - times[0] >= 0.9, gaps
        # The two hosts are paced independently: both started at once.
        assert abs(one.requests[0].time - two.requests[0].time) < 0.2


def test_concurrency_per_host_is_bounded_across_all_callers() -> None:
    settings = dataclasses.replace(FAST, per_host_concurrency=2, per_host_interval=0.0)
    with (
        serve({"/slow": Reply(body=b"s", delay=0.2)}) as server,
        serve({"/slow": Reply(body=b"s", delay=0.2)}) as other,
    ):

        async def go() -> None:
            async with Fetcher(settings) as fetcher:
                feeds = [
                    fetcher.fetch(server.url(f"/slow?feed={i}"), accept="application/rss+xml")
                    for i in range(3)
                ]
                pages = [fetcher.fetch(server.url(f"/slow?page={i}")) for i in range(3)]
                elsewhere = [fetcher.fetch(other.url(f"/slow?{i}")) for i in range(4)]
                await asyncio.gather(*feeds, *pages, *elsewhere)

        run(go())
        assert len(server.requests) == 6 and server.max_in_flight == 2
        assert len(other.requests) == 4 and other.max_in_flight == 2


def test_crawl_delay_from_robots_paces_the_host() -> None:
    settings = dataclasses.replace(FAST, per_host_concurrency=4, per_host_interval=0.0)
    routes = {"/robots.txt": "User-agent: *\nCrawl-delay: 0.4\n", "/a": b"a"}
    with serve(routes) as server:

        async def go() -> None:
            async with Fetcher(settings) as fetcher:
                await asyncio.gather(
                    *(fetcher.fetch(server.url(f"/a?{i}"), obey_robots=True) for i in range(3))
                )
                # A feed of the same host (robots not consulted for it) is paced too.
                await fetcher.fetch(server.url("/a?feed"))

        run(go())
        times = [r.time for r in server.requests if r.bare_path == "/a"]
        robots_time = server.requests_for("/robots.txt")[0].time
    gaps = [b - a for a, b in zip([robots_time, *times], times, strict=False)]
    assert len(times) == 4 and min(gaps) >= 0.4 - JITTER, gaps
    assert times[-1] - robots_time >= 4 * 0.4


def test_spacing_counts_from_when_the_request_is_written_not_when_it_was_admitted() -> None:
    # Issue 15: a request admitted on time but written late (here: the event loop is blocked for
    # 0.3 s while its connection opens) used to let the next one follow it too closely. The gap the
    # server sees must still be at least the interval.
    settings = dataclasses.replace(FAST, per_host_concurrency=4, per_host_interval=0.5)
    with serve({"/p": b"page"}) as server:

        async def block_the_loop() -> None:
            await asyncio.sleep(0)  # let the first request start opening its connection
            time.sleep(0.3)  # CPU work on the event loop (parsing, extraction in older versions)

        async def go() -> None:
            async with Fetcher(settings) as fetcher:
                await asyncio.gather(fetcher.fetch(server.url("/p?1")), block_the_loop(),
                                     fetcher.fetch(server.url("/p?2")))

        run(go())
        times = sorted(r.time for r in server.requests)
    assert len(times) == 2
    assert times[1] - times[0] >= 0.5 - JITTER, times  # without the fix: about 0.25


def test_interval_holds_as_the_server_sees_it_during_a_full_text_backfill(tmp_path: Path) -> None:
    # Issue 15, under load: a full-text backfill keeps 4 requests to the host in flight while real
    # 230 KB Sina pages are extracted, companies tagged and pages stored; every request start the
    # server logs is still at least the interval after the last.
    from tests.backfill_support import RollAPI, config_text, run_backfill, write_config

    page = (Path(__file__).parent / "fixtures" / "pages" / "gne_tests_sina_2.html").read_bytes()
    with serve({}) as server:
        base = server.url("").rstrip("/")
        api = RollAPI(base, 14, pages=server)
        server.routes["/api/roll/get"] = api
        for n in range(1, 15):
            server.routes[f"/doc/{n}.shtml"] = Reply(body=page, content_type="text/html; charset=utf-8")
        config = write_config(tmp_path, config_text(base, full_text=True, interval=0.25, concurrency=4))
        outcome = run_backfill(config)
        times = sorted(r.time for r in server.requests)
    assert outcome.report.status == "complete" and outcome.report.tally.items == 14, outcome.report.line()
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) >= 16 and min(gaps) >= 0.25 - JITTER, gaps  # 2 listing pages + 14 articles at least
