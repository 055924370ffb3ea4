"""End to end: the real CLI in a subprocess, a real local HTTP server, a real SQLite file.

The server plays Sina's roll API (constructed response, see fixtures/SOURCES.md) and real saved
article pages (one re-encoded to GBK and served with a lying UTF-8 header), a real Atom feed, a real
RSS feed, and a maintenance page where a feed should be.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.httpserver import Reply, TestServer, serve

FIXTURES = Path(__file__).parent / "fixtures"
SEED_TITLE = "10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作"
SEED_FEED = "新浪财经－国內"
QR_IMAGE = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"
KEY_ORDER = ["title", "categories", "headimg", "author", "comments", "date", "thumbnail", "source_url"]


def gbk_page() -> bytes:
    """A real Sina page re-encoded to GBK, declaring gb2312 in its meta (constructed)."""
    html = (FIXTURES / "pages" / "gne_tests_sina_2.html").read_text(encoding="utf-8")
    html = html.replace('<meta charset="utf-8">', '<meta charset="gb2312">', 1)
    return html.encode("gb18030")


def bad_pages_roll(base: str) -> bytes:
    """Constructed roll: one page that 404s, one page with no article in it."""
    rows = [
        {"title": "页面已删除", "url": f"{base}/roll/gone.shtml", "intro": "<p>这篇文章的摘要仍然保留。</p>",
         "media_name": "新浪财经", "ctime": "1644307300", "intime": "1644307300", "mtime": "1644307300"},
        {"title": "空白页面", "url": f"{base}/roll/blank.shtml", "intro": "空白页面的摘要。",
         "media_name": "新浪财经", "ctime": "1644307400", "intime": "1644307400", "mtime": "1644307400"},
    ]
    return json.dumps({"result": {"status": {"code": 0}, "total": 2, "data": rows}}, ensure_ascii=False).encode()


def routes(base: str) -> dict[str, object]:
    roll = (FIXTURES / "sina" / "roll_1686_page1.json").read_bytes().replace(b"{base}", base.encode())
    html = "text/html"
    return {
        "/api/roll/bad": Reply(body=bad_pages_roll(base), content_type="application/json"),
        "/roll/blank.shtml": Reply(body=b"<html><head><title>x</title></head><body></body></html>", content_type=html),
        "/api/roll/get": Reply(body=roll, content_type="application/json; charset=utf-8"),
        "/roll/2022-02-08/doc-ikyamrmz9994488.shtml": Reply.file(FIXTURES / "pages" / "sina_seed_era.html", html),
        # GBK bytes behind a header that says UTF-8
        "/roll/2018-12-28/doc-ihqfskcn2160999.shtml": Reply(body=gbk_page(), content_type="text/html; charset=utf-8"),
        "/stock/usstock/c/2019-09-09/doc-iicezzrq4681677.shtml": Reply.file(FIXTURES / "pages" / "gne_tests_sina_3.html", html),
        "/atom.xml": Reply.file(FIXTURES / "feeds" / "ruanyifeng-atom.xml", "application/atom+xml"),
        "/cnbc.xml": Reply.file(FIXTURES / "feeds" / "cnbc-top-news-2014.xml", "application/rss+xml"),
        "/down.xml": Reply(body=b"<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>",
                           content_type="text/html", status=200),
    }


def config_text(base: str) -> str:
    return f"""
[archive]
database = "data/archive.db"
posts_dir = "data/posts"

[http]
user_agent = "newsroll-test/1.0"
timeout = 10.0
per_host_interval = 0.0
per_host_concurrency = 4

[[feeds]]
name = "{SEED_FEED}"
site = "新浪财经"
category = "金融"
kind = "sina_roll"
url = "{base}/api/roll/get?pageid=155&lid=1686&num=50"
full_text = true
rules = "sina"

[[feeds]]
name = "阮一峰－周刊"
site = "阮一峰的网络日志"
category = "科技"
kind = "feed"
url = "{base}/atom.xml"
full_text = false

[[feeds]]
name = "CNBC－Top News"
site = "CNBC"
category = "金融"
kind = "feed"
url = "{base}/cnbc.xml"
full_text = false

[[feeds]]
name = "新浪财经－坏页面"
site = "新浪财经"
category = "金融"
kind = "sina_roll"
url = "{base}/api/roll/bad"
rules = "sina"

