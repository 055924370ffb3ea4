"""The generic path, rule selection (forced rules for mirrors, template changes) and errors."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.errors import ExtractError
from scraper.extract import extract, site_zone_for

PAGES = Path(__file__).parent / "fixtures" / "pages"
NEWSCN_URL = "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm"
CLEVELAND_URL = "http://www.cleveland.com/food/index.ssf/2014/12/let_me_google_that_for_you_201.html"
SINA_URL = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"


def _words(text: str) -> list[str]:
    return text.split()


def test_chinese_generic_page_newscn() -> None:
    found = extract((PAGES / "newscn_fortune_2023.html").read_bytes(), NEWSCN_URL)
    assert found.rules == "generic"
    assert found.title == "短缺药品保供稳价 全力保障临床用药需求"  # "-新华网" suffix removed
    assert found.published == datetime(2023, 11, 17, 12, 52, 15, tzinfo=UTC)  # printed 20:52:15 in Beijing
    assert found.source == "新华社"
    assert found.editor == "张樵苏"
    assert "纠错" not in found.body_text and "责任编辑" not in found.body_text
    expected = (PAGES / "newscn_fortune_2023.expected.txt").read_text(encoding="utf-8").strip()
    assert found.body_text == expected


def test_english_generic_page_cleveland() -> None:
    found = extract((PAGES / "cleveland_2014.html").read_bytes(), CLEVELAND_URL)
    assert found.rules == "generic"
    assert found.title == "Let me Google that for you: 2014's most popular food-related searches"
    assert found.published is not None and found.published.tzinfo is UTC
    expected = (PAGES / "cleveland_2014.expected.txt").read_text(encoding="utf-8")
    assert _words(found.body_text) == _words(expected)
    assert "<li>Pizza was searched more than the World Cup.</li>" in found.body_html


def test_mirror_page_picks_rules_from_its_own_og_url() -> None:
    raw = (PAGES / "gne_tests_sina_2.html").read_bytes()
    mirror = "http://127.0.0.1:8080/mirror/doc-ihqfskcn2160999.shtml"
    found = extract(raw, mirror)
    assert found.rules == "sina"
    assert found.body_text == extract(raw, SINA_URL).body_text


def test_forced_rules_for_a_mirror_host_without_og_url() -> None:
    raw = (PAGES / "gne_tests_sina_2.html").read_bytes().replace(b'property="og:url"', b'property="og:x"')
    mirror = "http://127.0.0.1:8080/mirror/doc-ihqfskcn2160999.shtml"
    assert extract(raw, mirror).rules == "generic"
    forced = extract(raw, mirror, rules_name="sina")
    assert forced.rules == "sina"
    assert forced.body_text == extract(raw, SINA_URL).body_text


def test_saved_file_without_url_uses_the_pages_canonical_url() -> None:
    """`newsroll extract FILE` passes a file:// URL: rules and link resolution follow og:url."""
    raw = (PAGES / "gne_tests_sina_1.html").read_bytes()
    found = extract(raw, "file:///tmp/saved/page.html")
    assert found.rules == "sina"
    assert found.body_text == extract(raw, "https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml").body_text
    assert "file://" not in found.body_html


def test_forced_generic_on_a_known_site() -> None:
    found = extract((PAGES / "gne_tests_sina_2.html").read_bytes(), SINA_URL, rules_name="generic")
    assert found.rules == "generic"
    assert "新京报快讯" in found.body_text


def test_unknown_rules_name_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="unknown extraction rules 'nope'"):
        extract(b"<p>x</p>", SINA_URL, rules_name="nope")


def test_template_change_falls_back_to_generic_and_flags_it(caplog: pytest.LogCaptureFixture) -> None:
    """A page at a Sina article URL whose template has none of the rules' body selectors."""
    raw = (PAGES / "newscn_fortune_2023.html").read_bytes()
    with caplog.at_level(logging.WARNING, logger="scraper.extract"):
        found = extract(raw, "https://finance.sina.com.cn/roll/2023-11-17/doc-new-template.shtml")
    assert found.rules == "generic"
    assert found.rules_missed
    assert "国家卫生健康委" in found.body_text
    assert any("rules sina matched" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("content", [b"", b"   \n ", ""])
def test_empty_page_is_an_extract_error(content: bytes | str) -> None:
    with pytest.raises(ExtractError, match="empty page"):
        extract(content, SINA_URL)


def test_page_without_article_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="no article text"):
        extract(b"<html><head><title>x</title></head><body><nav><a href='/'>home</a></nav></body></html>",
                "https://example.com/")


def test_jsonld_and_meta_metadata_on_generic_page() -> None:
    html = """<html><head>
      <title>Fed holds rates | Example News</title>
      <link rel="canonical" href="/markets/fed-holds">
      <meta property="og:image" content="//cdn.example.com/fed.jpg">
      <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"WebPage","name":"x"},
        {"@type":"NewsArticle","headline":"Fed holds rates steady","datePublished":"2024-03-20T14:00:00-04:00",
         "author":[{"@type":"Person","name":"Jane Roe"}]}]}</script>
    </head><body><article><h1>Fed holds rates steady</h1>
      <p>The Federal Reserve held its benchmark rate steady on Wednesday, as officials said inflation
      remained above their target, while signalling cuts later in the year.</p>
      <p>Markets rallied after the decision, with the S&amp;P 500 closing at a record high, and Treasury
      yields fell across the curve as traders priced in three reductions.</p>
      <table><tr><th>Index</th><th>Close</th></tr><tr><td>S&amp;P 500</td><td>5,224</td></tr></table>
    </article></body></html>"""
    found = extract(html.encode(), "https://news.example.com/markets/fed-holds?utm=x")
    assert found.title == "Fed holds rates | Example News" or found.title.startswith("Fed holds rates")
    assert found.published == datetime(2024, 3, 20, 18, 0, tzinfo=UTC)
    assert found.author == "Jane Roe"
    assert found.image == "https://cdn.example.com/fed.jpg"
    assert found.canonical_url == "https://news.example.com/markets/fed-holds"
    assert "<td>5,224</td>" in found.body_html
    assert "Markets rallied" in found.body_text


@pytest.mark.parametrize(
    ("url", "zone"),
    [("https://finance.sina.com.cn/x", "Asia/Shanghai"), ("http://www.news.cn/x", "Asia/Shanghai"),
     ("https://www.stcn.com/article/detail/1.html", "Asia/Shanghai"), ("https://www.cnbc.com/2024/x.html", None)],
)
def test_site_zone(url: str, zone: str | None) -> None:
    assert site_zone_for(url) == zone
