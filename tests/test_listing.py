"""Listing parsers on real feeds (tests/fixtures/feeds, see PROVENANCE.md) and Sina roll responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scraper.errors import NotAFeedError, ParseError
from scraper.listing import parse_feed, parse_listing, parse_sina_roll

FIXTURES = Path(__file__).parent / "fixtures"


def feed_bytes(name: str) -> bytes:
    return (FIXTURES / "feeds" / name).read_bytes()


def test_cnbc_rss_second_less_dates() -> None:
    listing = parse_feed(feed_bytes("cnbc-top-news-2014.xml"))
    assert len(listing.items) == 30
    first = listing.items[0]
    assert first.url == "http://www.cnbc.com/id/101485972"
    assert first.guid == "guid_101485972"
    assert first.published == datetime(2014, 3, 13, 3, 58, tzinfo=UTC)
    assert listing.ttl_seconds is not None


def test_iso_8859_1_prolog_and_edt_zone() -> None:
    listing = parse_feed(feed_bytes("cnnmoney-latest-2014.xml"))
    assert len(listing.items) == 20
    # "Wed, 12 Mar 2014 21:56:56 EDT" is 01:56:56 UTC the next day
    assert listing.items[0].published == datetime(2014, 3, 13, 1, 56, 56, tzinfo=UTC)
    assert listing.items[0].image and listing.items[0].image.startswith("http://i2.cdn.turner.com/")
    assert "\ufffd" not in "".join(i.title + i.summary_html for i in listing.items)


def test_gb2312_declared_only_in_prolog_with_naive_dates_in_the_feed_zone() -> None:
    listing = parse_feed(feed_bytes("donews-gb2312.xml"), default_tz=ZoneInfo("Asia/Shanghai"))
    assert len(listing.items) == 20
    assert listing.title == "DoNews.COM - IT写作社区"
    assert listing.items[0].title.startswith("TRS WCM 5.2实现创新网络普法栏目")
    # "2005-12-31 10:24:36" has no zone: read in Asia/Shanghai, not as UTC
    assert listing.items[0].published == datetime(2005, 12, 31, 2, 24, 36, tzinfo=UTC)
    assert all(i.guid is None for i in listing.items)


def test_malformed_xml_with_control_character_is_recovered() -> None:
    listing = parse_feed(feed_bytes("elpais-mrss-2020.xml"))
    assert len(listing.items) == 81
    assert listing.items[0].image and listing.items[0].content_html


def test_atom_xml_base_resolves_relative_links() -> None:
    listing = parse_feed(feed_bytes("ruanyifeng-atom.xml"))
    assert [i.url for i in listing.items][0] == "http://www.ruanyifeng.com/blog/2020/04/weekly-issue-102.html"
    assert len(listing.items[0].content_html) > 1000


def test_rsshub_duplicate_guid_is_listed_as_is() -> None:
    listing = parse_feed(feed_bytes("rsshub-weibo-2025.xml"))
    assert len(listing.items) == 3
    assert len({i.guid for i in listing.items}) == 2
    assert listing.ttl_seconds == 60


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>",
        b"<html><script>document.cookie='x';location.reload()</script></html>",
        b"",
        b"just some text",
    ],
)
def test_html_or_garbage_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(NotAFeedError):
        parse_feed(body)


def test_entity_expansion_bomb_is_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY a%d "&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;&a%s;">'
                       % (i, b"" if i == 1 else str(i - 1).encode(), *([b"" if i == 1 else str(i - 1).encode()] * 9))
                       for i in range(1, 10))
            + b']><rss version="2.0"><channel><title>&a9;</title></channel></rss>')
    with pytest.raises(ParseError, match="entities"):
        parse_feed(bomb)


def test_external_entity_is_refused() -> None:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<rss version="2.0"><channel><title>&x;</title></channel></rss>')
    with pytest.raises(ParseError):
        parse_feed(xxe)


def test_json_feed() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [
        {"id": "1", "url": "https://example.com/a", "title": "A", "content_html": "<p>x</p>",
         "date_published": "2024-05-01T08:00:00+08:00", "authors": [{"name": "Ann"}]},
        {"id": "2", "title": "no url: skipped"}]}
    listing = parse_feed(json.dumps(doc).encode())
    assert len(listing.items) == 1
    item = listing.items[0]
    assert (item.guid, item.author, item.published) == ("1", "Ann", datetime(2024, 5, 1, 0, 0, tzinfo=UTC))


def roll_bytes() -> bytes:
    return (FIXTURES / "sina" / "roll_1686_page1.json").read_bytes().replace(b"{base}", b"https://finance.sina.com.cn")


def test_sina_roll_json() -> None:
    listing = parse_sina_roll(roll_bytes())
    assert listing.total == 4
    assert len(listing.items) == 3  # the row without a URL is skipped
    seed = listing.items[0]
    assert seed.title == "10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作"
    assert seed.published == datetime(2022, 2, 8, 8, 0, 5, tzinfo=UTC)
    assert seed.author == "浙江发布"
    assert seed.url == "https://finance.sina.com.cn/roll/2022-02-08/doc-ikyamrmz9994488.shtml"


def test_sina_roll_jsonp_is_unwrapped() -> None:
    listing = parse_listing("sina_roll", b"feedCardJsonpCallback(" + roll_bytes() + b");")
    assert len(listing.items) == 3


def test_sina_roll_error_status_and_html() -> None:
    with pytest.raises(ParseError, match="API error 11"):
        parse_sina_roll(b'{"result": {"status": {"code": 11, "msg": "bad lid"}, "data": []}}')
    with pytest.raises(NotAFeedError, match="HTML"):
        parse_sina_roll(b"<!DOCTYPE html><html><body>403 Forbidden</body></html>")
    assert parse_sina_roll(b'{"result": {"status": {"code": 0}, "data": []}}').items == ()
