"""poll_feed with a real Fetcher, a real local server and a real Archive file."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from archive import Archive
from jobs.config import settings_from_dict
from jobs.pipeline import FeedReport, PollContext, poll_feed
from scraper.fetch import Fetcher
from tests.httpserver import Reply, serve

PAGE = (Path(__file__).parent / "fixtures" / "pages" / "gne_tests_sina_3.html").read_bytes()


def roll(base: str, title: str = "债券市场是否存在泡沫？世界知名首席投资官们这么说") -> bytes:
    row = {"title": title, "url": f"{base}/doc-iicezzrq4681677.shtml", "intro": "债券市场是否存在泡沫？",
           "media_name": "新浪财经", "ctime": "1568033558", "intime": "1568033558", "mtime": "1568033558"}
    return json.dumps({"result": {"status": {"code": 0}, "data": [row]}}, ensure_ascii=False).encode()


def poll(tmp_path: Path, base: str) -> FeedReport:
    settings = settings_from_dict({
        "http": {"max_attempts": 1, "per_host_interval": 0.0, "timeout": 5.0},
        "feeds": [{"name": "f", "site": "新浪财经", "category": "金融", "kind": "sina_roll",
                   "url": f"{base}/roll", "rules": "sina"}],
    }, tmp_path / "config.toml")

    async def run() -> FeedReport:
        with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
            async with Fetcher(settings.http) as fetcher:
                ctx = PollContext(settings, fetcher, archive, clock=lambda: datetime(2024, 1, 1, tzinfo=UTC))
                return await poll_feed(ctx, settings.feeds[0])

    return asyncio.run(run())


def test_transient_page_failure_is_retried_on_the_next_poll(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/roll"] = Reply(body=roll(base), content_type="application/json")
        server.routes["/doc-iicezzrq4681677.shtml"] = [Reply(status=503), Reply(body=PAGE, content_type="text/html")]
        first = poll(tmp_path, base)
        assert (first.new, first.failed) == (1, 1)
        second = poll(tmp_path, base)
        assert (second.new, second.updated, second.failed) == (0, 1, 0)
        third = poll(tmp_path, base)
        assert (third.new, third.updated) == (0, 0)
        assert len(server.requests_for("/doc-iicezzrq4681677.shtml")) == 2
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        [row] = archive.search("")
        assert row["revisions"] == 2 and "fetch_failed" not in row["flags"]


def test_edited_item_is_refetched_and_kept_as_a_revision(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/doc-iicezzrq4681677.shtml"] = Reply(body=PAGE, content_type="text/html")
        server.routes["/roll"] = Reply(body=roll(base), content_type="application/json")
        assert poll(tmp_path, base).new == 1
        server.routes["/roll"] = Reply(body=roll(base, "债券市场存在泡沫吗？（更新）"), content_type="application/json")
        edited = poll(tmp_path, base)
        assert (edited.new, edited.updated) == (0, 1)
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        [row] = archive.search("")
        assert row["title"] == "债券市场存在泡沫吗？（更新）" and row["revisions"] == 2
        assert "（更新）" in archive.post_text(row["id"])


def test_feed_failure_is_recorded_on_its_state(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/roll"] = [Reply(status=500), Reply(body=roll(base), content_type="application/json")]
        server.routes["/doc-iicezzrq4681677.shtml"] = Reply(body=PAGE, content_type="text/html")
        failed = poll(tmp_path, base)
        assert failed.status == "failed" and failed.http_status == 500
        with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
            state = archive.feed_state("f")
            assert state is not None and state.consecutive_failures == 1 and state.error
        assert poll(tmp_path, base).status == "ok"
        with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
            state = archive.feed_state("f")
            assert state is not None and state.consecutive_failures == 0 and state.error is None


def test_permanently_moved_feed_is_polled_at_its_new_url(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/roll"] = Reply(status=301, headers={"Location": f"{base}/roll-new"})
        server.routes["/roll-new"] = Reply(body=roll(base), content_type="application/json")
        server.routes["/doc-iicezzrq4681677.shtml"] = Reply(body=PAGE, content_type="text/html")
        assert poll(tmp_path, base).new == 1
        assert poll(tmp_path, base).status == "ok"
        assert len(server.requests_for("/roll")) == 1  # the second poll went straight to the new URL
        assert len(server.requests_for("/roll-new")) == 2
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        state = archive.feed_state("f")
        assert state is not None and state.url == f"{base}/roll-new" and state.moved_from == f"{base}/roll"


def test_gone_feed_is_disabled_with_a_clear_message(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/roll"] = Reply(status=410)
        first = poll(tmp_path, base)
        assert first.status == "failed" and "410" in (first.error or "") and "disabled" in (first.error or "")
        second = poll(tmp_path, base)
        assert second.status == "disabled"
        assert len(server.requests_for("/roll")) == 1
