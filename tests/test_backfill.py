"""Backfill against a real local server: a generated Sina-style roll API, RFC 5005 archives.

Real parts: the local HTTP server (tests/httpserver.py), the real Fetcher and pipeline, a real
SQLite archive in tmp_path. The roll API's items are generated here (constructed; see
tests/backfill_support.py); the RFC 5005 documents are constructed (fixtures/SOURCES.md).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobs.backfill.pagination import Window
from jobs.backfill.run import BackfillOptions
from tests.backfill_support import (
    FEED,
    RollAPI,
    archived_urls,
    checkpoint,
    config_text,
    intime,
    run_backfill,
    write_config,
)
from tests.httpserver import Reply, TestServer

FIXTURES = Path(__file__).parent / "fixtures" / "backfill"



def base_of(server: TestServer) -> str:
    return server.url("").rstrip("/")


def roll_pages(server: TestServer) -> list[int]:
    return [int(r.path.split("page=")[1].split("&")[0]) for r in server.requests_for("/api/roll/get")]


def assert_exactly_once(config: Path, expected: set[str]) -> None:
    urls = archived_urls(config)
    assert len(urls) == len(set(urls)), "an item was archived twice"
    assert set(urls) == expected, f"missing {len(expected - set(urls))}, unexpected {len(set(urls) - expected)}"


@pytest.mark.slow  # 3000 posts written with fsync; ~4-15 s depending on the disk
def test_roll_backfill_archives_every_item_once_and_a_rerun_adds_nothing(server: TestServer, tmp_path: Path) -> None:
    api = RollAPI(base_of(server), 3000)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base_of(server)))

    first = run_backfill(config)
    assert first.report.status == "complete" and first.report.exit_code == 0
    assert_exactly_once(config, api.urls())
    assert (first.report.tally.pages, first.report.tally.new) == (61, 3000)  # 60 pages + a look at the top
    assert roll_pages(server)[:60] == list(range(1, 61))
    assert first.log.count("\n") == 61 and "page 60: 50 listed" in first.log  # one plain line per page
    assert checkpoint(config) is not None and checkpoint(config)["done"] is True  # type: ignore[index]

    again = run_backfill(config)
    assert again.report.status == "complete"
    assert again.report.tally.new == 0 and again.report.tally.duplicates == 3000
    assert_exactly_once(config, api.urls())


@pytest.mark.slow
def test_items_arriving_at_the_top_while_paging_are_neither_missed_nor_doubled(
    server: TestServer, tmp_path: Path
) -> None:
    api = RollAPI(base_of(server), 2000)
    # 7 new items every 3rd request, and once a burst of 120 (more than two pages) at once
    api.grow = lambda n: 120 if n == 20 else (7 if n and n % 3 == 0 else 0)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base_of(server)))

    outcome = run_backfill(config)
    assert outcome.report.status == "complete"
    assert api.serial > 2000 + 120  # the list really grew during the run
    assert_exactly_once(config, api.urls())
    pages = roll_pages(server)
    assert len(pages) < (api.serial // 50 + 1) * 1.5  # overlap skipped, the burst jumped, not re-walked


def test_since_and_until_window_is_respected(server: TestServer, tmp_path: Path) -> None:
    api = RollAPI(base_of(server), 3000)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base_of(server)))
    since, until = datetime.fromtimestamp(intime(700), UTC), datetime.fromtimestamp(intime(1900), UTC)

    outcome = run_backfill(config, options=BackfillOptions(window=Window(since, until)))
    assert outcome.report.status == "complete"
    expected = {f"{base_of(server)}/doc/{n}.shtml" for n in range(700, 1900)}  # [since, until)
    assert_exactly_once(config, expected)
    # the pages above --until are found by search, not read one by one; paging stops below --since
    assert len(roll_pages(server)) <= (1900 - 700) // 50 + 2 + 10
    assert max(roll_pages(server)) <= (3000 - 700) // 50 + 2


def test_full_text_fetches_and_extracts_each_page(server: TestServer, tmp_path: Path) -> None:
    api = RollAPI(base_of(server), 120, pages=server)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base_of(server), full_text=True))

    outcome = run_backfill(config)
    assert outcome.report.status == "complete" and outcome.report.tally.new == 120
    assert len([r for r in server.requests if r.bare_path.startswith("/doc/")]) == 120
    with sqlite3.connect(tmp_path / "data" / "archive.db") as conn:
        bodies = [r[0] for r in conn.execute("select body_text from articles")]
    assert len(bodies) == 120 and all(len(b) > 200 for b in bodies)  # the article, not the 40-char intro

    before = len(server.requests)
    again = run_backfill(config)  # known items: no page is fetched again
    assert again.report.tally.new == 0
    assert not [r for r in server.requests[before:] if r.bare_path.startswith("/doc/")]


def test_no_full_text_option_overrides_the_feed(server: TestServer, tmp_path: Path) -> None:
    server.routes["/api/roll/get"] = RollAPI(base_of(server), 60, pages=server)
    config = write_config(tmp_path, config_text(base_of(server), full_text=True))
    outcome = run_backfill(config, options=BackfillOptions(full_text=False))
    assert outcome.report.tally.new == 60
    assert not [r for r in server.requests if r.bare_path.startswith("/doc/")]


def test_a_failing_page_stops_with_exit_1_keeps_what_was_stored_and_resumes(
    server: TestServer, tmp_path: Path
) -> None:
    api = RollAPI(base_of(server), 500)
    broken = {"on": True}

    def roll(request):  # type: ignore[no-untyped-def]
        if broken["on"] and "page=5&" in request.path + "&":
            return Reply(status=500, body="boom")
        return api(request)

    server.routes["/api/roll/get"] = roll
    config = write_config(tmp_path, config_text(base_of(server)))
    failed = run_backfill(config)
    assert failed.report.status == "failed" and failed.report.exit_code == 1
    assert "page=5" in (failed.report.error or "") and "500" in (failed.report.error or "")
    assert len(archived_urls(config)) == 200  # pages 1-4 were committed
    assert checkpoint(config)["phase"] == "main"  # type: ignore[index]

    broken["on"] = False
    served = len(server.requests_for("/api/roll/get"))
    resumed = run_backfill(config)
    assert resumed.report.status == "complete" and resumed.report.resumed == "page 5"
    assert roll_pages(server)[served] == 5
    assert_exactly_once(config, api.urls())


def test_max_pages_pauses_and_the_same_command_continues(server: TestServer, tmp_path: Path) -> None:
    api = RollAPI(base_of(server), 400)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base_of(server)))
    paused = run_backfill(config, options=BackfillOptions(max_pages=3))
    assert paused.report.status == "stopped" and paused.report.exit_code == 0
    assert len(archived_urls(config)) == 150
    rest = run_backfill(config)
    assert rest.report.status == "complete" and rest.report.tally.new == 250
    assert_exactly_once(config, api.urls())


def test_retry_after_on_a_page_is_waited_out(server: TestServer, tmp_path: Path) -> None:
    api = RollAPI(base_of(server), 150)
    replies = iter([Reply(status=503, headers={"Retry-After": "1"})])

    def roll(request):  # type: ignore[no-untyped-def]
        if "page=2&" in request.path + "&":
            return next(replies, None) or api(request)
        return api(request)

    server.routes["/api/roll/get"] = roll
    config = write_config(tmp_path, config_text(base_of(server)))
    outcome = run_backfill(config)
    assert outcome.report.status == "complete" and outcome.report.tally.new == 150
    page2 = [r for r in server.requests_for("/api/roll/get") if "page=2&" in r.path + "&"]
    assert len(page2) == 2 and page2[1].time - page2[0].time >= 0.95


# -- RFC 5005 -------------------------------------------------------------------------------------
def archive_feed_config(base: str, url: str) -> str:
    return config_text(base, extra_feeds=f"""
