"""Tagging where articles are made (a poll through a real local server, reparse) and the CLI as
users run it (a subprocess): search --stock, stocks, stocks load, the config keys."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import Archive
from jobs.config import ConfigError, settings_from_dict
from jobs.pipeline import PollContext, poll_feed
from jobs.reparse import reparse_archive
from scraper.fetch import Fetcher
from scraper.models import Article, StockTag
from tests.httpserver import Reply, serve

STOCKS = Path(__file__).parent / "fixtures" / "stocks"
PAGE = (STOCKS / "sina_stock_links.html").read_bytes()
DOC = "/china/gncj/2021-05-05/doc-ikmxzfmm0520480.shtml"
NOW = datetime(2021, 5, 5, 8, tzinfo=UTC)


def settings_for(tmp_path: Path, base: str, **archive: object):  # type: ignore[no-untyped-def]
    return settings_from_dict({
        "archive": dict(archive),
        "http": {"max_attempts": 1, "per_host_interval": 0.0, "timeout": 5.0},
        "feeds": [{"name": "f", "site": "新浪财经", "category": "金融", "kind": "sina_roll",
                   "url": f"{base}/roll", "rules": "sina"}],
    }, tmp_path / "config.toml")


def roll(base: str) -> bytes:
    row = {"title": "“五一”假期国内游火爆", "url": f"{base}{DOC}", "intro": "今年“五一”假期，国内旅游市场强势复苏",
           "media_name": "新浪财经", "ctime": "1620199548", "intime": "1620199548", "mtime": "1620199548"}
    return json.dumps({"result": {"status": {"code": 0}, "data": [row]}}, ensure_ascii=False).encode()


def test_a_poll_tags_the_article_from_its_page_links_and_text(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/roll"] = Reply(body=roll(base), content_type="application/json")
        server.routes[DOC] = Reply(body=PAGE, content_type="text/html; charset=utf-8")
        settings = settings_for(tmp_path, base)

        async def run() -> None:
            with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
                async with Fetcher(settings.http) as fetcher:
                    report = await poll_feed(PollContext(settings, fetcher, archive, clock=lambda: NOW),
                                             settings.feeds[0])
                    assert report.new == 1

        asyncio.run(run())
    with sqlite3.connect(settings.archive.database) as conn:
        tags = conn.execute("select code, how from article_stocks order by code").fetchall()
    # Sina's links (the cities 连云港/张家界 it links are its own call), not the page's widget
    assert ("SH601008", "link") in tags and ("SZ000430", "link") in tags
    assert not {code for code, _ in tags} & {"SZ000725", "SZ000063", "SH601519"}


def test_reparse_tags_stored_pages(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "https://finance.sina.com.cn")
    bare = Article(feed="f", site="新浪财经", category="金融", url=f"https://finance.sina.com.cn{DOC}",
                   title="“五一”假期国内游火爆", published=NOW, body_html="<p>旧正文</p>", body_text="旧正文",
                   raw_html=PAGE, raw_charset="utf-8")
    with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
        [stored] = archive.store([bare], now=NOW)
        assert archive.search("", stock="SH603888") == []
        report = reparse_archive(settings, archive)
        assert (report.pages, report.failed) == (1, 0)
        assert [r["id"] for r in archive.search("", stock="SH603888")] == [stored.id]


def test_cli_reparse_retags_from_the_text_and_keeps_source_tags(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[[feeds]]\nname = "f"\nsite = "新浪财经"\ncategory = "金融"\nkind = "sina_roll"\n'
        'url = "https://finance.sina.com.cn/roll"\nrules = "sina"\n', encoding="utf-8")
    settings = settings_for(tmp_path, "https://finance.sina.com.cn")
    stale = (StockTag("SZ000001", "平安银行", "name"), StockTag("SZ000002", "万科A", "code"),
             StockTag("SH600000", "浦发银行", "source"), StockTag("SH603888", "新华网", "name"))
    bare = Article(feed="f", site="新浪财经", category="金融", url=f"https://finance.sina.com.cn{DOC}",
                   title="“五一”假期国内游火爆", published=NOW, body_html="<p>旧正文</p>", body_text="旧正文",
                   raw_html=PAGE, raw_charset="utf-8", stock_tags=stale)
    with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
        archive.store([bare], now=NOW)
    result = newsroll("reparse", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(settings.archive.database) as conn:
        tags = dict(conn.execute("select code, how from article_stocks").fetchall())
    # the old text's 平安银行 and 万科A are not in the page: dropped; the wire's 浦发银行 stays;
    # 新华网 was a name tag, now a link of the page (kept as the better origin); the page's links are added
    assert "SZ000001" not in tags and "SZ000002" not in tags
    assert tags["SH600000"] == "source" and tags["SH603888"] == "link" and tags["SH601008"] == "link"


def newsroll(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jobs", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, "NEWSROLL_CONFIG": str(cwd / "config.toml")})


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text('[archive]\npost_tags = true\n', encoding="utf-8")
    settings = settings_for(tmp_path, "https://e.com", post_tags=True)
    now = datetime.now(UTC)
    with Archive(settings.archive.database, settings.archive.posts_dir, post_tags=True) as archive:
        archive.store([
            Article(feed="f", site="s", category="c", url=f"https://e.com/{n}", title=title, published=now,
                    body_html="<p>x</p>", body_text="x", guid=str(n), stock_tags=tags)
            for n, (title, tags) in enumerate([
                ("茅台一", (StockTag("SH600519", "贵州茅台", "source"),)),
                ("茅台二", (StockTag("SH600519", "贵州茅台", "name"), StockTag("HK00700", "腾讯控股", "code"))),
            ])
        ], now=now)
    return tmp_path


def test_cli_search_by_code_or_name(filled: Path) -> None:
    for value in ("SH600519", "600519", "sh600519", "贵州茅台"):
        result = newsroll("search", "--stock", value, "--format", "json", cwd=filled)
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert sorted(r["title"] for r in rows) == ["茅台一", "茅台二"], value
    rows = json.loads(newsroll("search", "--stock", "00700.HK", "--format", "json", cwd=filled).stdout)
    assert [(r["title"], r["stocks"]) for r in rows] == [("茅台二", ["HK00700", "SH600519"])]  # code before name
    exported = [json.loads(line) for line in newsroll("export", "--stock", "腾讯控股", cwd=filled).stdout.splitlines()]
    assert [r["stocks"] for r in exported] == [["HK00700", "SH600519"]]
    assert newsroll("verify", cwd=filled).returncode == 0  # posts carry tags: and match the database


def test_cli_most_mentioned(filled: Path) -> None:
    result = newsroll("stocks", "--since", "7d", "--format", "json", cwd=filled)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"code": "SH600519", "name": "贵州茅台", "count": 2},
                                         {"code": "HK00700", "name": "腾讯控股", "count": 1}]
    table = newsroll("stocks", cwd=filled).stdout.splitlines()
    assert table[0].split() == ["code", "name", "count"] and table[1].split() == ["SH600519", "贵州茅台", "2"]
    assert newsroll("stocks", "--since", "2030-01-01", cwd=filled).stdout.strip() == "(no results)"


def test_cli_stocks_load(filled: Path) -> None:
    bad = filled / "bad.csv"
    bad.write_text("600519,贵州茅台\n12345x,坏\n", encoding="utf-8")
    result = newsroll("stocks", "load", str(bad), cwd=filled)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == f"newsroll: {bad}: line 2: '12345x' is not a stock code (e.g. 600519, SH600519, 00700.HK)"
    assert not (filled / "data" / "stocks.csv").exists()
    good = filled / "good.csv"
    good.write_text("代码,名称\n600519,茅台股份\n00700,鹅厂\n", encoding="utf-8")
    result = newsroll("stocks", "load", str(good), cwd=filled)
    assert result.returncode == 0 and "loaded 2 companies" in result.stdout
    rows = json.loads(newsroll("search", "--stock", "鹅厂", "--format", "json", cwd=filled).stdout)
    assert [r["title"] for r in rows] == ["茅台二"]  # the user's name resolves to its code
    top = json.loads(newsroll("stocks", "--format", "json", cwd=filled).stdout)
    assert top[0] == {"code": "SH600519", "name": "茅台股份", "count": 2}


def test_config_keys(tmp_path: Path) -> None:
    settings = settings_from_dict({"archive": {"post_tags": True, "stock_list": "lists/mine.csv"}}, tmp_path / "c.toml")
    assert settings.archive.post_tags and settings.archive.stock_list_path == tmp_path / "lists" / "mine.csv"
    assert settings_from_dict({}, tmp_path / "c.toml").archive.stock_list_path == tmp_path / "data" / "stocks.csv"
    with pytest.raises(ConfigError, match="archive.post_tags: expected bool"):
        settings_from_dict({"archive": {"post_tags": "yes"}}, tmp_path / "c.toml")


_WATCH = (
    "import atexit, runpy, sys\n"
    "from scraper.stocks import directory\n"
    "atexit.register(lambda: print('company list built' if directory.default_directory.cache_info().currsize "
    "else 'company list not built', file=sys.stderr))\n"
    "sys.argv = ['newsroll', *sys.argv[1:]]\n"
    "runpy.run_module('jobs', run_name='__main__')\n"
)


@pytest.mark.parametrize(
    ("args", "built"),
    [
        (("--help",), False),
        (("search", "茅台"), False),
        (("search", "", "--format", "json"), False),
        (("export",), False),
        (("search", "", "--stock", "贵州茅台"), True),  # a name to resolve: the list is read
        (("stocks",), True),
    ],
)
def test_the_company_list_is_read_only_by_commands_that_need_it(filled: Path, args: tuple[str, ...], built: bool) -> None:
    result = subprocess.run([sys.executable, "-c", _WATCH, *args], capture_output=True, text=True, timeout=60,
                            cwd=filled, env={**os.environ, "NEWSROLL_CONFIG": str(filled / "config.toml")})
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == ("company list built" if built else "company list not built")
