"""clean_html / html_to_text: allowlist, absolute URLs, no scripts/comments/handlers."""

from __future__ import annotations

from scraper.sanitize import absolute_url, clean_html, html_to_text

BASE = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"


def test_dangerous_markup_is_removed() -> None:
    dirty = (
        '<div class="x" onclick="steal()"><!-- 正文 start --><style>.a{color:red}</style>'
        '<script>alert(1)</script><iframe src="https://ads.example/">ad</iframe>'
        '<p onmouseover="x()">正文<a href="javascript:alert(1)">链接</a></p>'
        '<form><input value="q"><button>go</button></form></div>'
    )
    cleaned = clean_html(dirty, BASE)
    for junk in ("<!--", "<style", "<script", "<iframe", "onclick", "onmouseover", "javascript:", "alert",
                 "<form", "<input", "<button", "color:red", 'class="x"'):
        assert junk not in cleaned
    assert "<p>正文链接</p>" in cleaned


def test_allowed_structure_is_kept() -> None:
    html = (
        "<h2>标题</h2><p><strong>粗</strong><em>斜</em></p><ul><li>一</li><li>二</li></ul>"
        "<table><caption>表</caption><thead><tr><th>代码</th></tr></thead><tbody><tr><td colspan=\"2\">600000</td>"
        "</tr></tbody></table><figure><img src=\"a.jpg\" alt=\"图\" width=\"10\"><figcaption>说明</figcaption>"
        "</figure><blockquote>引</blockquote><pre><code>x = 1</code></pre>"
    )
    cleaned = clean_html(html, BASE)
    for kept in ("<h2>标题</h2>", "<strong>粗</strong>", "<em>斜</em>", "<li>一</li>", "<caption>表</caption>",
                 "<th>代码</th>", '<td colspan="2">600000</td>', "<figcaption>说明</figcaption>",
                 "<blockquote>引</blockquote>", "<pre><code>x = 1</code></pre>"):
        assert kept in cleaned
    assert '<img src="https://finance.sina.com.cn/roll/2018-12-28/a.jpg" alt="图">' in cleaned


def test_urls_become_absolute_and_protocol_relative_gets_https() -> None:
    cleaned = clean_html('<p><a href="/c/x.shtml">x</a><img src="//n.sinaimg.cn/a.png"></p>', BASE)
    assert 'href="https://finance.sina.com.cn/c/x.shtml"' in cleaned
    assert 'src="https://n.sinaimg.cn/a.png"' in cleaned
    assert absolute_url("javascript:void(0)", BASE) is None
    assert absolute_url("  data:image/png;base64,xx", BASE) is None
    assert absolute_url("http://a.b/c", BASE) == "http://a.b/c"


def test_empty_wrappers_are_dropped() -> None:
    cleaned = clean_html("<div><p>　　</p><div><span> </span></div><p>内容</p><img></div>", BASE)
    assert cleaned == "<div><p>内容</p></div>"


def test_braces_are_not_escaped_here() -> None:
    assert clean_html("<p>{x} }{</p>", BASE) == "<p>{x} }{</p>"


def test_html_to_text_paragraphs() -> None:
    text = html_to_text(
        "<div><p>　　第一段  有   空格</p><h2>小标题</h2><ul><li>甲</li><li>乙</li></ul>"
        "<table><tr><td>a</td><td>b</td></tr></table><p>x<br>y &amp; z</p></div>"
    )
    assert text == "第一段 有 空格\n\n小标题\n\n甲\n\n乙\n\na b\n\nx\n\ny & z"
    assert html_to_text("") == ""
    assert html_to_text("<p> </p>") == ""
