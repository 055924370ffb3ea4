"""财联社 深度 (cls_depth): listing, paging, full text from the page's __NEXT_DATA__."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.sources import get_source
from scraper.sources.cls import sign_params
from tests.sources.support import SHANGHAI, fixture

SOURCE = get_source("cls_depth")
LISTING = "http://127.0.0.1:8123/v3/depth/list/1000?app=CailianpressWeb&os=web&sv=8.4.6"


def test_listing_points_full_text_at_the_listing_host_and_keeps_the_public_url() -> None:
    listing = SOURCE.parse(fixture("cls-depth-list.json"), LISTING, SHANGHAI)
    assert len(listing.items) == 1  # the VIP row (type 20026) is skipped
    item = listing.items[0]
    assert item.url == "https://www.cls.cn/detail/2498400"
    assert item.fetch_url == "http://127.0.0.1:8123/detail/2498400"
    assert item.title == "储能行业深度：订单放量背后的三个变化"
    assert item.published == datetime(2026, 10, 6, 6, 0, tzinfo=UTC)
    assert item.flash is False and item.author is None  # "source" is the outlet; the page names the author
    assert listing.next_cursor == str(int(datetime(2026, 10, 6, 4, 0, tzinfo=UTC).timestamp()) * 1000)


def test_paging_sets_last_time_in_milliseconds_and_signs() -> None:
    query = dict(parse_qsl(urlsplit(SOURCE.request_url(LISTING, "1791259200000")).query, keep_blank_values=True))
    assert query["last_time"] == "1791259200000"
    assert query["sign"] == sign_params({k: v for k, v in query.items() if k != "sign"})


def test_article_text_comes_from_next_data_sanitized() -> None:
    extracted = SOURCE.parse_article(fixture("cls-detail-2498400.html"), "http://127.0.0.1:8123/detail/2498400")
    assert extracted.title == "储能行业深度：订单放量背后的三个变化"
    assert extracted.author == "王晓" and extracted.source == "财联社"
    assert "<strong>超预期</strong>" in extracted.body_html
    assert "track()" not in extracted.body_html and "onclick" not in extracted.body_html
    assert 'src="https://img.cls.cn/a/1.png"' in extracted.body_html  # protocol-relative made absolute
    assert extracted.body_text.startswith("财联社10月6日讯（记者 王晓）储能订单持续放量。")
    assert "第二，电芯价格企稳。" in extracted.body_text
    assert extracted.canonical_url == "https://www.cls.cn/detail/2498400"
    assert extracted.published == datetime(2026, 10, 6, 6, 0, tzinfo=UTC)


def test_page_without_next_data_is_a_template_change() -> None:
    with pytest.raises(TemplateChangedError, match="__NEXT_DATA__"):
        SOURCE.parse_article(fixture("cls-detail-changed.html"), "http://127.0.0.1:8123/detail/1")


def test_errors_and_changed_shapes() -> None:
    with pytest.raises(SourceAPIError, match="10012"):
        SOURCE.parse(fixture("cls-sign-error.json"), LISTING, SHANGHAI)
    with pytest.raises(TemplateChangedError):
        SOURCE.parse(b'{"errno": 0, "data": {"list": []}}', LISTING, SHANGHAI)
