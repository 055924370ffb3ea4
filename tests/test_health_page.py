"""The feed health page: per-feed status and volume read from a real archive, rendered as one
self-contained HTML page, and checked in real headless Chromium (screenshot + rendered DOM)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from archive.web.health import SILENT_AFTER, FeedHealth, gather, status_of
from archive.web.healthpage import bar_chart, render_health
from tests.archive_support import NOW
from tests.web_support import build_archive

FEEDS = ("新浪财经－国內", "证券时报－快讯", "Markets", "停更的源")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("health")
    conn = sqlite3.connect(build_archive(root))
    try:
        report = gather(conn, now=NOW, hours=72)
    finally:
        conn.close()
    html = render_health(report)
    path = root / "health.html"
    path.write_text(html, encoding="utf-8")
    return path, html


def _report(tmp_path: Path) -> dict[str, FeedHealth]:
    conn = sqlite3.connect(build_archive(tmp_path))
    try:
        return {f.name: f for f in gather(conn, now=NOW, hours=72).feeds}
    finally:
        conn.close()


def test_each_feed_has_its_status_and_hourly_volume(tmp_path: Path) -> None:
    feeds = _report(tmp_path)
    assert set(feeds) == set(FEEDS)
    assert feeds["新浪财经－国內"].status == "ok"
    assert feeds["Markets"].status == "backoff"  # failing, and backing off past NOW
    assert feeds["Markets"].state is not None and feeds["Markets"].state.consecutive_failures == 4
    assert feeds["停更的源"].status == "silent"  # polled fine, never brought anything
    assert feeds["证券时报－快讯"].status == "ok"
    # 15 articles each an hour apart in the Chinese feeds (merges included), fetched 10 minutes later
    for name in ("新浪财经－国內", "证券时报－快讯"):
        assert sum(feeds[name].fetched) == feeds[name].total == 15
        assert sum(feeds[name].published) == 15
    assert sum(feeds["Markets"].fetched) == 6
    assert max(feeds["Markets"].fetched) == 1
    assert sum(feeds["停更的源"].fetched) == feeds["停更的源"].total == 0
    # the window ends with NOW's hour (12:00); the newest articles were fetched at 11:10, 10:10, 09:10
    assert [feeds["证券时报－快讯"].fetched[-2], feeds["Markets"].fetched[-3], feeds["新浪财经－国內"].fetched[-4]] == [1, 1, 1]
    assert feeds["证券时报－快讯"].fetched[-1] == feeds["证券时报－快讯"].fetched[-3] == 0


def test_status_rules() -> None:
    from archive import FeedState

    ok = FeedState(name="a", url="u")
    assert status_of(None, NOW, NOW) == "unpolled"
    assert status_of(ok, NOW - SILENT_AFTER + timedelta(minutes=1), NOW) == "ok"
    assert status_of(ok, NOW - SILENT_AFTER - timedelta(minutes=1), NOW) == "silent"
    assert status_of(FeedState(name="a", url="u", consecutive_failures=1), NOW, NOW) == "failing"
    expired = FeedState(name="a", url="u", consecutive_failures=2, backoff_until=NOW - timedelta(seconds=1))
    assert status_of(expired, NOW, NOW) == "failing"
    assert status_of(FeedState(name="a", url="u", disabled=True, consecutive_failures=9), NOW, NOW) == "disabled"


def test_the_page_is_self_contained(page: tuple[Path, str]) -> None:
    _path, html = page
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from anywhere
    assert html.count("<svg") == 1 + len(FEEDS)
    assert "HTTP 503 Service Unavailable" in html


def test_bar_chart_scales_to_the_tallest_value() -> None:
    svg = bar_chart([0, 2, 4], line=[1, 1, 8], width=100, height=50, label="x <y>")
    assert svg.count("<rect") == 2 and "<polyline" in svg
    assert ">8</text>" in svg  # the top of the scale is the tallest of bars and line
    assert 'aria-label="x &lt;y&gt;"' in svg


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("Chromium is needed for this test: apt-get install -y chromium (see .ci/run)")


def _headless(*args: str) -> subprocess.CompletedProcess[str]:
    # --no-sandbox: CI runs as root; no network is touched (file:// page, nothing external)
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_the_page_in_headless_chromium(page: tuple[Path, str]) -> None:
    path, _html = page
    dom = _headless("--dump-dom", path.as_uri()).stdout
    # the DOM Chromium built: one overall chart, one chart per feed, with their bars and lines
    assert len(re.findall(r'<svg class="chart overall"', dom)) == 1
    rows = re.findall(r'<tr class="feed" data-feed="([^"]+)" data-status="([a-z]+)">', dom)
    assert dict(rows) == {"新浪财经－国內": "ok", "证券时报－快讯": "ok", "Markets": "backoff", "停更的源": "silent"}
    assert len(re.findall(r'<svg class="chart"', dom)) == len(FEEDS)
    assert len(re.findall(r'<rect class="bar"', dom)) >= 30
    assert len(re.findall(r'<polyline class="line"', dom)) == 4  # overall + the three feeds with articles
    for name in FEEDS:
        assert f'<td class="name">{name}</td>' in dom
    shot = path.with_name("health.png")
    _headless("--window-size=1300,1000", f"--screenshot={shot}", path.as_uri())
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"\nhealth page screenshot: {shot}")
