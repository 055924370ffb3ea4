"""Config for wire feeds: every registered kind, [rsshub] base/key and route, default intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobs.config import FEED_KINDS, ConfigError, settings_from_dict
from scraper.sources import get_source, source_kinds


def load(tmp_path: Path, feed: dict[str, Any], **extra: Any) -> Any:
    table = {"name": "f", "site": "s", "category": "c", **feed}
    return settings_from_dict({"feeds": [table], **extra}, tmp_path / "config.toml")


def test_every_registered_wire_is_a_feed_kind_with_its_default_interval(tmp_path: Path) -> None:
    for kind in ("cls_telegraph", "cls_depth", "wallstreetcn_live", "wallstreetcn_news", "jin10_flash", "rsshub"):
        assert kind in FEED_KINDS and kind in source_kinds()
        feed = load(tmp_path, {"kind": kind, "url": "https://example.com/api"}).feeds[0]
        assert feed.interval == get_source(kind).default_interval
    cron = load(tmp_path, {"kind": "jin10_flash", "url": "https://example.com/a", "cron": "*/5 * * * *"}).feeds[0]
    assert cron.interval is None
    with pytest.raises(ConfigError, match="kind: expected one of"):
        load(tmp_path, {"kind": "cls_nothing", "url": "https://example.com/a"})


def test_route_shorthand_with_base_and_key(tmp_path: Path) -> None:
    settings = load(tmp_path, {"kind": "rsshub", "route": "/cls/telegraph/red"},
                    rsshub={"base": "http://localhost:1200/", "key": "k&y"})
    feed = settings.feeds[0]
    assert feed.url == "http://localhost:1200/cls/telegraph/red?key=k%26y"
    assert feed.route == "/cls/telegraph/red" and feed.full_text is False
    explicit = load(tmp_path, {"kind": "rsshub", "url": "http://localhost:1200/jin10?limit=5", "full_text": True},
                    rsshub={"base": "http://localhost:1200", "key": "abc"}).feeds[0]
    assert explicit.url == "http://localhost:1200/jin10?limit=5&key=abc" and explicit.full_text is True
    other_host = load(tmp_path, {"kind": "rsshub", "url": "https://rsshub.example/x"},
                      rsshub={"base": "http://localhost:1200", "key": "abc"}).feeds[0]
    assert other_host.url == "https://rsshub.example/x"  # the key is not sent to another instance


@pytest.mark.parametrize(("feed", "rsshub", "message"), [
    ({"kind": "rsshub", "route": "/cls/telegraph"}, None, r"route: needs \[rsshub\] base"),
    ({"kind": "feed", "route": "/cls/telegraph"}, {"base": "http://h"}, "route: only for kind"),
    ({"kind": "rsshub", "route": "/a", "url": "http://h/a"}, {"base": "http://h"}, "either url or route"),
    ({"kind": "rsshub"}, {"base": "http://h"}, r"url: missing required key"),
    ({"kind": "rsshub", "route": "/a"}, {"base": "localhost:1200"}, "rsshub.base: expected an http"),
    ({"kind": "rsshub", "route": "/a"}, {"base": "http://h", "token": "x"}, "rsshub.token: unknown key"),
])
def test_bad_rsshub_config_names_the_key(tmp_path: Path, feed: dict[str, Any], rsshub: dict[str, Any] | None,
                                          message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, feed, **({"rsshub": rsshub} if rsshub is not None else {}))
