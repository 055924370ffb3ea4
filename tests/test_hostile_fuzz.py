"""Fuzzing the listing parsers and the date handling (hypothesis, fixed budget, derandomized).

Properties: only ScraperError subclasses leave parse_feed, parse_json_feed, parse_sina_roll and
parse_listing; every produced date is aware, within 1900 … 2200, and round-trips through the
archive's iso/parse_iso; every produced link and image is an absolute http(s) URL. The inputs mix
raw bytes with structured documents (RSS, JSON Feed, Sina roll) whose fields hypothesis fills with
hostile values: odd types, huge or negative numbers, dates at the edges of datetime.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import iso, parse_iso
from scraper.dates import EARLIEST, LATEST
from scraper.errors import ScraperError
from scraper.listing import parse_feed, parse_json_feed, parse_listing, parse_sina_roll
from scraper.models import Listing

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["0500-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00",
                     "2024-02-30T00:00:00Z", "1000000000000", "1e12", "-1", "²", "javascript:alert(1)",
                     "data:text/html,x", "file:///etc/passwd", "//cdn.example.com/x.png", "http://example.com/a"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
date_texts = st.one_of(
    st.sampled_from(["Mon, 01 Jan 0500 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 -1200", "Sat, 01 Jan 0001 00:00:00 +0100",
                     "2024-01-01T00:00:00+99:00", "0500-06-01T10:00:00Z", "2005-12-31 10:24:36", "Mon, 32 Jan 2024 25:61:61 GMT"]),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
        lambda d: d.strftime("%a, %d %b ") + f"{d.year:04d}" + d.strftime(" %H:%M:%S GMT")),
    st.text(max_size=30),
)


def check_listing(listing: Listing) -> None:
    for item in listing.items:
        assert item.url.startswith(("http://", "https://")), item.url
        assert item.image is None or item.image.startswith(("http://", "https://")), item.image
        for moment in (item.published, item.updated):
            if moment is None:
                continue
            assert moment.tzinfo is not None and EARLIEST <= moment < LATEST, moment
            assert parse_iso(iso(moment)) == moment.replace(microsecond=0)
            assert datetime.fromisoformat(moment.isoformat()) == moment


def run(parse: Any, content: bytes) -> None:
    try:
        listing = parse(content)
    except ScraperError:
        return
    check_listing(listing)


@FUZZ
@given(st.binary(max_size=2000))
def test_raw_bytes(content: bytes) -> None:
    for parse in (parse_feed, parse_json_feed, parse_sina_roll,
                  lambda c: parse_listing("feed", c), lambda c: parse_listing("sina_roll", c)):
        run(parse, content)


@FUZZ
@given(st.lists(st.tuples(scalars, values, date_texts, date_texts), max_size=5), st.sampled_from(["", "\xff", "\x1b"]))
def test_rss_documents(entries: list[tuple[Any, Any, str, str]], junk: str) -> None:
    def esc(value: object) -> str:
        return str(value).replace("&", "&amp;").replace("<", "&lt;")

    items = "".join(
        f"<item><title>{esc(title)}{junk}</title><link>{esc(link)}</link><pubDate>{esc(published)}</pubDate>"
        f"<dc:date>{esc(updated)}</dc:date><description>{esc(title)}</description></item>"
        for link, title, published, updated in entries)
    content = ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
               f"<channel><title>t</title>{items}</channel></rss>").encode("utf-8", "surrogatepass")
    run(parse_feed, content)


@FUZZ
@given(st.dictionaries(st.sampled_from(["items", "title", "next_url", "home_page_url"]), values),
       st.lists(st.dictionaries(st.sampled_from(["id", "url", "external_url", "title", "content_html", "summary",
                                                 "date_published", "date_modified", "image", "banner_image",
                                                 "authors", "author"]), values), max_size=4))
def test_json_feed_documents(top: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    document = {"version": "https://jsonfeed.org/version/1.1", **top}
    if entries:
        document["items"] = entries
    content = json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")
    run(parse_json_feed, content)
    run(parse_feed, content)


@FUZZ
@given(values, st.lists(st.dictionaries(st.sampled_from(["url", "title", "docid", "intime", "ctime", "mtime",
                                                        "images", "img", "intro", "media_name"]), values), max_size=4))
def test_sina_roll_documents(status: Any, rows: list[dict[str, Any]]) -> None:
    content = json.dumps({"result": {"status": status, "total": len(rows), "data": rows}},
                         allow_nan=True).encode("utf-8", "surrogatepass")
    run(parse_sina_roll, content)
    run(parse_sina_roll, b"cb(" + content + b");")


@FUZZ
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=st.just(UTC)))
def test_archive_dates_round_trip_for_every_year(moment: datetime) -> None:
    text = iso(moment)
    assert len(text) == 20 and parse_iso(text) == moment.replace(microsecond=0)
    assert datetime.fromisoformat(text.replace("Z", "+00:00")) == moment.replace(microsecond=0)


@pytest.mark.parametrize("depth", [10, 1000, 100_000])
def test_deep_json_never_escapes_as_recursion(depth: int) -> None:
    for parse in (parse_json_feed, parse_sina_roll):
        run(parse, b'{"result": ' + b"[" * depth + b"]" * depth + b"}")
