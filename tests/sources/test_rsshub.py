"""Any RSSHub route (rsshub): JSON Feed first, RSS/Atom fallback, cut titles made whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scraper.errors import NotAFeedError
from scraper.sources import get_source
from scraper.sources.rsshub import full_title
from tests.sources.support import FIXTURES, SHANGHAI, fixture

SOURCE = get_source("rsshub")
ROUTE = "http://localhost:1200/cls/telegraph"


def test_request_asks_for_json_feed_unless_a_format_is_chosen() -> None:
    assert SOURCE.request_url(ROUTE, None) == ROUTE + "?format=json"
    assert SOURCE.request_url(ROUTE + "?key=abc&limit=5", None) == ROUTE + "?key=abc&limit=5&format=json"
    assert SOURCE.request_url(ROUTE + "?format=atom", None) == ROUTE + "?format=atom"


def test_json_feed_titles_are_recovered_from_the_body() -> None:
    listing = SOURCE.parse(fixture("rsshub-cls-telegraph.json"), ROUTE, SHANGHAI)
    titles = [i.title for i in listing.items]
    assert titles == [
        "贵州茅台：前三季度净利润同比增长15.0%，营业收入1231亿元，第三季度单季净利润创新高",  # from 【…】
        "财联社10月6日电，沪指午后震荡走高，创业板指涨超1%，两市成交额突破1.2万亿元",  # first sentence
        "冯德莱恩：将成立工作组以整合能源需求",  # not cut: kept
    ]
    assert listing.items[0].published == datetime(2026, 10, 6, 7, 42, 10, tzinfo=UTC)
    assert listing.items[0].content_html.startswith("【贵州茅台")


def test_rss_fallback_reads_zone_less_dates_as_utc_plus_8() -> None:
    listing = SOURCE.parse(fixture("rsshub-cls-telegraph.xml"), ROUTE, SHANGHAI)
    assert listing.items[0].title.endswith("第三季度单季净利润创新高")
    assert listing.items[1].published == datetime(2026, 10, 6, 7, 30, 45, tzinfo=UTC)


def test_real_rsshub_rss_output() -> None:
    listing = SOURCE.parse((FIXTURES.parent / "feeds" / "rsshub-weibo-2025.xml").read_bytes(), ROUTE, SHANGHAI)
    assert listing.items and all(i.title for i in listing.items)


def test_title_not_matching_the_body_is_kept() -> None:
    assert full_title("某公司公告...", "<p>与标题无关的正文。</p>") == "某公司公告..."
    assert full_title("", "<p>【标题在这里】正文</p>") == "标题在这里"


def test_html_error_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeedError):
        SOURCE.parse(b"<!DOCTYPE html><html><body>Route not found</body></html>", ROUTE, SHANGHAI)
