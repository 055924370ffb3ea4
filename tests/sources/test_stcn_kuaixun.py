"""证券时报 快讯 (stcn_kuaixun): listing, page_time paging, error payloads, template changes, times, stocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.sources import get_source
from tests.sources.support import SHANGHAI, fixture

URL = "https://www.stcn.com/article/list.html?type=kx"
SOURCE = get_source("stcn_kuaixun")


def test_asks_for_json_politely() -> None:
    assert SOURCE.headers["X-Requested-With"] == "XMLHttpRequest"
    assert SOURCE.headers["Referer"].startswith("https://www.stcn.com/")
    assert SOURCE.can_page and SOURCE.default_interval >= 60


def test_listing_from_the_sample_items() -> None:
    listing = SOURCE.parse(fixture("stcn-kx-list.json"), URL, SHANGHAI)
    first, second, third = listing.items
    assert first.guid == "3934743" and first.flash
    assert first.url == "https://www.stcn.com/article/detail/3934743.html"
    assert first.title == "中国中铁与四川省签署深化战略合作协议"
    assert "人民财讯5月29日电" in first.content_html
    assert first.author == "人民财讯"
    assert first.published == datetime.fromtimestamp(1780050408, tz=UTC)  # ms since the epoch
    assert second.published == datetime.fromtimestamp(1790758677, tz=UTC)
    assert third.url == "https://www.stcn.com/article/detail/4300001.html"  # web_url
    assert "<p>" not in third.title and "逆回购" in third.content_html


def test_is_red_is_importance_and_tags_give_stocks() -> None:
    items = SOURCE.parse(fixture("stcn-kx-list.json"), URL, SHANGHAI).items
    assert [i.important for i in items] == [False, False, True]
    assert items[0].stocks == ("SH601390",)
    assert items[1].stocks == ("SH688727",)
    assert items[2].stocks == ()


def test_a_listing_served_from_a_test_host_links_there() -> None:
    items = SOURCE.parse(fixture("stcn-kx-list.json"), "http://127.0.0.1:8123/article/list.html?type=kx", SHANGHAI).items
    assert items[0].url == "http://127.0.0.1:8123/article/detail/3934743.html"


def test_paging_with_page_time_and_last_time() -> None:
    listing = SOURCE.parse(fixture("stcn-kx-list.json"), URL, SHANGHAI)
    assert listing.next_cursor == "4300001|1780050408"
    query = parse_qs(urlsplit(SOURCE.request_url(URL, listing.next_cursor)).query)
    assert query == {"type": ["kx"], "page_time": ["4300001"], "last_time": ["1780050408"]}
    assert SOURCE.request_url(URL, None) == URL
    # without the answer's own markers: the last row's pageTime/show_time
    doc = json.loads(fixture("stcn-kx-list.json"))
    del doc["page_time"], doc["last_time"]
    doc["data"] = doc["data"][:2]
    assert SOURCE.parse(json.dumps(doc).encode(), URL, SHANGHAI).next_cursor == "4204288|1790758677"


def test_zoneless_time_strings_are_beijing_time() -> None:
    row = {"id": "9", "title": "t", "content": "正文。", "time": "2026-12-07 09:30:00"}
    body = json.dumps({"state": 1, "data": [row]}).encode()
    assert SOURCE.parse(body, URL, SHANGHAI).items[0].published == datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def test_error_payload() -> None:
    with pytest.raises(SourceAPIError, match="请求过于频繁"):
        SOURCE.parse(fixture("stcn-kx-error.json"), URL, SHANGHAI)


@pytest.mark.parametrize(
    "body",
    [
        b'{"state":1,"data":{"list":[]}}',
        b'{"code":200,"data":[]}',
        b'{"state":1,"data":[{"articleId":"1","body":"x"}]}',
    ],
)
def test_changed_shape_is_a_template_change(body: bytes) -> None:
    with pytest.raises(TemplateChangedError):
        SOURCE.parse(body, URL, SHANGHAI)
