"""Shared helpers for the hostile-input tests: the real CLI in a subprocess and a config for it.

Every input these tests use is constructed here or in the test itself (no saved material).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FeedSpec:
    name: str
    url: str
    kind: str = "feed"
    full_text: bool = False


def write_config(folder: Path, feeds: list[FeedSpec]) -> Path:
    lines = [
        "[archive]",
        'database = "data/archive.db"',
        'posts_dir = "data/posts"',
        "",
        "[http]",
        'user_agent = "newsroll-test/1.0"',
        "timeout = 10.0",
        "max_attempts = 1",
        "per_host_interval = 0.0",
        "per_host_concurrency = 8",
        "obey_robots = false",
    ]
    for feed in feeds:
        lines += [
            "",
            "[[feeds]]",
            f"name = {json.dumps(feed.name, ensure_ascii=False)}",
            'site = "Hostile"',
            'category = "Tests"',
            f'kind = "{feed.kind}"',
            f"url = {json.dumps(feed.url)}",
            f"full_text = {'true' if feed.full_text else 'false'}",
        ]
    config = folder / "config.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def newsroll(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "jobs", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def search_json(config: Path, *args: str) -> list[dict[str, Any]]:
    result = newsroll(config, "search", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def rss(*items: str, title: str = "Hostile") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.com/</link>{''.join(items)}</channel></rss>").encode()


def rss_item(link: str, title: str, date: str, text: str = "Body text of the item.") -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{date}</pubDate><description>{text}</description></item>")
