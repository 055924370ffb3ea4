"""第一财经 正在 (yicai_brief): listing (both known shapes), page paging, errors, template changes, UTC+8."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.sources import get_source
from tests.sources.support import SHANGHAI, fixture

URL = "https://www.yicai.com/api/ajax/getbrieflist?type=0&page=1&pagesize=50"
SOURCE = get_source("yicai_brief")


def test_polite_defaults() -> None:
    assert SOURCE.headers["Referer"].startswith("https://www.yicai.com/")
    assert SOURCE.can_page and SOURCE.default_interval >= 60


def test_listing_of_briefs() -> None:
    first, second = SOURCE.parse(fixture("yicai-brief.json"), URL, SHANGHAI).items
    assert first.guid == "2612070001" and first.flash
    assert first.url == "https://www.yicai.com/brief/2612070001.html"
    assert first.title == "央行开展1200亿元逆回购操作"
    assert "操作利率1.40%" in first.content_html
    assert first.published == datetime(2026, 12, 7, 1, 21, tzinfo=UTC)  # 2026.12.07 09:21 in Beijing
    assert first.important is None  # this shape carries no mark
    assert second.guid == "2612070002"  # id from the link
    assert second.title == "沪指低开0.12%，深成指低开0.2%"


def test_the_live_shape_with_importance() -> None:
    (item,) = SOURCE.parse(fixture("yicai-brief-live.json"), URL, SHANGHAI).items
    assert item.guid == "100245678" and item.important is True
    assert item.published == datetime(2026, 9, 30, 8, 38, 5, tzinfo=UTC)
    assert item.title == "美股三大股指集体收涨，纳指涨1.1%"


def test_paging_by_page_number() -> None:
    listing = SOURCE.parse(fixture("yicai-brief.json"), URL, SHANGHAI)
    assert listing.next_cursor == "2"
    query = parse_qs(urlsplit(SOURCE.request_url(URL, "2")).query)
    assert query == {"type": ["0"], "page": ["2"], "pagesize": ["50"]}
    assert SOURCE.parse(b"[]", URL, SHANGHAI).next_cursor is None


def test_error_payload() -> None:
    with pytest.raises(SourceAPIError, match="too many requests"):
        SOURCE.parse(b'{"code":429,"msg":"too many requests"}', URL, SHANGHAI)


@pytest.mark.parametrize(
    "body",
    [
        b'{"briefs":[]}',
        b'[{"title":"x","content":"y"}]',
        b'[{"url":"/brief/1.html","newcontent":"x","date":"2026-12-07"}]',
    ],
)
def test_changed_shape_is_a_template_change(body: bytes) -> None:
    with pytest.raises(TemplateChangedError):
        SOURCE.parse(body, URL, SHANGHAI)