[[feeds]]
name = "Market wrap"
site = "Markets"
category = "金融"
kind = "feed"
url = "{url}"
full_text = false
""")


@pytest.fixture
def archives(server: TestServer) -> TestServer:
    server.routes["/feeds/current.xml"] = Reply.file(FIXTURES / "current.xml", "application/atom+xml")
    for month in ("2024-04", "2024-03"):
        server.routes[f"/feeds/archive/{month}.xml"] = Reply.file(
            FIXTURES / "archive" / f"{month}.xml", "application/atom+xml")
    return server


def test_rfc5005_prev_archive_links_are_followed_to_the_oldest(archives: TestServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, archive_feed_config(base_of(archives), archives.url("/feeds/current.xml")))
    outcome = run_backfill(config, "Market wrap")
    assert outcome.report.status == "complete"
    assert outcome.report.tally.pages == 3 and outcome.report.tally.new == 10
    urls = archived_urls(config)
    assert len(urls) == 10 and {u.split("/")[3] for u in urls} == {"2024-05", "2024-04", "2024-03"}
    assert [r.path for r in archives.requests] == [
        "/feeds/current.xml", "/feeds/archive/2024-04.xml", "/feeds/archive/2024-03.xml"]
    again = run_backfill(config, "Market wrap")
    assert again.report.tally.new == 0 and len(archived_urls(config)) == 10


def test_rfc5005_since_stops_following_older_archives(archives: TestServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, archive_feed_config(base_of(archives), archives.url("/feeds/current.xml")))
    window = Window(since=datetime(2024, 4, 10, tzinfo=UTC), until=datetime(2024, 5, 2, tzinfo=UTC))
    outcome = run_backfill(config, "Market wrap", BackfillOptions(window=window))
    assert outcome.report.status == "complete"
    titles = sorted(u.rsplit("/", 2)[1] + "/" + u.rsplit("/", 1)[1] for u in archived_urls(config))
    assert titles == ["2024-04/wrap-14.html", "2024-04/wrap-21.html", "2024-04/wrap-28.html",
                      "2024-05/wrap-1.html"]
    # 2024-03 is older than --since as a whole; is it still read once (its dates were unknown
    # until fetched), but nothing of it is stored
    assert "/feeds/archive/2024-03.xml" in [r.path for r in archives.requests]


def test_rfc5005_resumes_at_the_next_archive_after_a_failure(archives: TestServer, tmp_path: Path) -> None:
    good = archives.routes["/feeds/archive/2024-03.xml"]
    archives.routes["/feeds/archive/2024-03.xml"] = Reply(status=503, body="busy")
    config = write_config(tmp_path, archive_feed_config(base_of(archives), archives.url("/feeds/current.xml")))
    failed = run_backfill(config, "Market wrap")
    assert failed.report.status == "failed" and len(archived_urls(config)) == 7
    archives.routes["/feeds/archive/2024-03.xml"] = good
    served = len(archives.requests)
    resumed = run_backfill(config, "Market wrap")
    assert resumed.report.status == "complete" and resumed.report.tally.new == 3
    assert [r.path for r in archives.requests[served:]] == ["/feeds/archive/2024-03.xml"]


def test_a_feed_without_archive_links_says_so_and_archives_the_current_items(
    server: TestServer, tmp_path: Path
) -> None:
    feed_file = Path(__file__).parent / "fixtures" / "feeds" / "cnbc-top-news-2014.xml"
    server.routes["/cnbc.xml"] = Reply.file(feed_file, "application/rss+xml")
    config = write_config(tmp_path, archive_feed_config(base_of(server), server.url("/cnbc.xml")))
    outcome = run_backfill(config, "Market wrap")
    assert outcome.report.status == "no_history" and outcome.report.exit_code == 0
    assert outcome.report.line().startswith("Market wrap: no history to backfill (the feed offers no archive links)")
    assert len(archived_urls(config)) == 30


def test_checkpoint_for_other_arguments_is_not_resumed(server: TestServer, tmp_path: Path) -> None:
    api = RollAPI(base_of(server), 300)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base_of(server)))
    run_backfill(config, options=BackfillOptions(max_pages=2, window=Window(until=datetime.fromtimestamp(
        intime(200), UTC))))
    other = run_backfill(config)
    assert other.report.resumed is None and "replaced by this one" in other.log
    assert_exactly_once(config, api.urls())
    assert FEED in other.report.line()


def test_pages_keep_the_per_host_interval(server: TestServer, tmp_path: Path) -> None:
    server.routes["/api/roll/get"] = RollAPI(base_of(server), 200)
    config = write_config(tmp_path, config_text(base_of(server), interval=0.2, concurrency=1))
    outcome = run_backfill(config)
    assert outcome.report.status == "complete" and outcome.report.tally.new == 200
    starts = [r.time for r in server.requests_for("/api/roll/get")]
    assert len(starts) == 5  # 4 pages and the look at the top
    # the server stamps a request when its thread gets to it: allow that thread some lateness
    # (the archive's index and post-writing threads share the interpreter with it)
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.15
    assert {r.headers.get("user-agent") for r in server.requests} == {"newsroll-test/1.0"}
