"""Polling wire feeds end to end: real config loading, real Fetcher, real local server, real Archive."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from archive import Archive
from jobs.config import Settings, settings_from_dict
from jobs.pipeline import FeedReport, PollContext, poll_feed
from scraper.fetch import Fetcher
from scraper.sources.cls import sign_params
from tests.httpserver import Reply, RequestRecord
from tests.sources.support import fixture

HTTP = {"max_attempts": 1, "per_host_interval": 0.0, "timeout": 5.0}


def settings(tmp_path: Path, feeds: list[dict[str, Any]], **extra: Any) -> Settings:
    return settings_from_dict({"http": HTTP, "feeds": feeds, **extra}, tmp_path / "config.toml")


def poll(config: Settings, name: str | None = None, *, now: datetime = datetime(2026, 10, 7, tzinfo=UTC)) -> FeedReport:
    """Poll one feed once with the clock at ``now`` (after the fixtures' own times)."""
    feed = config.feed(name) if name else config.feeds[0]

    async def run() -> FeedReport:
        with Archive(config.archive.database, config.archive.posts_dir) as archive:
            async with Fetcher(config.http) as fetcher:
                ctx = PollContext(config, fetcher, archive, clock=lambda: now)
                return await poll_feed(ctx, feed)

    return asyncio.run(run())


def query(request: RequestRecord) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))


def json_reply(name: str) -> Reply:
    return Reply(body=fixture(name), content_type="application/json")


def cls_roll(pages: dict[str | None, str]) -> Any:
    """A cls.cn roll endpoint that checks the signature like the real one and pages by last_time."""

    def handle(request: RequestRecord) -> Reply:
        params = query(request)
        sign = params.pop("sign", "")
        if sign != sign_params(params):
            return json_reply("cls-sign-error.json")
        return json_reply(pages.get(params.get("last_time"), "cls-telegraph-empty.json"))

    return handle


def archive_rows(config: Settings, **filters: Any) -> list[dict[str, Any]]:
    with Archive(config.archive.database, config.archive.posts_dir) as archive:
        return archive.search("", **filters)
