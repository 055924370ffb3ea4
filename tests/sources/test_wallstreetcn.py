"""华尔街见闻 快讯 (wallstreetcn_live) and articles (wallstreetcn_news)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.sources import get_source
from tests.sources.support import SHANGHAI, fixture

LIVE = get_source("wallstreetcn_live")
NEWS = get_source("wallstreetcn_news")
LIVES_URL = "https://api-one.wallstcn.com/apiv1/content/lives?channel=global-channel&limit=100"
NEWS_URL = "http://127.0.0.1:8124/apiv1/content/information-flow?channel=global-channel&accept=article&limit=25"


def test_real_2018_lives_response() -> None:
    listing = LIVE.parse(fixture("wallstreetcn-lives-2018.json"), LIVES_URL, SHANGHAI)
    (item,) = listing.items
    assert item.title == "证监会：迈瑞生物等四家公司首发获通过"
    assert item.url == "https://wallstreetcn.com/livenews/1311554"
    assert item.content_html.startswith("证监会官网消息")
    assert item.published == datetime(2018, 7, 24, 14, 35, 23, tzinfo=UTC)  # 22:35:23 in Beijing
    assert item.important is False and item.flash is True
    assert listing.next_cursor == "1532442923"


def test_lives_page_skips_paid_items_and_marks_important_ones() -> None:
    listing = LIVE.parse(fixture("wallstreetcn-lives-page1.json"), LIVES_URL, SHANGHAI)
    assert [i.guid for i in listing.items] == ["wallstreetcn:live:3174360", "wallstreetcn:live:3174348"]
    important, plain = listing.items
    assert important.important is True and important.title == "美联储理事：年内或再降息一次"
    assert important.content_html == "<p>美联储理事沃勒表示，若通胀继续回落，年内或再降息一次。</p>"
    assert important.author == "快讯编辑"
    assert plain.title == "国家发改委：加快推进重大项目建设" and plain.important is False
    assert listing.next_cursor == "1791271146"


def test_cursor_paging_and_end_of_history() -> None:
    assert LIVE.request_url(LIVES_URL, None) == LIVES_URL
    assert LIVE.request_url(LIVES_URL, "1791271146").endswith("channel=global-channel&limit=100&cursor=1791271146")
    assert LIVE.parse(fixture("wallstreetcn-lives-empty.json"), LIVES_URL, SHANGHAI).next_cursor is None


def test_error_code_and_changed_shape() -> None:
    with pytest.raises(SourceAPIError, match="wallstreetcn API error 40001: 参数错误"):
        LIVE.parse(fixture("wallstreetcn-error.json"), LIVES_URL, SHANGHAI)
    with pytest.raises(TemplateChangedError, match="no items"):
        LIVE.parse(fixture("wallstreetcn-changed-shape.json"), LIVES_URL, SHANGHAI)


def test_news_listing_keeps_free_articles_only() -> None:
    listing = NEWS.parse(fixture("wallstreetcn-news-flow.json"), NEWS_URL, SHANGHAI)
    (item,) = listing.items  # live, ad and the paid article are skipped
    assert item.url == "https://wallstreetcn.com/articles/3752001"
    assert item.fetch_url == "http://127.0.0.1:8124/apiv1/content/articles/3752001?extract=0"
    assert item.title == "美股三大指数集体收涨，科技股领涨" and item.author == "周源"
    assert item.flash is False
    assert listing.next_cursor == str(int(datetime(2026, 10, 5, 21, 0, tzinfo=UTC).timestamp()))


def test_article_full_text_is_sanitized() -> None:
    extracted = NEWS.parse_article(fixture("wallstreetcn-article-3752001.json"),
                                   "http://127.0.0.1:8124/apiv1/content/articles/3752001?extract=0")
    assert extracted.canonical_url == "https://wallstreetcn.com/articles/3752001"
    assert "iframe" not in extracted.body_html
    assert 'href="https://wallstreetcn.com/articles/3751000"' in extracted.body_html
    assert extracted.body_text.endswith("分析人士认为，降息预期升温。")
    assert extracted.source == "华尔街见闻" and extracted.author == "周源"


def test_deleted_article_is_an_api_error() -> None:
    with pytest.raises(SourceAPIError, match="60301"):
        NEWS.parse_article(fixture("wallstreetcn-article-deleted.json"), "http://x/apiv1/content/articles/1")


def test_hostile_payloads_never_become_items() -> None:
    with pytest.raises(TemplateChangedError, match="no code"):
        LIVE.parse(b'{"data": {"items": []}}', LIVES_URL, SHANGHAI)
    with pytest.raises(TemplateChangedError):
        LIVE.parse(b'[1, 2, 3]', LIVES_URL, SHANGHAI)
    rows = (b'{"code": 20000, "data": {"items": [{"id": 1, "display_time": 99999999999999999999, "content": "x"},'
            b' {"id": null, "display_time": 1791271146, "content": "y"}, "junk",'
            b' {"id": 2, "display_time": true, "content": "z"},'
            b' {"id": 3, "display_time": 1791271146, "content": "", "content_text": ""}]}}')
    assert LIVE.parse(rows, LIVES_URL, SHANGHAI).items == ()
