"""财联社 电报 (cls_telegraph): signing, paging, parsing, failures."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from scraper.errors import NotAFeedError, SourceAPIError, TemplateChangedError
from scraper.sources import get_source, source_kinds
from scraper.sources.cls import sign_params
from tests.sources.support import SHANGHAI, fixture

SOURCE = get_source("cls_telegraph")
LISTING = "https://www.cls.cn/v1/roll/get_roll_list?app=CailianpressWeb&category=red&os=web&sv=8.4.6"


def test_signature_matches_the_published_test_vector() -> None:
    params = {"sv": "7.7.5", "rn": "20", "refresh_type": "1", "os": "web", "lastTime": "", "category": "",
              "app": "CailianpressWeb"}
    assert sign_params(params) == "0151cb1ca42557f82288f8ac65797220"


def test_signature_hashes_commas_raw() -> None:
    params = {"types": "change_px,change", "app": "CailianpressWeb"}
    raw_query = "app=CailianpressWeb&types=change_px,change"
    expected = hashlib.md5(hashlib.sha1(raw_query.encode()).hexdigest().encode()).hexdigest()
    assert sign_params(params) == expected


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_request_url_signs_every_parameter_and_pages_by_last_time() -> None:
    first = SOURCE.request_url(LISTING, None)
    query = _query(first)
    assert query["category"] == "red" and "last_time" not in query
    unsigned = {k: v for k, v in query.items() if k != "sign"}
    assert query["sign"] == sign_params(unsigned)
    assert first.endswith("&sign=" + query["sign"])  # appended last, after the sorted parameters
    older = _query(SOURCE.request_url(LISTING, "1791271079"))
    assert older["last_time"] == "1791271079" and older["category"] == "red"
    assert older["sign"] == sign_params({k: v for k, v in older.items() if k != "sign"})


def test_request_url_replaces_a_stale_sign_and_leaves_nothing_unsigned() -> None:
    url = SOURCE.request_url(LISTING + "&sign=deadbeef", None)
    assert "deadbeef" not in url
    assert urlsplit(url).query.count("sign=") == 1


def test_cache_endpoint_pages_through_the_roll_list_on_the_same_host() -> None:
    cache = "http://127.0.0.1:8080/api/cache?appName=CailianpressWeb&name=telegraph&os=web&sv=7.7.5"
    older = SOURCE.request_url(cache, "1791270000")
    parts = urlsplit(older)
    assert (parts.netloc, parts.path) == ("127.0.0.1:8080", "/v1/roll/get_roll_list")
    query = _query(older)
    assert query["last_time"] == "1791270000" and query["appName"] == "CailianpressWeb" and "name" not in query


def test_listing_reads_flashes_with_importance_stocks_and_titles() -> None:
    listing = SOURCE.parse(fixture("cls-telegraph-page1.json"), LISTING, SHANGHAI)
    assert [i.guid for i in listing.items] == ["cls:2498330", "cls:2498320"]  # VIP product and ad skipped
    first, second = listing.items
    assert first.url == "https://www.cls.cn/detail/2498330"
    assert first.title == "贵州茅台：前三季度净利润同比增长15.0%"
    assert first.content_html.startswith("<p>财联社10月6日电，贵州茅台公告")  # headline is the title, not the body
    assert first.important is True and first.stocks == ("SH600519",) and first.flash is True
    assert first.published == datetime(2026, 10, 6, 7, 42, 10, tzinfo=UTC)  # 15:42:10 in Beijing
    assert second.important is False
    assert second.stocks == ("SZ002245", "SZ002384")
    assert second.title == "沪指午后震荡走高，创业板指涨超1%，两市成交额突破1.2万亿元"  # first sentence, no dateline
    assert "<p>盘面上，锂电池、储能板块领涨。</p>" in second.content_html
    assert listing.next_cursor == "1791271200"  # ctime of the page's last row (the ad, 15:20:00 +08)


def test_real_excerpt_row_uses_its_title_and_brief() -> None:
    listing = SOURCE.parse(fixture("cls-telegraph-page2.json"), LISTING, SHANGHAI)
    real = listing.items[0]
    assert real.guid == "cls:2498191"
    assert real.title == "冯德莱恩：将成立工作组以整合能源需求 并委托市场运营商进行联合采购"
    assert "欧盟委员会主席冯德莱恩表示" in real.content_html  # content was elided; brief kept
    assert real.published == datetime.fromtimestamp(1791271079, UTC)
    assert listing.next_cursor == "1779613848"


def test_empty_page_has_no_cursor() -> None:
    listing = SOURCE.parse(fixture("cls-telegraph-empty.json"), LISTING, SHANGHAI)
    assert listing.items == () and listing.next_cursor is None


def test_signature_error_is_a_source_api_error() -> None:
    with pytest.raises(SourceAPIError, match=r"cls.cn API error 10012: 签名错误"):
        SOURCE.parse(fixture("cls-sign-error.json"), LISTING, SHANGHAI)


def test_changed_shape_is_a_template_change() -> None:
    with pytest.raises(TemplateChangedError, match="roll_data"):
        SOURCE.parse(fixture("cls-changed-shape.json"), LISTING, SHANGHAI)
    rows = json.dumps({"errno": 0, "data": {"roll_data": [{"uid": 1, "time": "x"}]}}).encode()
    with pytest.raises(TemplateChangedError, match="id/ctime"):
        SOURCE.parse(rows, LISTING, SHANGHAI)


def test_waf_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><body>418 I'm a teapot - CloudWAF</body></html>"
    with pytest.raises(NotAFeedError, match="HTML page"):
        SOURCE.parse(page, LISTING, SHANGHAI)


def test_registered_with_polite_headers_and_paging() -> None:
    assert "cls_telegraph" in source_kinds()
    assert SOURCE.can_page and SOURCE.headers["Referer"] == "https://www.cls.cn/telegraph"


def test_hostile_rows_are_dropped_not_stored() -> None:
    rows = [
        {"id": "12x", "ctime": 1791271079, "content": "非数字 id"},
        {"id": True, "ctime": 1791271079, "content": "布尔 id"},
        {"id": 5, "ctime": "-1", "content": "负时间"},
        {"id": 6, "ctime": 1791271079, "content": "……", "brief": ""},
        {"id": 7, "ctime": 1791271079, "type": "20026", "content": "字符串类型的会员内容"},
        {"id": 8, "ctime": 1791271079, "level": ["A"], "content": "正常", "stock_list": ["sh600519", {"StockID": 5}]},
    ]
    listing = SOURCE.parse(json.dumps({"errno": 0, "data": {"roll_data": rows}}).encode(), LISTING, SHANGHAI)
    [item] = listing.items
    assert item.guid == "cls:8" and item.important is False and item.stocks == ()
