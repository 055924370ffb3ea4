"""新浪 7×24 (sina_zhibo): listing, page paging, error payloads, template changes, UTC+8, stocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.errors import NotAFeedError, SourceAPIError, TemplateChangedError
from scraper.sources import get_source, source_kinds
from tests.sources.support import SHANGHAI, fixture

URL = "https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1&pagesize=3&page=1"
SOURCE = get_source("sina_zhibo")


def test_registered_with_polite_defaults() -> None:
    assert "sina_zhibo" in source_kinds()
    assert SOURCE.can_page
    assert SOURCE.headers["Referer"].startswith("https://finance.sina.com.cn/")
    assert SOURCE.default_interval >= 60
    assert SOURCE.reads and SOURCE.history


def test_listing_items_are_flashes_with_titles_and_text() -> None:
    listing = SOURCE.parse(fixture("sina-zhibo-page1.json"), URL, SHANGHAI)
    assert [i.guid for i in listing.items] == ["4512301", "4512298", "4512290"]
    first = listing.items[0]
    assert first.flash
    assert first.title == "贵州茅台：2026年前三季度净利润同比增长9.2%"
    assert "前三季度实现营业总收入1285.6亿元" in first.content_html
    assert first.url == "https://wap.cj.sina.cn/pc/7x24/4512301"
    assert first.author == "sinafinance"
    # no 【】 headline: the first sentence; <br/> splits paragraphs
    second = listing.items[1]
    assert second.title == "央行今日开展1200亿元7天期逆回购操作，操作利率1.40%"
    assert second.content_html.count("<p>") == 2


def test_times_without_zone_are_beijing_time() -> None:
    listing = SOURCE.parse(fixture("sina-zhibo-page1.json"), URL, SHANGHAI)
    assert listing.items[0].published == datetime(2026, 12, 7, 1, 58, 3, tzinfo=UTC)


def test_stocks_from_ext_and_importance_from_tags() -> None:
    items = SOURCE.parse(fixture("sina-zhibo-page1.json"), URL, SHANGHAI).items
    assert items[0].stocks == ("SH600519",)
    assert items[2].stocks == ("HK00700", "US:AAPL")  # the empty symbol is dropped
    assert [i.important for i in items] == [False, True, False]  # tag 焦点


def test_ext_sample_from_public_code_gives_the_stock() -> None:
    ext = json.loads(fixture("sina-zhibo-ext.json"))["ext"]
    row = {"id": 1, "rich_text": "贵州茅台盘中拉升。", "create_time": "2026-12-07 10:00:00", "ext": ext}
    body = json.dumps({"result": {"status": {"code": 0}, "data": {"feed": {"list": [row]}}}}).encode()
    assert SOURCE.parse(body, URL, SHANGHAI).items[0].stocks == ("SH600519",)


def test_paging_by_page_number() -> None:
    listing = SOURCE.parse(fixture("sina-zhibo-page1.json"), URL, SHANGHAI)
    assert listing.next_cursor == "2"
    older = SOURCE.request_url(URL, listing.next_cursor)
    query = parse_qs(urlsplit(older).query)
    assert query["page"] == ["2"] and query["zhibo_id"] == ["152"] and query["pagesize"] == ["3"]
    assert SOURCE.request_url(URL, None) == URL
    # the last page (page_info.totalPage) has no older page
    assert SOURCE.parse(fixture("sina-zhibo-page1.json"), URL.replace("page=1", "page=3"), SHANGHAI).next_cursor is None


def test_empty_page_ends_paging() -> None:
    body = b'{"result":{"status":{"code":0},"data":{"feed":{"list":[]}}}}'
    listing = SOURCE.parse(body, URL, SHANGHAI)
    assert listing.items == () and listing.next_cursor is None


def test_error_payload_is_a_source_api_error() -> None:
    with pytest.raises(SourceAPIError, match="zhibo_id error"):
        SOURCE.parse(fixture("sina-zhibo-error.json"), URL, SHANGHAI)


@pytest.mark.parametrize(
    "body",
    [
        b'{"result":{"status":{"code":0},"data":{"feeds":[]}}}',  # list moved
        b'{"data":{"feed":{"list":[]}}}',  # no result
        b'{"result":{"status":{"code":0},"data":{"feed":{"list":[{"id":1,"text":"x","time":"y"}]}}}}',  # renamed fields
        b"[]",
        b"not json at all",
    ],
)
def test_changed_shape_is_a_template_change(body: bytes) -> None:
    with pytest.raises(TemplateChangedError):
        SOURCE.parse(body, URL, SHANGHAI)


def test_html_answer_is_not_a_feed() -> None:
    with pytest.raises(NotAFeedError):
        SOURCE.parse(b"<!DOCTYPE html><html><body>verify</body></html>", URL, SHANGHAI)


def test_the_bracketed_headline_is_the_title_not_part_of_the_body() -> None:
    first = SOURCE.parse(fixture("sina-zhibo-page1.json"), URL, SHANGHAI).items[0]
    assert first.content_html.startswith("<p>贵州茅台公告，前三季度") and "【" not in first.content_html
