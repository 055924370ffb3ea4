"""Shared helpers for the backfill tests (no tests here).

``RollAPI`` plays Sina's roll API on the local test server (tests/httpserver.py): a constructed,
generated list of items (``result.status``/``total``/``data``, epoch ``intime`` newest first,
the shape documented in fixtures/SOURCES.md for ``sina/roll_1686_page1.json``), paged by
``page``/``num``, that can grow at the top while a backfill runs.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from archive import Archive
from jobs.backfill.progress import PlainProgress
from jobs.backfill.run import BackfillOptions, BackfillReport, backfill_feed
from jobs.compose import poll_context
from jobs.config import Settings, load_settings
from jobs.pipeline import PollContext
from scraper.fetch import Fetcher
from tests.httpserver import Reply, RequestRecord, TestServer

FEED = "新浪财经－国內"
BASE_TIME = 1_714_521_600  # 2024-05-01T00:00:00Z; item n is published n minutes later
WORDS = ("央行", "降准", "人民币", "汇率", "债券", "收益率", "上证", "指数", "券商", "研报", "基金", "净值",
         "房地产", "销售", "出口", "订单", "制造业", "景气", "消费", "复苏", "银行", "存款", "利率", "外资",
         "增持", "科技", "芯片", "新能源", "光伏", "电池", "黄金", "原油", "期货", "美元", "通胀", "就业")


def intime(n: int) -> int:
    return BASE_TIME + n * 60


def row(base: str, n: int) -> dict[str, object]:
    """Item ``n`` as the roll API lists it; words drawn per item so no two bodies look alike."""
    rng = random.Random(n)
    intro = "".join(rng.choice(WORDS) for _ in range(24)) + f"（第{n}条）"
    title = "".join(rng.choice(WORDS) for _ in range(5)) + f" 快讯{n}"
    return {
        "title": title, "url": f"{base}/doc/{n}.shtml", "wapurl": f"{base}/wap/{n}.shtml", "intro": intro,
        "media_name": "新浪财经", "ctime": str(intime(n)), "intime": str(intime(n)), "mtime": str(intime(n)),
    }


class RollAPI:
    """A paginated roll API over ``count`` items; ``grow`` adds items at the top before a request."""

    def __init__(self, base: str, count: int, *, delay: float = 0.0, pages: TestServer | None = None) -> None:
        self.base = base
        self.pages = pages  # when given, each item's article page is served there too
        self.serial = 0
        self.rows: list[dict[str, object]] = []
        self.delay = delay
        self.lock = threading.Lock()
        self.requests = 0
        self.grow: Callable[[int], int] = lambda request: 0  # request number → items to add first
        self.add(count)

    def add(self, count: int) -> None:
        fresh = []
        for _ in range(count):
            self.serial += 1
            fresh.append(row(self.base, self.serial))
            if self.pages is not None:
                self.pages.routes[f"/doc/{self.serial}.shtml"] = article_page
        self.rows[:0] = reversed(fresh)

    def urls(self) -> set[str]:
        return {str(r["url"]) for r in self.rows}

    def __call__(self, request: RequestRecord) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        page, num = int(query.get("page", ["1"])[0]), int(query.get("num", ["20"])[0])
        with self.lock:
            self.add(self.grow(self.requests))
            self.requests += 1
            data = self.rows[(page - 1) * num: page * num]
            body = {"result": {"status": {"code": 0, "msg": ""}, "total": len(self.rows), "data": data}}
        return Reply(body=json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8",
                     delay=self.delay)


def article_page(request: RequestRecord) -> Reply:
    """A small article page for ``/doc/N.shtml`` (generic template)."""
    n = int(request.bare_path.rsplit("/", 1)[1].split(".")[0])
    rng = random.Random(-n)
    paragraphs = "".join(f"<p>{''.join(rng.choice(WORDS) for _ in range(40))}。</p>" for _ in range(5))
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>快讯{n}</title></head><body>"
            f"<div class='header'>导航</div><article><h1>快讯{n}</h1>{paragraphs}</article></body></html>")
    return Reply(body=html, content_type="text/html; charset=utf-8")


def config_text(base: str, *, full_text: bool = False, interval: float = 0.0, concurrency: int = 8,
                extra_feeds: str = "", timeout: float = 10.0) -> str:
    return f"""
[archive]
database = "data/archive.db"
posts_dir = "data/posts"

[http]
user_agent = "newsroll-test/1.0"
timeout = {timeout}
max_attempts = 2
backoff_base = 0.01
per_host_interval = {interval}
per_host_concurrency = {concurrency}

[[feeds]]
name = "{FEED}"
site = "新浪财经"
category = "金融"
kind = "sina_roll"
url = "{base}/api/roll/get?pageid=155&lid=1686&num=50"
full_text = {str(full_text).lower()}
{extra_feeds}
"""


def write_config(folder: Path, text: str) -> Path:
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Outcome:
    report: BackfillReport
    log: str


def run_backfill(config: Path, feed: str = FEED, options: BackfillOptions | None = None, *,
                 workers: bool = False) -> Outcome:
    """Run the backfill in this process (real archive file, real fetcher, real sockets); with
    ``workers``, through the CLI's context: extraction and storing in worker processes."""
    settings: Settings = load_settings(config)
    stream = io.StringIO()
    progress = PlainProgress(feed, stream)

    async def go() -> BackfillReport:
        if workers:
            async with poll_context(settings, workers=True) as ctx:
                assert ctx.extract_pool is not None and ctx.store_process
                return await backfill_feed(ctx, settings.feed(feed), options or BackfillOptions(), progress)
        with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
            async with Fetcher(settings.http) as fetcher:
                ctx = PollContext(settings, fetcher, archive)
                return await backfill_feed(ctx, settings.feed(feed), options or BackfillOptions(), progress)

    report = asyncio.run(go())
    return Outcome(report, stream.getvalue())


def archived_urls(config: Path) -> list[str]:
    """Every archived article's URL (a repeated URL would be an item archived twice)."""
    database = config.parent / "data" / "archive.db"
    with sqlite3.connect(database) as conn:
        return [r[0] for r in conn.execute("select url from articles")]


def checkpoint(config: Path, feed: str = FEED) -> dict[str, object] | None:
    database = config.parent / "data" / "archive.db"
    with sqlite3.connect(database) as conn:
        found = conn.execute("select value from checkpoints where key = ?", (f"backfill:{feed}",)).fetchone()
    return json.loads(found[0]) if found else None
