"""Untrusted parsing stays linear: inputs sized so that the old super-linear patterns would take
minutes to hours (noted per case), bounded by pytest-timeout — no wall-clock assertions.

Measured before the fixes (same machine, see benchmarks/bench_hostile.py for the current figures):
26 ``<!---->`` before ``<rss>`` 85 s and doubling per comment; 80 KB of blank lines before a feed
70 s (quadratic); ``<script`` repeated in a non-UTF-8 page 18 s at 140 KB, 279 s at 560 KB;
html_to_text on 20 000 unclosed ``<script`` 121 s.
"""

from __future__ import annotations

import pytest

from scraper.charset import decode_html, strip_markup
from scraper.errors import ScraperError
from scraper.listing import _jsonp_body, _looks_like_html, parse_feed, parse_sina_roll
from scraper.sanitize import clean_html, html_to_text, limit_nesting

FEED = b'<rss version="2.0"><channel><title>t</title><item><title>x</title><link>http://example.com/a</link></item></channel></rss>'
GBK_TEXT = "中文内容，新闻正文。".encode("gbk") * 20

pytestmark = pytest.mark.timeout(120)


def test_comments_before_a_feed_are_skipped_in_linear_time() -> None:
    # exponential before: 2**(585-26) × 85 s
    content = b"<!---->" * 585 + FEED
    assert not _looks_like_html(content)
    assert len(parse_feed(content).items) == 1
    assert _looks_like_html(b"<!---->" * 500 + b"<html><body>maintenance</body></html>")


def test_whitespace_runs_before_a_feed_are_linear() -> None:
    # quadratic in feedparser's prolog scan before: 2 MB would have taken about 14 hours
    content = b" \t\r\n" * 500_000 + FEED
    assert len(parse_feed(content).items) == 1
    content = b"<?xml version='1.0'?>" + b"\n\n<!-- x -->\n" * 150_000 + FEED
    assert len(parse_feed(content).items) == 1


def test_charset_detection_of_repeated_unclosed_markup_is_linear() -> None:
    # quadratic before: 279 s at 560 KB, so about an hour at 2 MB
    for unit in (b"<script", b"<style ", b"<!--", b"<", b"<meta "):
        content = unit * (2_000_000 // len(unit)) + GBK_TEXT
        text, codec = decode_html(content, None)
        assert text.startswith(unit.decode()) and len(text) > 1_900_000, codec
    # closed markup is dropped from the detector's sample: the text's own encoding is found
    content = b"<script>var x = 1;</script><style>p {}</style><!-- c -->" * 40_000 + GBK_TEXT
    text, codec = decode_html(content, None)
    assert codec == "gb18030" and "新闻正文" in text


def test_strip_markup_keeps_text_and_drops_tags_comments_scripts() -> None:
    page = b"<p>a</p><SCRIPT type=x>var s='</p>';</script ><!-- c -->b<style>p{}</style>c<br"
    assert strip_markup(page).split() == [b"a", b"b", b"c", b"br"]


def test_html_to_text_of_unclosed_markup_is_linear() -> None:
    # 20 000 unclosed "<script" took 121 s before (quadratic): 400 000 would take 12 hours
    for unit in ("<script", "<!--", "<p", "<", "<td"):
        text = html_to_text(unit * 400_000)
        assert text.startswith(unit.lstrip("<")[:1] or "<") or text.startswith("<")


def test_jsonp_with_long_runs_is_linear() -> None:
    # the old ^\s*[\w$.]*\s*\(\s*(.*?)\s*\)\s*;?\s*$ was quadratic in the whitespace runs
    assert _jsonp_body("cb(" + " " * 2_000_000 + "x") is None
    assert _jsonp_body("cb(" + ") " * 1_000_000 + "x") is None
    assert _jsonp_body(" cb ( [1] ) ;  ") == " [1] "
    content = b"cb(" + b" " * 2_000_000 + b'{"result": {"status": {"code": 0}, "data": []}}' + b" " * 2_000_000
    with pytest.raises(ScraperError):
        parse_sina_roll(content)  # no closing parenthesis: not JSONP
    assert parse_sina_roll(content + b");").items == ()


def test_deeply_nested_markup_is_flattened_before_sanitizing() -> None:
    # html5ever inside nh3 is super-quadratic on nesting: 80 000 nested <div> took 651 s before
    body = clean_html("<div>" * 200_000 + "<p>deep text</p>" + "</div>" * 200_000, "https://example.com/")
    assert "deep text" in body and body.count("<div>") <= 200
    assert limit_nesting("<div>" * 5 + "x" + "</div>" * 5, 3) == "<div>" * 3 + "x" + "</div>" * 3
    shallow = "<div><section><p>a</p></section></div>"
    assert limit_nesting(shallow * 300) == shallow * 300
