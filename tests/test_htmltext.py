"""html_to_text's fast path gives HTMLParser's text, or declines and leaves the fragment to it."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from archive.htmltext import fast_parts, html_to_text, parser_parts
from scraper.sanitize import clean_html

FIXTURES = Path(__file__).parent / "fixtures"


def _reference(html: str) -> str:
    lines = (" ".join(line.split()) for line in unescape("".join(parser_parts(html))).splitlines())
    return "\n".join(line for line in lines if line)


READ = [
    "<p>　　第一段</p>\n<p>　　第二段&amp;&lt;b&gt; &#123;x&#125;</p>",
    "<div>   \n<p>a<br>b<br/>c<BR />d</p><ul><li>one</li><li>two</li></ul></div>",
    '<p class="x" id=\'y\' data-z=w>text <a href="https://a.b/c?d=1&amp;e=2">link</a> tail</p>',
    "<h1>T</h1><h6>t</h6><table><tr><td>1</td><td>2</td></tr></table><blockquote>q</blockquote>",
    "<section><article><span>inline</span> <b>bold</b><i>it</i></article></section>",
    "plain text, no tags &amp; an entity &amp;amp; twice",
    "a > b and c >= d",
    '<img src="x.png" alt="pic"><p>after</p><hr><p>x</p>',
    "<p>&nbsp;&ensp;spaces&#x3000;</p>",
    "",
]
DECLINED = [
    "<p>a</p><script>var x = '<p>';</script><p>b</p>",
    "<style>p{}</style>text",
    "<noscript>n</noscript>",
    "<template><p>t</p></template>",
    "<!-- comment --><p>a</p>",
    "<!DOCTYPE html><p>a</p>",
    "<?xml version='1.0'?><p>a</p>",
    "a < b",
    "<p title=\"a>b\">x</p>",
    "<p-x>y</p-x>",
    "<p>unclosed <b",
    "</ p>",
    "<a/b>c</a>",
]


@pytest.mark.parametrize("html", READ)
def test_fast_path_gives_the_parser_text(html: str) -> None:
    assert fast_parts(html) is not None
    assert html_to_text(html) == _reference(html)


@pytest.mark.parametrize("html", DECLINED)
def test_fast_path_declines_other_markup(html: str) -> None:
    assert fast_parts(html) is None
    assert html_to_text(html) == _reference(html)


def test_cleaned_fixture_pages_give_the_same_text() -> None:
    pages = sorted((FIXTURES / "pages").glob("*.html"))[:40]
    fast = 0
    for page in pages:
        body = clean_html(page.read_bytes().decode("utf-8", errors="replace"), "https://example.com/")
        assert html_to_text(body) == _reference(body), page.name
        fast += fast_parts(body) is not None
    assert pages and fast >= len(pages) // 2  # cleaned bodies are what the fast path is for
