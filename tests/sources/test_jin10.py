"""金十 快讯 (jin10_flash): calendar and locked rows skipped, UTC+8 times, paging by max_time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.sources import get_source
from tests.sources.support import SHANGHAI, fixture

SOURCE = get_source("jin10_flash")
URL = "https://flash-api.jin10.com/get_flash_list?channel=-8200&vip=1"


def test_listing_skips_calendar_and_locked_rows() -> None:
    listing = SOURCE.parse(fixture("jin10-flash-page1.json"), URL, SHANGHAI)
    assert [i.guid for i in listing.items] == ["jin10:20261006153010123400", "jin10:20261006152000222200"]
    headline, gold = listing.items
    assert headline.title == "欧洲央行行长：通胀前景仍存不确定性"
    assert headline.content_html == "<p>欧洲央行行长表示，通胀前景仍存不确定性，将保持数据依赖。</p>"
    assert headline.important is True and headline.flash is True
    assert headline.url == "https://flash.jin10.com/detail/20261006153010123400"
    assert gold.title == "现货黄金短线拉升10美元，现报2650.30美元/盎司"
    assert gold.important is False and gold.image == "https://flash-scdn.jin10.com/2026/gold.png"
    assert '<img src="https://flash-scdn.jin10.com/2026/gold.png">' in gold.content_html


def test_times_are_read_as_utc_plus_8() -> None:
    listing = SOURCE.parse(fixture("jin10-flash-page1.json"), URL, SHANGHAI)
    assert listing.items[0].published == datetime(2026, 10, 6, 7, 30, 10, tzinfo=UTC)
    # the zone comes from the caller (the feed's configured zone wins over the wire's default)
    tokyo = SOURCE.parse(fixture("jin10-flash-page1.json"), URL, ZoneInfo("Asia/Tokyo"))
    assert tokyo.items[0].published == datetime(2026, 10, 6, 6, 30, 10, tzinfo=UTC)
    assert SOURCE.zone == "Asia/Shanghai"


def test_paging_by_max_time() -> None:
    listing = SOURCE.parse(fixture("jin10-flash-page1.json"), URL, SHANGHAI)
    assert listing.next_cursor == "2026-10-06 15:20:00"
    assert SOURCE.request_url(URL, listing.next_cursor) == URL + "&max_time=2026-10-06+15%3A20%3A00"
    assert SOURCE.parse(fixture("jin10-flash-empty.json"), URL, SHANGHAI).next_cursor is None


def test_errors_and_changed_shape() -> None:
    with pytest.raises(SourceAPIError, match="jin10 API error 401: invalid app id"):
        SOURCE.parse(fixture("jin10-error.json"), URL, SHANGHAI)
    with pytest.raises(TemplateChangedError):
        SOURCE.parse(b'{"status": 200, "data": {"list": []}}', URL, SHANGHAI)
    with pytest.raises(TemplateChangedError, match="time/data"):
        SOURCE.parse(b'{"status": 200, "data": [{"id": "1", "ts": 1}]}', URL, SHANGHAI)


def test_api_headers_are_sent() -> None:
    assert SOURCE.headers["x-app-id"] and SOURCE.headers["x-version"] == "1.0.0"
