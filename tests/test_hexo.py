"""Real Hexo renders newsroll's posts: titles, dates, categories and bodies come out intact.

Needs Node.js and npm (CI has them; .ci/run checks). Hexo is installed once from the npm registry
into a cache folder (``NEWSROLL_HEXO_CACHE`` or ``~/.cache/newsroll/hexo-<hash of package.json>``);
the site skeleton is ``tests/fixtures/hexo`` (a minimal theme that prints the fields we check).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import Archive
from scraper.models import Article
from tests.hexo_support import SKELETON, hexo_home

SEED = next((Path(__file__).parent / "fixtures" / "seed-system").rglob("10000亿元*.md"))

TITLES = [
    "10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作",
    '60万"12306账号"外泄? 中铁总辟谣称消息不实',
    "It's 'quoted': yes # not a comment",
    "- leading dash: and {{ braces }} {% raw %}",
    "line one\nline two\ttabbed",
    "@at &amp; *star | pipe > greater",
]


def articles() -> list[Article]:
    out = []
    for n, title in enumerate(TITLES):
        out.append(Article(
            feed="新浪财经－国內", site="新浪财经", category="金融", url=f"https://finance.sina.com.cn/a/{n}.shtml",
            title=title, published=datetime(2022, 2, 8, 8, 0, n, tzinfo=UTC),
            body_html=f"<p>正文 {n}: a {{literal}} brace and {{{{ mustache }}}} and {{% tag %}}</p>",
            body_text=f"正文 {n}: a {{literal}} brace", image=f"https://n.sinaimg.cn/img/{n}.jpg"))
    return out


@pytest.mark.slow
def test_hexo_renders_every_post(tmp_path: Path) -> None:
    home = hexo_home()
    site = tmp_path / "site"
    shutil.copytree(SKELETON, site)
    (site / "node_modules").symlink_to(home / "node_modules")
    posts = site / "source" / "_posts"
    with Archive(tmp_path / "archive.db", posts) as archive:
        results = archive.store(articles(), now=datetime(2022, 2, 8, 9, tzinfo=UTC))
    shutil.copy(SEED, posts / "seed.md")  # the old system's own post renders the same way
    hexo = home / "node_modules" / ".bin" / "hexo"
    done = subprocess.run([str(hexo), "generate"], cwd=site, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "YAMLException" not in done.stdout + done.stderr
    for result, article in zip(results, articles(), strict=True):
        page = (site / "public" / Path(result.path or "").with_suffix("") / "index.html").read_text(encoding="utf-8")
        title = html.unescape(re.search(r'<h1 id="title">(.*?)</h1>', page, re.S).group(1))  # type: ignore[union-attr]
        assert title == " ".join(article.title.split())
        assert re.search(r'<p id="date">2022-02-08T08:00:0\d\.000Z</p>', page)
        assert '<p id="categories">金融|新浪财经|新浪财经－国內</p>' in page
        content = html.unescape(re.search(r'<div id="content">(.*?)</div>', page, re.S).group(1))  # type: ignore[union-attr]
        assert "{literal}" in content and "{{ mustache }}" in content and "{% tag %}" in content
    seed_page = (site / "public" / "seed" / "index.html").read_text(encoding="utf-8")
    assert "2022-02-08T08:00:05.000Z" in seed_page


# One listing of every wire kind (tests/fixtures/apis, see its SOURCES.md): parsed by the kind's own
# parser and normalized as a poll does, so the posts are those a user of each kind gets.
WIRE_LISTINGS = {
    "cls_telegraph": "cls-telegraph-page1.json",
    "cls_depth": "cls-depth-list.json",
    "wallstreetcn_live": "wallstreetcn-lives-page1.json",
    "wallstreetcn_news": "wallstreetcn-news-flow.json",
    "jin10_flash": "jin10-flash-page1.json",
    "sina_zhibo": "sina-zhibo-page1.json",
    "eastmoney_fastnews": "eastmoney-fastnews-page.json",
    "stcn_kuaixun": "stcn-kx-list.json",
    "yicai_brief": "yicai-brief.json",
    "rsshub": "rsshub-cls-telegraph.json",
}


def wire_articles() -> list[Article]:
    from zoneinfo import ZoneInfo

    from scraper.normalize import FeedIdentity, build_article, item_fallback
    from scraper.sources import get_source, source_kinds

    assert set(WIRE_LISTINGS) == set(source_kinds())  # a new kind gets a post here too
    out = []
    for kind, name in WIRE_LISTINGS.items():
        content = (Path(__file__).parent / "fixtures" / "apis" / name).read_bytes()
        listing = get_source(kind).parse(content, f"http://127.0.0.1:9/{kind}", ZoneInfo("Asia/Shanghai"))
        assert listing.items, kind
        item = listing.items[0]
        identity = FeedIdentity(f"{kind} 快讯", "财经快讯", "金融")
        out.append(build_article(identity, item, now=datetime(2027, 1, 1, tzinfo=UTC), fallback=item_fallback(item)))
    return out


@pytest.mark.slow
def test_hexo_renders_posts_of_every_wire_kind_flash_posts_included(tmp_path: Path) -> None:
    home = hexo_home()
    site = tmp_path / "site"
    shutil.copytree(SKELETON, site)
    (site / "node_modules").symlink_to(home / "node_modules")
    posts = site / "source" / "_posts"
    wires = wire_articles()
    with Archive(tmp_path / "archive.db", posts) as archive:
        results = archive.store(wires, now=datetime(2027, 1, 1, tzinfo=UTC))
    hexo = home / "node_modules" / ".bin" / "hexo"
    done = subprocess.run([str(hexo), "generate"], cwd=site, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "YAMLException" not in done.stdout + done.stderr
    assert sum(r.status == "new" for r in results) >= len(wires) - 1
    for result, article in zip(results, wires, strict=True):
        if result.status == "merged":  # the RSSHub route of 财联社 电报 brings the same story: one post
            post = (posts / (result.path or "")).read_text(encoding="utf-8")
            assert f" - {article.feed}\n" in post.split("---")[1], post
            continue
        page = (site / "public" / Path(result.path or "").with_suffix("") / "index.html").read_text(encoding="utf-8")
        title = html.unescape(re.search(r'<h1 id="title">(.*?)</h1>', page, re.S).group(1))  # type: ignore[union-attr]
        assert title == " ".join(article.title.split()) and title, article.feed
        assert f'<p id="categories">金融|财经快讯|{article.feed}</p>' in page
        content = html.unescape(re.search(r'<div id="content">(.*?)</div>', page, re.S).group(1))  # type: ignore[union-attr]
        first_words = article.body_text.split()[0][:8]
        assert first_words and first_words in content, (article.feed, first_words)
