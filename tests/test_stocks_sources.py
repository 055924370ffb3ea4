"""Where codes come from besides the text: the wires' stock lists, page links; the company list
(shipped, and a user's), and tagging a whole article from every origin."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.errors import StockListError
from scraper.extract import extract
from scraper.models import Article, StockTag
from scraper.stocks import (
    build_directory,
    codes_from_html,
    codes_in_fragment,
    default_directory,
    load_directory,
    normalize_code,
    parse_stock_list,
    source_tags,
    tag_article,
    tagged_article,
)

FIXTURES = Path(__file__).parent / "fixtures"
STOCKS = FIXTURES / "stocks"
WIDGET_CODES = {"SZ000725", "SZ000063", "SH601519", "SH600030", "SZ002463"}  # Sina's 热门股票 widget


def test_each_wire_stock_list_normalizes() -> None:
    stcn = json.loads((STOCKS / "stcn-kx-items.json").read_text(encoding="utf-8"))
    assert [normalize_code(t["stock_code"]) for item in stcn for g in item["tags"] for t in g
            if "stock_code" in t] == ["SH601390", "SH688727"]
    eastmoney = json.loads((STOCKS / "eastmoney-fastnews.json").read_text(encoding="utf-8"))
    assert [normalize_code(c) for c in eastmoney["data"]["fastNewsList"][0]["stockList"]] == ["SH601068"]
    ext = json.loads(json.loads((STOCKS / "sina-zhibo-ext.json").read_text(encoding="utf-8"))["ext"])
    assert [(normalize_code(s["symbol"]), s["key"]) for s in ext["stocks"]] == [("SH600519", "贵州茅台")]
    cls = json.loads((STOCKS / "cls-roll-item-2026.json").read_text(encoding="utf-8"))
    assert cls["stock_list"] == []
    assert source_tags(["SH600519", "SH600519"], default_directory()) == (StockTag("SH600519", "贵州茅台", "source"),)


def test_sina_page_links_only_from_the_article_body() -> None:
    page = (STOCKS / "sina_stock_links.html").read_text(encoding="utf-8")
    assert codes_from_html(page) == ("SH603888", "SH601008", "SZ000430", "SZ002724")
    assert WIDGET_CODES & set(codes_in_fragment(page))  # the whole page also links the widget's
    # a real Sina page whose body links nothing: the widget's hot stocks are not its companies
    real = (FIXTURES / "pages" / "gne_tests_sina_2.html").read_text(encoding="utf-8")
    assert codes_from_html(real) == ()


def test_the_extracted_body_keeps_the_links() -> None:
    raw = (STOCKS / "sina_stock_links.html").read_bytes()
    extracted = extract(raw, "https://finance.sina.com.cn/china/gncj/2021-05-05/doc-ikmxzfmm0520480.shtml",
                        rules_name="sina", charset="utf-8")
    assert codes_in_fragment(extracted.body_html) == ("SH603888", "SH601008", "SZ000430", "SZ002724")


def test_other_sites_quote_links() -> None:
    html = (
        '<a href="http://quotes.money.163.com/0600519.html">贵州茅台</a>'
        '<a href="http://quotes.money.163.com/1000002.html">万科</a>'
        '<a href="http://quotes.money.163.com/0000001.html">上证综指</a>'  # an index
        '<a href="http://quotes.money.163.com/hkstock/00700.html">腾讯</a>'
        '<a href="http://quotes.money.163.com/usstock/hq/BIDU.html">百度</a>'
        '<a href="https://quote.eastmoney.com/sz300750.html">宁德时代</a>'
        '<a href="https://xueqiu.com/S/SH601318">中国平安</a>'
        '<span id="stock_sz000001"></span>'
    )
    assert codes_in_fragment(html) == (
        "SH600519", "SZ000002", "HK00700", "US:BIDU", "SZ300750", "SH601318", "SZ000001")


def test_a_page_without_a_marked_body_gives_no_links() -> None:
    assert codes_from_html('<div class="side"><a href="/realstock/company/sh600519/nc.shtml">x</a></div>') == ()
    assert codes_from_html('<div id="artibody"><a href="/realstock/company/sh600519/nc.shtml">x</a></div>'
                           '<div class="side"><a href="/realstock/company/sz000001/nc.shtml">y</a></div>') == (
        "SH600519",)


def test_article_tagged_from_every_origin() -> None:
    directory = default_directory()
    found = tag_article(directory, title="中国中铁与四川省签署协议", text="宁德时代(300750)等跟涨，连云港旅游火爆",
                        source_codes=["SH601390"],
                        page_html=(STOCKS / "sina_stock_links.html").read_text(encoding="utf-8"))
    assert [(t.code, t.how) for t in found] == [
        ("SH601390", "source"), ("SH603888", "link"), ("SH601008", "link"), ("SZ000430", "link"),
        ("SZ002724", "link"), ("SZ300750", "code")]


def test_tagged_article_fills_stocks_and_is_stable() -> None:
    article = Article(feed="f", site="s", category="c", url="https://e.com/1", title="贵州茅台发布公告",
                      published=datetime(2026, 1, 1, tzinfo=UTC), body_html="<p>x</p>", body_text="腾讯控股回购",
                      stocks=("SZ000001",))
    once = tagged_article(article, default_directory(), ["SH601390"])
    assert once.stocks == ("SZ000001", "SH601390", "SH600519", "HK00700")
    assert [t.how for t in once.stock_tags] == ["source", "source", "name", "name"]
    assert tagged_article(once, default_directory()) == once  # text tags never become "source"


def test_user_list_replaces_the_shipped_one(tmp_path: Path) -> None:
    path = tmp_path / "stocks.csv"
    path.write_text("code,name\n600519,茅台股份\n00700.HK,鹅厂\n0700,腾讯\n", encoding="utf-8")
    directory = load_directory(path)
    assert len(directory) == 2 and directory.name_of("HK00700") == "鹅厂"
    assert directory.code_for("腾讯") == "HK00700" and directory.code_for("茅台股份") == "SH600519"
    assert directory.code_for("宁德时代") is None
    assert load_directory(tmp_path / "missing.csv") is default_directory()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("600519,贵州茅台\nxyz,坏\n", "line 2: 'xyz' is not a stock code"),
        ("600519,\n", "line 1: no company name"),
        ("code,name\n", "no rows"),
        ("999999,不存在\n", "line 1: '999999'"),
    ],
)
def test_bad_user_lists_are_refused_with_the_line(text: str, needle: str) -> None:
    with pytest.raises(StockListError, match=needle):
        parse_stock_list(text)


def test_shipped_list_and_aliases() -> None:
    directory = default_directory()
    assert len(directory) > 5600
    assert directory.name_of("SH600519") == "贵州茅台"
    assert directory.name_of("SZ000002") == "万科A"  # published as "万  科Ａ"
    assert directory.code_for("万 科Ａ") == "SZ000002"
    # an alias two companies share goes to the listed A-share
    small = build_directory([("SZ000002", "万科A", True), ("SZ200002", "万科B", True), ("SZ000999", "*ST新都A", False)])
    assert small.code_for("万科") == "SZ000002"
    assert small.code_for("新都") is None  # a two-character alias of a risk-warning name is too common


def test_sina_zhibo_stocks_of_other_markets_keep_their_market() -> None:
    from zoneinfo import ZoneInfo

    from scraper.sources import sina_zhibo

    # CONSTRUCTED: the real ext shape (sina-zhibo-ext.json) with a Hong Kong and a US stock, whose
    # market values are not documented: the symbol alone ("nvda") would say no market
    ext = {"stocks": [{"market": "cn", "symbol": "sh600519", "key": "贵州茅台"},
                      {"market": "hk", "symbol": "00700", "key": "腾讯控股"},
                      {"market": "us", "symbol": "nvda", "key": "英伟达"}]}
    row = {"id": 1, "rich_text": "贵州茅台、腾讯控股、英伟达齐涨", "create_time": "2026-12-07 10:00:00",
           "ext": json.dumps(ext, ensure_ascii=False)}
    body = {"result": {"status": {"code": 0}, "data": {"feed": {"list": [row]}}}}
    listing = sina_zhibo.parse(json.dumps(body, ensure_ascii=False).encode(), "https://e.com/zhibo?page=1",
                               ZoneInfo("Asia/Shanghai"))
    assert listing.items[0].stocks == ("SH600519", "HK00700", "US:NVDA")
