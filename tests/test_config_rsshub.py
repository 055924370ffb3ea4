"""config.rsshub.toml: the old site's 金融 RSSHub list, under the old category/site/feed names."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.rsshub.toml"
SEED = ROOT / "tests" / "fixtures" / "seed-system"


def _feeds() -> list[dict[str, object]]:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert data["rsshub"]["base"] == "http://localhost:1200"
    return list(data["feeds"])


def test_every_feed_is_an_rsshub_route_of_the_finance_category() -> None:
    feeds = _feeds()
    names = [f["name"] for f in feeds]
    assert len(names) == len(set(names)) == 32
    for feed in feeds:
        assert feed["kind"] == "rsshub" and feed["category"] == "金融"
        assert str(feed["route"]).startswith("/") and "url" not in feed
        assert feed["site"] and feed["name"] and feed["interval"]


def test_the_old_sites_names_are_kept() -> None:
    pairs = {(f["site"], f["name"]) for f in _feeds()}
    for expected in [("财联社", "电报"), ("财联社", "深度"), ("证券时报网", "要闻"), ("证券时报网", "数据"),
                     ("证券时报网", "快讯"), ("格隆汇", "主题文章"), ("金十数据", "金十数据"),
                     ("中国人民银行", "沟通交流"), ("DT 财经", "数据侠专栏"), ("富途牛牛", "富途牛牛－要闻"),
                     ("每经网", "重磅原创"), ("中证网", "资讯"), ("雪球", "用户动态"), ("新浪财经", "新浪财经－国內")]:
        assert expected in pairs


def test_imported_posts_land_in_configured_feeds() -> None:
    # the old posts tree is 金融/<site>/<feed>/<title>.md: each of the saved posts' feeds is configured
    pairs = {(f["site"], f["name"]) for f in _feeds()}
    posts = [p.relative_to(SEED).parts for p in (SEED / "金融").rglob("*.md")]
    assert len(posts) >= 5
    for category, site, feed, _ in posts:
        assert category == "金融" and (site, feed) in pairs


def test_the_shipped_rsshub_config_loads_with_the_real_loader() -> None:
    from jobs.config import load_settings

    settings = load_settings(Path(__file__).resolve().parent.parent / "config.rsshub.toml")
    assert len(settings.feeds) >= 30
    assert all(feed.kind == "rsshub" and feed.url.startswith("http") for feed in settings.feeds)
    assert len({feed.name for feed in settings.feeds}) == len(settings.feeds)