[[feeds]]
name = "Down"
site = "Down"
category = "金融"
kind = "feed"
url = "{base}/down.xml"
"""


def newsroll(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "jobs", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def site() -> Iterator[TestServer]:
    with serve({}) as server:
        server.routes.update(routes(server.url("").rstrip("/")))
        yield server


@pytest.fixture(scope="module")
def fetched(site: TestServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("e2e")
    config = folder / "config.toml"
    config.write_text(config_text(site.url("").rstrip("/")), encoding="utf-8")
    return config, newsroll(config, "fetch")


def split_post(text: str) -> tuple[str, dict, str]:
    assert text.startswith("\n---\n")
    front, body = text[5:].split("\n---\n", 1)
    return front, yaml.safe_load(front), body


def test_fetch_reports_every_feed_and_fails_only_the_broken_one(fetched: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, result = fetched
    assert result.returncode == 1, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 5
    assert re.search(r"^新浪财经－坏页面: 2 items, 2 new, .* 1 failed", result.stdout, re.M)
    assert re.search(rf"^{SEED_FEED}: 3 items, 3 new", result.stdout, re.M)
    assert re.search(r"^Down: FAILED .*HTML page", result.stdout, re.M)
    assert "Traceback" not in result.stderr


def test_database_and_post_files(fetched: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    config, _ = fetched
    data = config.parent / "data"
    with sqlite3.connect(data / "archive.db") as db:
        count = db.execute("select count(*) from articles").fetchone()[0]
    # Sina roll (a row without URL skipped) + Atom + CNBC + 2 bad pages; nothing from "Down"
    assert count == 3 + 3 + 30 + 2
    posts = sorted((data / "posts").rglob("*.md"))
    assert len(posts) == count
    for post in posts:
        front, meta, body = split_post(post.read_text(encoding="utf-8"))
        keys = [line.split(":", 1)[0] for line in front.splitlines() if not line.startswith(" ")]
        assert keys[: len(KEY_ORDER)] == KEY_ORDER
        assert meta["comments"] is False and meta["author"] == meta["categories"][1]
        assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", meta["date"])
        assert body.startswith("\n<div>")
        assert "{" not in body and "}" not in body
        assert "<!--" not in body and "<script" not in body and "<style" not in body


def search(config: Path, *args: str) -> list[dict]:
    result = newsroll(config, "search", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_seed_article_post_matches_the_seed_format_without_its_junk(fetched: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    config, _ = fetched
    [hit] = [r for r in search(config, "", "--feed", SEED_FEED) if r["title"] == SEED_TITLE]
    for key in ("id", "title", "url", "feed", "site", "published", "path", "revisions"):
        assert key in hit
    assert hit["published"] == "2022-02-08T08:00:05Z" and hit["revisions"] == 1
    text = (config.parent / "data" / "posts" / hit["path"]).read_text(encoding="utf-8")
    assert text.startswith(
        "\n---\n"
        f"title: '{SEED_TITLE}'\n"
        "categories: \n - 金融\n - 新浪财经\n - 新浪财经－国內\n"
    )
    assert "author: 新浪财经\ncomments: false\ndate: Tue, 08 Feb 2022 08:00:05 GMT\n" in text
    _, meta, body = split_post(text)
    assert meta["headimg"] != QR_IMAGE and meta["thumbnail"] == meta["headimg"]
    assert meta["source_url"].endswith("/roll/2022-02-08/doc-ikyamrmz9994488.shtml")
    assert "浙江省人民政府办公厅" in body or "招商引资" in body
    for junk in ("appendQr", "343233024.png", "责任编辑", "news_keyword_pub", "新浪财经APP"):
        assert junk not in body
    shown = newsroll(config, "show", hit["id"])
    assert shown.returncode == 0 and shown.stdout == text


def test_gbk_page_behind_a_lying_header_is_decoded(fetched: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    config, _ = fetched
    [hit] = search(config, "12306")
    text = (config.parent / "data" / "posts" / hit["path"]).read_text(encoding="utf-8")
    _, meta, body = split_post(text)
    assert meta["title"] == '60万"12306账号"外泄? 中铁总辟谣称消息不实'
    assert "中国铁路总公司" in body and "\ufffd" not in body


def test_pages_that_fail_keep_the_feed_summary_and_are_flagged(
        fetched: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    config, _ = fetched
    hits = {h["title"]: h for h in search(config, "", "--feed", "新浪财经－坏页面")}
    assert set(hits) == {"页面已删除", "空白页面"}
    assert "fetch_failed" in hits["页面已删除"]["flags"]
    assert "extract_failed" in hits["空白页面"]["flags"]
    for hit in hits.values():
        _, meta, body = split_post((config.parent / "data" / "posts" / hit["path"]).read_text(encoding="utf-8"))
        assert "摘要" in body


def test_second_fetch_adds_nothing(fetched: tuple[Path, subprocess.CompletedProcess[str]], site: TestServer) -> None:
    config, _ = fetched
    before = len(site.requests)
    result = newsroll(config, "fetch", SEED_FEED, "阮一峰－周刊", "CNBC－Top News")
    assert result.returncode == 0, result.stderr
    assert " 0 new" in result.stdout and "FAILED" not in result.stdout
    page_requests = [r for r in site.requests[before:] if r.bare_path.endswith(".shtml")]
    assert page_requests == []  # unchanged items are not fetched again
    with sqlite3.connect(config.parent / "data" / "archive.db") as db:
        assert db.execute("select count(*) from articles").fetchone()[0] == 38
    assert newsroll(config, "verify").returncode == 0
