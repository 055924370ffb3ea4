"""Stored text is safe after Hexo's Markdown rendering, titles are plain text, control characters
never reach the archive or the terminal, and non-http(s) URLs never become links, images or
canonicals. Inputs constructed here.

Hexo renders post files with a Markdown renderer that does not filter ``javascript:`` links
(hexo-renderer-marked); markdown-it-py with its link check switched off plays that renderer.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from archive.render import Post, neutralize_markdown, render_post
from scraper.models import Extracted, FeedItem
from scraper.normalize import FeedIdentity, build_article
from scraper.sanitize import clean_html, clean_title, strip_controls
from scraper.urls import same_site, site_of, web_url
from tests.hostile_support import FeedSpec, newsroll, rss, search_json, write_config
from tests.httpserver import Reply, serve

NOW = datetime(2026, 3, 1, tzinfo=UTC)
IDENTITY = FeedIdentity("F", "S", "C")
MARKDOWN_ATTACKS = (
    "<p>Intro.</p>\n\n[click](javascript:alert(1)) and ![pic](javascript:alert(2))\n\n"
    "[ref link][r] and [r2]\n\n[r]: javascript:alert(3)\n[r2]:  data:text/html,x\n\n"
    "[spaced] (javascript:alert(4)) [entity](java&#115;cript:alert(5)) [safe](https://example.com/ok)"
)


def marked_like(text: str) -> str:
    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True  # marked keeps javascript: links; so does this stand-in
    return md.render(text)


def dangerous_links(rendered: str) -> list[str]:
    return re.findall(r"""(?:href|src)="\s*(?:javascript|data|vbscript|file):[^"]*""", rendered, re.I)


def test_the_stand_in_renderer_does_make_live_links_from_unneutralized_text() -> None:
    assert dangerous_links(marked_like("<div>\n<p>a</p>\n\n" + MARKDOWN_ATTACKS + "\n</div>"))


def test_post_bodies_render_without_dangerous_links() -> None:
    body = clean_html(MARKDOWN_ATTACKS, "https://example.com/a")
    post = Post(title="t", category="c", site="s", feed="f", image="", published=NOW,
                source_url="https://example.com/a", body_html=body)
    text = render_post(post)
    rendered = marked_like(text.split("\n---\n", 2)[2])
    assert dangerous_links(rendered) == []
    assert 'href="https://example.com/ok"' not in rendered  # link syntax is text, shown as written
    assert "[click](javascript:alert(1))" in rendered.replace("&#40;", "(")
    assert neutralize_markdown("a ] ( b ]: c") == "a ] &#40; b ]&#58; c"


def test_titles_are_plain_text_and_controls_are_gone() -> None:
    assert clean_title("<script>alert(1)</script>Rates \x1b[31mrise\x00") == "alert(1)Rates [31mrise"
    assert clean_title("<img src=x onerror=alert(1)>Hi") == "Hi"
    assert clean_title("a <b and c < d") == "a < b and c < d"
    assert strip_controls("a\x1b\x00\x07\x9bb\tc\n") == "ab\tc\n"
    item = FeedItem(url="https://example.com/a", title="<script>x()</script>Title\x1b]0;pwn\x07",
                    summary_html="s", author="Bob\x1b[2J", guid="g\x00")
    article = build_article(IDENTITY, item, now=NOW)
    assert article.title == "x()Title]0;pwn" and article.author == "Bob[2J" and article.guid == "g"


def test_non_http_urls_never_become_links_images_or_canonicals() -> None:
    assert web_url("javascript:alert(1)") is None and web_url("java\tscript:x") is None
    assert web_url(" data:text/html,x") is None and web_url("file:///etc/passwd") is None
    assert web_url("//cdn.example.com/a.png") == "https://cdn.example.com/a.png"
    assert web_url("/a", "https://example.com/x/") == "https://example.com/a"
    assert web_url(["x"]) is None and web_url("http://[::1") is None
    assert site_of("https://finance.sina.com.cn/a") == "sina.com.cn" and site_of("https://news.bbc.co.uk/") == "bbc.co.uk"
    assert same_site("https://a.example.com/x", "http://www.example.com/y")
    assert not same_site("https://evil.com/x", "https://example.com/y")
    item = FeedItem(url="https://news.example.com/a", title="T", image="javascript:alert(1)")
    page = Extracted(title="T", body_html="<p>b</p>", body_text="b", image="file:///etc/passwd",
                     canonical_url="https://other-site.com/real-article")
    article = build_article(IDENTITY, item, now=NOW, extracted=page)
    assert article.image is None and article.canonical_url is None
    same = Extracted(title="T", body_html="<p>b</p>", body_text="b", image="javascript:x",
                     canonical_url="https://www.example.com/a")
    article = build_article(FeedIdentity("F", "S", "C", default_image="https://example.com/d.png"), item,
                            now=NOW, extracted=same)
    assert article.canonical_url == "https://www.example.com/a" and article.image == "https://example.com/d.png"
    file_canonical = Extracted(title="T", body_html="<p>b</p>", body_text="b", canonical_url="file:///x")
    assert build_article(IDENTITY, item, now=NOW, extracted=file_canonical).canonical_url is None


# -- through the real CLI --------------------------------------------------------------------------

def hostile_feed(base: str) -> bytes:
    def cdata(text: str) -> str:
        return "<![CDATA[" + text + "]]>"

    items = [
        f"<item><title>{cdata('<script>alert(1)</script>Markdown trap')}</title><link>{base}/md</link>"
        f"<guid>{base}/md</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
        f"<description>{cdata(MARKDOWN_ATTACKS)}</description></item>",
        f"<item><title>Escape \x1b[31mred\x1b[0m and \x07bell</title><link>{base}/esc</link>"
        f"<guid>{base}/esc</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
        f"<description>text \x1b[2J cleared \x1b]0;title\x07 here</description></item>",
        "<item><title>JS link</title><link>javascript:alert(1)</link><guid>js-guid</guid>"
        "<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>x</description></item>",
        "<item><title>Data link</title><link>data:text/html,&lt;script&gt;x&lt;/script&gt;</link>"
        "<pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><description>x</description></item>",
        f"<item xmlns:media='http://search.yahoo.com/mrss/'><title>JS thumb</title><link>{base}/thumb</link>"
        f"<media:thumbnail url='javascript:alert(1)'/><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate>"
        f"<description>thumb body</description></item>",
    ]
    return rss(*items).replace(b'<rss version="2.0">', b'<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">')


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/feed.xml"] = Reply(body=hostile_feed(base), content_type="application/rss+xml")
        folder = tmp_path_factory.mktemp("markup")
        config = write_config(folder, [FeedSpec("Hostile feed", server.url("/feed.xml"))])
        result = newsroll(config, "fetch")
        assert result.returncode == 0, result.stdout + result.stderr
        yield config


def test_fetched_posts_are_safe_after_markdown_rendering(fetched: Path) -> None:
    posts = list((fetched.parent / "data" / "posts").rglob("*.md"))
    assert len(posts) == 3  # the javascript: and data: items are dropped
    for post in posts:
        text = post.read_text(encoding="utf-8")
        front, body = text.split("\n---\n", 2)[1:]
        assert dangerous_links(marked_like(body)) == []
        assert "<script" not in front and "javascript:" not in front
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def test_no_control_characters_in_the_archive_or_on_the_terminal(fetched: Path) -> None:
    with sqlite3.connect(fetched.parent / "data" / "archive.db") as db:
        rows = db.execute("select title, body_html, body_text, summary, url, image from articles").fetchall()
    db.close()
    for row in rows:
        for value in row:
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value or ""), row
        assert (row[5] or "").startswith(("https://", "http://", "")) and "javascript" not in (row[5] or "")
    hits = search_json(fetched, "")
    titles = {h["title"] for h in hits}
    assert {"alert(1)Markdown trap", "Escape [31mred[0m and bell", "JS thumb"} == titles
    [esc] = [h for h in hits if h["title"].startswith("Escape")]
    for args in (["search", "cleared"], ["show", esc["id"]]):
        shown = newsroll(fetched, *args)
        assert shown.returncode == 0 and "\x1b" not in shown.stdout and "\x07" not in shown.stdout
        assert "Traceback" not in shown.stderr


def test_import_sanitizes_and_survives_malformed_posts_and_special_files(tmp_path: Path) -> None:
    tree = tmp_path / "posts"
    folder = tree / "2024"
    folder.mkdir(parents=True)

    def post(name: str, front: str, body: str = "<p>Body of the post.</p>") -> None:
        (folder / name).write_text(f"\n---\n{front}\n---\n\n<div>   \n{body}\n</div>\n", encoding="utf-8")

    good_front = "title: '{title}'\ncategories:\n - 金融\n - Site\n - Feed\ndate: Mon, 01 Jan 2024 00:00:00 GMT"
    post("xss.md", good_front.format(title="<script>alert(1)</script>XSS post") + "\nsource_url: 'javascript:alert(1)'"
         "\nheadimg: 'javascript:alert(2)'",
         '<p>Hello<script>alert(1)</script><img src="https://example.com/a.png" onerror="alert(1)">'
         '<iframe src="javascript:alert(1)"></iframe><a href="javascript:alert(1)">x</a></p>\n\n[c](javascript:alert(1))')
    post("ok.md", good_front.format(title="A fine post") + "\nsource_url: 'https://example.com/fine'")
    post("year500.md", good_front.format(title="Year 500").replace("2024", "0500"), "<p>Old text.</p>")
    post("cats.md", "title: 'Cats'\ncategories: 5\ndate: 2024-01-01 00:00:00", "<p>Numbers.</p>")
    post("feb30.md", "title: 'Feb'\ncategories:\n - a\n - b\ndate: 2022-02-30 10:00:00")
    post("hour25.md", "title: 'Hour'\ncategories:\n - a\n - b\ndate: 2022-02-08 25:00:00")
    post("offset.md", "title: 'Offset'\ncategories:\n - a\n - b\ndate: 2022-02-08 10:00:00 +99:00")
    post("catsdict.md", "title: 'Dict'\ncategories: {a: 1}\ndate: 2022-02-08 10:00:00")
    (folder / "big.md").write_bytes(b"\n---\ntitle: big\n---\n" + b"x" * 6_000_000)
    import os

    os.mkfifo(folder / "fifo.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    config = write_config(tmp_path, [])
    result = newsroll(config, "import", str(tree), timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    for name, reason in (("big.md", "file too large"), ("fifo.md", "not a regular file"),
                         ("zero.md", "not a regular file"), ("loop.md", "symlink loop"),
                         ("feb30.md", "impossible value"), ("hour25.md", "impossible value"),
                         ("offset.md", "impossible value"), ("catsdict.md", "categories is a dict"),
                         ("cats.md", "categories name no site or feed")):
        assert re.search(rf"^skipped 2024/{re.escape(name)}: .*{reason}", out, re.M), (name, out)
    assert re.search(r"^imported 3, skipped 9( in |$)", out, re.M), out
    hits = {h["title"]: h for h in search_json(config, "")}
    assert set(hits) == {"alert(1)XSS post", "A fine post", "Year 500"}
    assert "date_invalid" in hits["Year 500"]["flags"] and hits["Year 500"]["published"] >= "2026"
    database = tmp_path / "data" / "archive.db"
    with sqlite3.connect(database) as db:
        body, url, image, flags = db.execute(
            "select body_html, url, image, flags from articles where title = 'alert(1)XSS post'").fetchone()
    db.close()
    assert "<script" not in body and "onerror" not in body and "<iframe" not in body and "javascript" not in body.split("\n\n")[0]
    assert url == "" and image == "" and "url_refused" in flags
    post_file = next(p for p in (tmp_path / "data" / "posts").rglob("*.md") if "XSS post" in p.read_text("utf-8"))
    assert dangerous_links(marked_like(post_file.read_text("utf-8").split("\n---\n", 2)[2])) == []
