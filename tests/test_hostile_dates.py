"""Dates outside 1900 … now + 2 days never reach the archive, and an archive poisoned by an older
version (unpadded year 500) is readable and repairable. Inputs constructed here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.models import iso, parse_iso, read_date
from scraper.dates import EARLIEST, checked, from_epoch, plausible
from scraper.listing import parse_feed, parse_json_feed, parse_sina_roll
from scraper.models import FeedItem
from scraper.normalize import FeedIdentity, build_article
from tests.hostile_support import FeedSpec, newsroll, rss, rss_item, search_json, write_config
from tests.httpserver import Reply, TestServer, serve

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
IDENTITY = FeedIdentity("F", "S", "C")

ATOM_500 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>2024-01-01T00:00:00Z</updated>
<entry><title>Atom of year 500</title><id>urn:a:1</id><link href="http://example.com/atom-500"/>
<published>0500-06-01T10:00:00Z</published><updated>0500-06-01T10:00:00Z</updated><summary>Atom body five hundred</summary></entry>
</feed>"""


def json_feed(*items: dict[str, object]) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": list(items)}).encode()


def test_iso_pads_the_year_and_parse_iso_reads_old_unpadded_values() -> None:
    moment = datetime(500, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert iso(moment) == "0500-01-02T03:04:05Z"
    assert parse_iso(iso(moment)) == moment
    assert parse_iso("500-01-02T03:04:05Z") == moment  # what versions before the fix stored
    assert parse_iso("500-01-02T03:04:05+00:00") == moment
    assert read_date("not a date") is None and read_date("") is None
    with pytest.raises(ValueError):
        parse_iso("garbage")


def test_range_checks() -> None:
    assert not plausible(datetime(1899, 12, 31, tzinfo=UTC), NOW)
    assert plausible(EARLIEST, NOW)
    assert plausible(NOW + timedelta(days=2), NOW)
    assert not plausible(NOW + timedelta(days=2, seconds=1), NOW)
    assert checked(datetime(500, 1, 1, tzinfo=UTC)) == (None, True)
    assert checked(None) == (None, False)
    assert from_epoch(1e12) is None and from_epoch(float("nan")) is None and from_epoch(float("inf")) is None


def test_year_500_in_rss_atom_json_feed_and_sina_gives_no_date_and_a_mark() -> None:
    listing = parse_feed(rss(rss_item("http://example.com/r", "R", "Mon, 01 Jan 0500 00:00:00 GMT")))
    [item] = listing.items
    assert item.published is None and item.date_invalid
    [atom] = parse_feed(ATOM_500).items
    assert atom.published is None and atom.updated is None and atom.date_invalid
    [jitem] = parse_json_feed(json_feed({"id": "1", "url": "http://example.com/j", "title": "J",
                                         "date_published": "0500-01-01T00:00:00Z"})).items
    assert jitem.published is None and jitem.date_invalid
    roll = {"result": {"status": {"code": 0}, "data": [
        {"url": "http://example.com/s", "title": "S", "intime": "1000000000000", "ctime": "-5"}]}}
    [sitem] = parse_sina_roll(json.dumps(roll).encode()).items
    assert sitem.published is None and sitem.date_invalid


def test_json_feed_dates_at_the_edge_of_datetime_are_refused_not_raised() -> None:
    edges = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"]
    items = [{"id": str(i), "url": f"http://example.com/{i}", "title": "t", "date_published": d, "date_modified": d}
             for i, d in enumerate(edges)]
    listing = parse_json_feed(json_feed(*items))
    assert len(listing.items) == 4
    assert all(i.published is None and i.updated is None and i.date_invalid for i in listing.items)


def test_build_article_stores_a_future_or_ancient_date_as_unknown() -> None:
    future = FeedItem(url="http://example.com/f", title="F", published=NOW + timedelta(days=30),
                      updated=NOW + timedelta(days=40))
    article = build_article(IDENTITY, future, now=NOW)
    assert article.published == NOW and article.updated is None
    assert "date_invalid" in article.flags and "date_missing" in article.flags
    marked = build_article(IDENTITY, FeedItem(url="http://example.com/m", title="M", date_invalid=True), now=NOW)
    assert marked.published == NOW and {"date_invalid", "date_missing"} <= set(marked.flags)
    fine = build_article(IDENTITY, FeedItem(url="http://example.com/ok", title="OK", published=NOW), now=NOW)
    assert fine.published == NOW and fine.flags == ()


# -- through the real CLI ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site() -> Iterator[TestServer]:
    good = rss_item("http://example.com/good", "Good item", "Mon, 01 Jan 2024 00:00:00 GMT", "hello good world")
    old = rss_item("http://example.com/old", "Item of year five hundred", "Mon, 01 Jan 0500 00:00:00 GMT",
                   "hello ancient world")
    routes = {
        "/rss.xml": Reply(body=rss(good, old), content_type="application/rss+xml"),
        "/atom.xml": Reply(body=ATOM_500, content_type="application/atom+xml"),
        "/feed.json": Reply(body=json_feed({"id": "j1", "url": "http://example.com/json-500", "title": "JSON 500",
                                            "content_text": "json five hundred", "date_published": "0500-01-01T00:00:00Z"}),
                            content_type="application/feed+json"),
    }
    with serve(routes) as server:
        yield server


def test_year_500_feeds_leave_every_command_working(site: TestServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, [FeedSpec("RSS", site.url("/rss.xml")), FeedSpec("Atom", site.url("/atom.xml")),
                                     FeedSpec("JSON", site.url("/feed.json"))])
    fetched = newsroll(config, "fetch")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert "Traceback" not in fetched.stderr and "out of range" in fetched.stderr
    rows = search_json(config, "")
    assert len(rows) == 4
    by_title = {r["title"]: r for r in rows}
    for title in ("Item of year five hundred", "Atom of year 500", "JSON 500"):
        assert "date_invalid" in by_title[title]["flags"], by_title[title]
        assert parse_iso(by_title[title]["published"]).year >= 2026  # the fetch time stands in
    assert by_title["Good item"]["published"] == "2024-01-01T00:00:00Z"
    for args in (["show", by_title["JSON 500"]["id"]], ["verify"], ["export"], ["feeds"]):
        result = newsroll(config, *args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
    exported = [json.loads(line) for line in newsroll(config, "export").stdout.splitlines()]
    assert all(parse_iso(row["published"]).year >= 1900 for row in exported)


def test_an_archive_poisoned_by_an_older_version_reads_and_repairs(site: TestServer, tmp_path: Path) -> None:
    config = write_config(tmp_path, [FeedSpec("RSS", site.url("/rss.xml"))])
    assert newsroll(config, "fetch").returncode == 0
    database = tmp_path / "data" / "archive.db"
    with sqlite3.connect(database) as db:  # what the old strftime("%Y") wrote for year 500
        db.execute("update articles set published = '500-01-01T00:00:00Z', updated = '501-02-03T04:05:06Z' "
                   "where title = 'Good item'")
    db.close()
    [row] = [r for r in search_json(config, "") if r["title"] == "Good item"]
    shown = newsroll(config, "show", row["id"])
    assert shown.returncode == 0 and "Traceback" not in shown.stderr
    assert newsroll(config, "export").returncode == 0
    checked_only = newsroll(config, "verify")
    assert checked_only.returncode == 1 and "published stored as '500-01-01T00:00:00Z'" in checked_only.stdout
    repaired = newsroll(config, "verify", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "rewritten as '0500-01-01T00:00:00Z'" in repaired.stdout
    assert newsroll(config, "verify").returncode == 0
    with sqlite3.connect(database) as db:
        assert db.execute("select published, updated from articles where title = 'Good item'").fetchone() == (
            "0500-01-01T00:00:00Z", "0501-02-03T04:05:06Z")
    db.close()
