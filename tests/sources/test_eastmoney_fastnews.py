"""东方财富 快讯 (eastmoney_fastnews): listing, sortEnd paging, error payloads, template changes, UTC+8, stocks."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.sources import get_source
from tests.sources.support import SHANGHAI, fixture

URL = (
    "https://np-weblist.eastmoney.com/comm/web/getFastNewsList?client=web&biz=web_724&fastColumn=102"
    "&sortEnd=&pageSize=50&req_trace="
)
SOURCE = get_source("eastmoney_fastnews")


def test_polite_defaults() -> None:
    assert SOURCE.can_page
    assert SOURCE.headers["Referer"] == "https://kuaixun.eastmoney.com/"
    assert SOURCE.default_interval >= 60


def test_sample_response_from_public_code() -> None:
    listing = SOURCE.parse(fixture("eastmoney-fastnews.json"), URL, SHANGHAI)
    (item,) = listing.items
    assert item.title == "中铝国际6月16日快速回调"
    assert item.flash and "以下是中铝国际盘口异动快照。" in item.content_html
    assert item.url == "https://finance.eastmoney.com/a/202606163772915624.html"
    assert item.guid == "202606163772915624"
    assert item.stocks == ("SH601068",)
    assert item.published == datetime(2026, 6, 16, 6, 9, 57, tzinfo=UTC)  # 14:09:57 in Beijing
    assert item.image == "https://example.com/a.png"
    assert listing.next_cursor == "1781590197015624"


def test_listing_stocks_importance_and_titles() -> None:
    items = SOURCE.parse(fixture("eastmoney-fastnews-page.json"), URL, SHANGHAI).items
    assert [i.important for i in items] == [True, False, False]  # titleColor
    assert items[0].stocks == ("SH600519",)
    assert items[1].stocks == ("SZ000001", "HK00700", "US:AAPL")  # "0.999999" is no known code
    assert items[1].title == "平安银行、腾讯控股、苹果盘前走高"  # no title: first sentence of the text
    assert "沪深两市集合竞价结束" in items[2].content_html  # no summary: the title is the text


def test_paging_with_sort_end_and_a_trace_id() -> None:
    listing = SOURCE.parse(fixture("eastmoney-fastnews-page.json"), URL, SHANGHAI)
    assert listing.next_cursor == "1796606000034400"  # realSort of the last row
    newest = parse_qs(urlsplit(SOURCE.request_url(URL, None)).query, keep_blank_values=True)
    older = parse_qs(urlsplit(SOURCE.request_url(URL, listing.next_cursor)).query, keep_blank_values=True)
    assert newest["sortEnd"] == [""] and older["sortEnd"] == ["1796606000034400"]
    assert older["fastColumn"] == ["102"] and older["pageSize"] == ["50"]
    assert len(older["req_trace"][0]) == 32 and newest["req_trace"] != older["req_trace"]
    # a configured trace id is kept, and the same request gives the same URL (no clock, no randomness)
    fixed = URL.replace("req_trace=", "req_trace=abc")
    assert parse_qs(urlsplit(SOURCE.request_url(fixed, "5")).query)["req_trace"] == ["abc"]
    assert SOURCE.request_url(URL, "5") == SOURCE.request_url(URL, "5")


def test_empty_page_ends_paging() -> None:
    listing = SOURCE.parse(b'{"code":"1","message":"success","data":{"fastNewsList":[]}}', URL, SHANGHAI)
    assert listing.items == () and listing.next_cursor is None


def test_error_payload() -> None:
    with pytest.raises(SourceAPIError, match="req_trace is required"):
        SOURCE.parse(fixture("eastmoney-fastnews-error.json"), URL, SHANGHAI)


@pytest.mark.parametrize(
    "body",
    [
        b'{"code":"1","message":"success","data":{"list":[]}}',
        b'{"rc":0,"data":{"fastNewsList":[]}}',
        b'{"code":"1","data":{"fastNewsList":[{"id":"1","digest":"x","time":"2026-12-07 09:00:00"}]}}',
        b'"ok"',
    ],
)
def test_changed_shape_is_a_template_change(body: bytes) -> None:
    with pytest.raises(TemplateChangedError):
        SOURCE.parse(body, URL, SHANGHAI)
