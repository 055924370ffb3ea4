"""``newsroll feed`` and ``newsroll report`` as users run them: the real CLI in a subprocess."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from archive.web.feedout import article_tag
from archive.web.feedquery import FeedQuery, select_entries
from tests.web_support import build_archive, write_config


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cliweb")
    build_archive(path)
    write_config(path)
    return path


def newsroll(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "jobs", "--config", str(root / "config.toml"), *args],
                          capture_output=True, timeout=120, cwd=root)


def test_feed_to_stdout_in_each_format(root: Path) -> None:
    conn = sqlite3.connect(root / "archive.db")
    try:
        expected = [article_tag(e.id) for e in select_entries(conn, FeedQuery(query="辟谣", site="新浪财经", limit=5))]
    finally:
        conn.close()
    assert len(expected) == 5
    for fmt in ("atom", "rss"):
        result = newsroll(root, "feed", "辟谣", "--site", "新浪财经", "--limit", "5", "--format", fmt)
        assert result.returncode == 0, result.stderr
        parsed = feedparser.parse(result.stdout)
        assert not parsed.bozo and [e.id for e in parsed.entries] == expected
    result = newsroll(root, "feed", "辟谣", "--site", "新浪财经", "--limit", "5", "--format", "json")
    assert [i["id"] for i in json.loads(result.stdout)["items"]] == expected


def test_feed_to_a_file_is_the_same_on_every_run(root: Path) -> None:
    target = root / "out" / "rumours.xml"
    args = ("feed", "辟谣", "--since", "2024-04-30", "--output", str(target), "--self-url", "https://e.example/r.xml")
    assert newsroll(root, *args).returncode == 0
    first = target.read_bytes()
    assert newsroll(root, *args).returncode == 0
    assert target.read_bytes() == first  # nothing new: byte for byte the same feed, dates included
    parsed = feedparser.parse(first)
    assert not parsed.bozo and parsed.entries
    assert all(tuple(e.published_parsed[:3]) >= (2024, 4, 30) for e in parsed.entries)
    assert parsed.feed.links[0].href == "https://e.example/r.xml"


def test_feed_errors_are_one_line(root: Path) -> None:
    bad = newsroll(root, "feed", '"辟谣')
    assert bad.returncode == 2
    assert bad.stderr.decode().strip() == "newsroll: unterminated quote in query: '\"辟谣'"
    assert newsroll(root, "feed", "x", "--format", "rdf").returncode == 2


def test_report_writes_the_health_page(root: Path) -> None:
    target = root / "health.html"
    result = newsroll(root, "report", "--output", str(target), "--hours", "24")
    assert result.returncode == 0, result.stderr
    html = target.read_text(encoding="utf-8")
    assert html.count("<svg") == 5 and "the last 24 hours" in html
    for name in ("新浪财经－国內", "证券时报－快讯", "Markets", "停更的源"):
        assert f'data-feed="{name}"' in html
    assert "<script" not in html
