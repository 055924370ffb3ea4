"""One hostile feed fails alone, with one line, and every other feed is stored and reported.

Each class of the red-team report gets its own constructed input: a gzip body of thousands of
empty members, a ``\\xff`` byte in JSON and in a Sina roll, ``Retry-After: ²``, a JSON Feed with
wrongly typed ``items``/``image``/``authors``, a JSON Feed date at the edge of datetime, a Sina
``intime`` of 1e12 and deeply nested JSON.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs.pipeline import _bounded
from scraper.errors import ParseError, ScraperError
from scraper.headers import parse_retry_after
from scraper.httpdecode import decoder_for
from scraper.listing import parse_feed, parse_json_feed, parse_listing, parse_sina_roll
from tests.hostile_support import FeedSpec, newsroll, rss, rss_item, write_config
from tests.httpserver import Reply, TestServer, serve

GOOD_ITEMS = 3


def json_feed(items: object, **extra: object) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items, **extra}).encode()


def empty_members(count: int) -> bytes:
    return b"".join(gzip.compress(b"") for _ in range(count))


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def sina(rows: list[dict[str, object]]) -> bytes:
    return json.dumps({"result": {"status": {"code": 0}, "total": len(rows), "data": rows}}).encode()


# -- each class on its own: only ScraperError leaves scraper ------------------------------------------

def test_thousands_of_empty_gzip_members_decode_without_recursion() -> None:
    body = empty_members(50_000) + gzip.compress(b"<rss/>")
    decoder = decoder_for("gzip")
    out = b"".join(decoder.feed(body)) + b"".join(decoder.finish())
    assert out == b"<rss/>"


@pytest.mark.parametrize("content", [
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "\xff\xff", "items": []}',
    b'{"result": {"status": {"code": 0}, "data": [{"url": "http://example.com/\xff\xfe"}]}}',
])
def test_a_bad_byte_in_json_is_a_parse_error(content: bytes) -> None:
    with pytest.raises(ParseError, match="neither UTF-8 nor GB18030"):
        parse_listing("sina_roll" if b"result" in content else "feed", content)


@pytest.mark.parametrize("parse", [parse_json_feed, parse_sina_roll, lambda c: parse_feed(c)])
def test_deeply_nested_json_is_a_parse_error(parse) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScraperError):
        parse(b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + nested(200_000) + b"}")


@pytest.mark.parametrize("items", [5, "text", {"url": "http://example.com/x"}, True])
def test_json_feed_items_of_the_wrong_type_fail_the_feed_in_one_line(items: object) -> None:
    with pytest.raises(ParseError, match="'items' is a"):
        parse_json_feed(json_feed(items))


def test_json_feed_image_and_authors_of_the_wrong_type_are_ignored() -> None:
    items = [
        {"id": "1", "url": "http://example.com/1", "title": "a", "image": {"x": 1}, "authors": {"name": "x"}},
        {"id": "2", "url": "http://example.com/2", "title": "b", "image": 7, "authors": "someone"},
        {"id": "3", "url": "http://example.com/3", "title": "c", "banner_image": ["x"], "authors": [5, {"name": 3}],
         "author": "plain"},
        {"id": {"n": 1}, "url": {"u": 1}, "title": ["x"]},
    ]
    listing = parse_json_feed(json_feed(items, next_url={"x": 1}))
    assert [i.url for i in listing.items] == ["http://example.com/1", "http://example.com/2", "http://example.com/3"]
    assert all(i.image is None and i.author is None for i in listing.items)
    assert listing.next_page is None


def test_sina_intime_of_1e12_is_no_date() -> None:
    rows = [{"url": "http://example.com/s", "title": "s", "intime": 1_000_000_000_000, "ctime": 10**30,
             "mtime": "1e12"}]
    [item] = parse_sina_roll(sina(rows)).items
    assert item.published is None and item.updated is None and item.date_invalid


@pytest.mark.parametrize("value", ["²", "٣", "1²", "9" * 40, "Mon, 01 Jan 0000 00:00:00 GMT", "\u2167"])
def test_retry_after_that_is_not_ascii_delta_seconds_or_a_date_is_ignored(value: str) -> None:
    result = parse_retry_after(value, 1_700_000_000.0)
    assert result is None or 0.0 <= result <= 365 * 86400


def test_a_parse_that_takes_too_long_fails_within_its_bound_and_frees_the_loop() -> None:
    release = threading.Event()

    async def scenario() -> tuple[str, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while not release.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        tick_task = asyncio.create_task(ticker())
        try:
            await _bounded(0.5, ParseError, "parsing the listing", asyncio.to_thread(release.wait, 30))
        except ParseError as exc:
            message = str(exc)
        finally:
            release.set()
            await tick_task
        return message, ticks

    message, ticks = asyncio.run(scenario())
    assert message == "parsing the listing took longer than 0s; given up" or "took longer than" in message
    assert ticks > 5  # the event loop kept running while the "parse" blocked its thread


# -- through the real CLI: one bad feed, every other feed stored -----------------------------------------

HOSTILE = {
    "gzip-members": Reply(body=empty_members(30_000) + gzip.compress(b"not a feed at all"),
                          headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"),
    "json-ff": Reply(body=b'{"version": "https://jsonfeed.org/version/1", "title": "\xff", "items": []}',
                     content_type="application/feed+json"),
    "sina-ff": Reply(body=b'{"result": {"status": {"code": 0}, "data": [{"url": "\xff"}]}}',
                     content_type="application/json"),
    "retry-after": Reply(status=503, headers={"Retry-After": "²"}),
    "items-type": Reply(body=json_feed(12), content_type="application/feed+json"),
    "nested": Reply(body=b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + nested(100_000) + b"}",
                    content_type="application/feed+json"),
    "comments": Reply(body=b"<!---->" * 200 + b"<rss>", content_type="application/rss+xml"),
}
FAILING = set(HOSTILE) - {"comments"}
SURVIVING = {  # hostile, but a feed with usable items: stored
    "edge-dates": Reply(body=json_feed([{"id": "e", "url": "http://example.com/edge", "title": "Edge date",
                                         "date_published": "9999-12-31T23:59:59-12:00", "image": {"x": 1},
                                         "authors": "x", "content_text": "edge body"}]),
                        content_type="application/feed+json"),
    "sina-1e12": Reply(body=sina([{"url": "http://example.com/sina", "title": "Sina far future",
                                   "intime": 1_000_000_000_000, "intro": "sina body"}]),
                       content_type="application/json"),
}


@pytest.fixture(scope="module")
def site() -> Iterator[TestServer]:
    good = rss(*(rss_item(f"http://example.com/good/{i}", f"Good {i}", "Mon, 01 Jan 2024 00:00:00 GMT",
                          f"good body {i}") for i in range(GOOD_ITEMS)))
    routes: dict[str, object] = {"/good.xml": Reply(body=good, content_type="application/rss+xml")}
    routes.update({f"/{name}": reply for name, reply in {**HOSTILE, **SURVIVING}.items()})
    with serve(routes) as server:
        yield server


def feeds_for(site: TestServer) -> list[FeedSpec]:
    specs = [FeedSpec("good", site.url("/good.xml"))]
    for name in [*HOSTILE, *SURVIVING]:
        specs.append(FeedSpec(name, site.url(f"/{name}"), kind="sina_roll" if name.startswith("sina") else "feed"))
    return specs


@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", [("fetch",), ("run", "--once")])
def test_one_hostile_feed_never_sinks_the_others(site: TestServer, tmp_path: Path, command: tuple[str, ...]) -> None:
    config = write_config(tmp_path, feeds_for(site))
    result = newsroll(config, *command)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    for name in FAILING:
        [line] = [x for x in lines if x.startswith(f"{name}: ")]
        assert "FAILED" in line, line
    assert re.search(rf"^good: {GOOD_ITEMS} items, {GOOD_ITEMS} new", result.stdout, re.M)
    assert re.search(r"^edge-dates: 1 items, 1 new", result.stdout, re.M)
    assert re.search(r"^sina-1e12: 1 items, 1 new", result.stdout, re.M)
    assert re.search(r"^comments: FAILED .*not a feed|^comments: 0 items", result.stdout, re.M)
    with sqlite3.connect(tmp_path / "data" / "archive.db") as db:
        titles = {t for (t,) in db.execute("select title from articles")}
        states = dict(db.execute("select name, consecutive_failures from feeds"))
    db.close()
    assert {f"Good {i}" for i in range(GOOD_ITEMS)} | {"Edge date", "Sina far future"} == titles
    assert all(states[name] == 1 for name in FAILING), states  # recorded: the scheduler backs off
    assert states["good"] == 0
