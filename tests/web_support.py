"""Shared helpers for the feeds-out, health page and Datasette tests (no tests here): a real archive
with Chinese and English articles over three days, and feed states in every condition."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from archive import Archive, FeedState
from scraper.models import Article
from tests.archive_support import BODY_EN, BODY_ZH, NOW, make_article

RUMOUR = "有关部门今日辟谣称，网传内核源码泄露消息不实，请投资者注意甄别。"
MARKET = "今日A股市场表现活跃，沪指收涨1.2%，两市成交额超万亿元，券商板块领涨。"
OIL = "Oil prices climbed on supply worries while interest in renewable energy stocks grew."


def corpus(now: datetime = NOW) -> list[Article]:
    """36 articles: Chinese (several feeds and sites) and English, one every two hours back from ``now``."""
    articles = []
    for i in range(30):
        if i % 5 == 0:
            title, body = f"浙江招商引资新政第{i}期", BODY_ZH
        elif i % 3 == 0:
            title, body = f"官方辟谣：内核源码传闻不实（{i}）", RUMOUR * (i % 4 + 1) + MARKET
        elif i % 2:
            title, body = f"市场动态{i}：券商研报", MARKET * (i % 3 + 1) + RUMOUR
        else:
            title, body = f"A股三大指数收涨{i}", MARKET * 2 + BODY_ZH[: 20 + i * 7]
        articles.append(
            make_article(
                guid=f"zh-{i}",
                url=f"https://finance.example.cn/roll/{i}.shtml",
                feed="新浪财经－国內" if i % 2 else "证券时报－快讯",
                site="新浪财经" if i % 3 else "证券时报网",
                category="金融" if i % 4 else "股市",
                title=title,
                body_text=body,
                published=now - timedelta(hours=2 * i + 1),
            )
        )
    for i in range(6):
        articles.append(
            make_article(
                guid=f"en-{i}",
                url=f"https://markets.example.com/story/{i}",
                feed="Markets",
                site="CNBC",
                category="Markets",
                title=f"Fed raises interest rates, part {i}" if i % 2 else f"Oil climbs as supply tightens {i}",
                body_text=BODY_EN * (i % 3 + 1) if i % 2 else OIL * (i + 1),
                published=now - timedelta(hours=3 * i + 2),
            )
        )
    return articles


def build_archive(root: Path, now: datetime = NOW) -> Path:
    """Store ``corpus()`` (each fetched 10 minutes after publication) and feed states; the database path."""
    with Archive(root / "archive.db", root / "posts") as archive:
        for article in corpus(now):
            archive.store([article], now=article.published + timedelta(minutes=10))
        archive.save_feed_state(
            FeedState(name="新浪财经－国內", url="https://finance.example.cn/rss", last_success=now, last_attempt=now)
        )
        archive.save_feed_state(
            FeedState(
                name="Markets", url="https://markets.example.com/rss", last_attempt=now, consecutive_failures=4,
                error="HTTP 503 Service Unavailable", backoff_until=now + timedelta(hours=2),
                last_success=now - timedelta(hours=9),
            )
        )
        archive.save_feed_state(
            FeedState(name="证券时报－快讯", url="https://stcn.example.com/rss", last_success=now, last_attempt=now)
        )
        archive.save_feed_state(
            FeedState(name="停更的源", url="https://quiet.example.com/rss", last_success=now, last_attempt=now)
        )
    return root / "archive.db"


def write_config(root: Path) -> Path:
    """A config file whose archive is ``root/archive.db`` (for the CLI)."""
    path = root / "config.toml"
    path.write_text('[archive]\ndatabase = "archive.db"\nposts_dir = "posts"\n', encoding="utf-8")
    return path
