"""What a config file means, as frozen records: ``Settings`` and its tables, ``ConfigError``.

Loading and validation (every default, every key checked, one-line errors) is :mod:`jobs.config`,
which re-exports these names: import them from there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs.errors import UsageError
from scraper.models import HttpSettings

_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
MAX_SECONDS = 366 * 86400.0  # no interval, timeout or backoff of ours needs more than a year


class ConfigError(UsageError):
    """A config file is missing, unreadable or invalid; the message names the key (exit 2)."""


def parse_interval(text: str | int | float, key: str = "interval", *, allow_zero: bool = False) -> float:
    """'90s', '5m', '1h', '1.5h', 300 → seconds (float > 0; >= 0 with ``allow_zero``)."""
    if isinstance(text, bool):
        raise ConfigError(f"{key}: expected a duration like '5m', got {text!r}")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        match = _INTERVAL_RE.match(str(text))
        if not match:
            raise ConfigError(f"{key}: expected a duration like '90s', '5m' or '1h', got {text!r}")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise ConfigError(f"{key}: must be a finite duration of at most 366 days, got {text!r}")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(f"{key}: must be positive, got {text!r}")
    return seconds


@dataclass(frozen=True)
class ArchiveSettings:
    database: Path
    posts_dir: Path
    busy_timeout: float = 30.0  # seconds to wait for another process's write lock before giving up
    post_tags: bool = False  # posts carry a ``tags:`` list (the companies an article is about)
    stock_list: Path | None = None  # a user's code,name list (``newsroll stocks load``); None = beside the database
    keep_raw: str = "all"  # raw pages kept: "all", "none" or "<days>" (archive.rawpages.parse_keep_raw)

    @property
    def stock_list_path(self) -> Path:
        """Where the user's stock list is (or would be) kept: ``stocks.csv`` beside the database by default."""
        return self.stock_list or self.database.parent / "stocks.csv"


@dataclass(frozen=True)
class ScheduleSettings:
    interval: float = 300.0
    jitter: float | None = None  # seconds; None = 10% of each feed's interval
    timezone: str = "Asia/Shanghai"
    misfire_grace_time: float = 60.0
    max_backoff: float = 6 * 3600.0
    shutdown_timeout: float = 30.0
    min_interval: float = 60.0
    max_interval: float = 6 * 3600.0
    startup_spread: float | None = None  # seconds; None = each feed's interval, 0 = no spread


@dataclass(frozen=True)
class FeedConfig:
    name: str
    site: str
    category: str
    kind: str
    url: str
    full_text: bool = True
    interval: float | None = None  # seconds; None = schedule default
    cron: str | None = None
    timezone: str | None = None
    enabled: bool = True
    rules: str | None = None
    default_image: str | None = None
    adaptive: bool = False
    min_interval: float | None = None
    max_interval: float | None = None
    obey_robots: bool | None = None  # None = http.obey_robots
    jitter: float | None = None  # seconds; None = schedule.jitter capped at 10% of the interval
    route: str | None = None  # kind "rsshub": the route as configured (url = [rsshub] base + route)


@dataclass(frozen=True)
class RsshubSettings:
    """``[rsshub]``: the instance that ``route = "/..."`` feeds read, and its optional access key."""

    base: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Settings:
    path: Path
    archive: ArchiveSettings
    http: HttpSettings
    schedule: ScheduleSettings
    feeds: tuple[FeedConfig, ...]
    default_image: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    rsshub: RsshubSettings = RsshubSettings()

    def feed(self, name: str) -> FeedConfig:
        for feed in self.feeds:
            if feed.name == name:
                return feed
        known = ", ".join(f.name for f in self.feeds) or "none"
        raise ConfigError(f"unknown feed {name!r} (configured: {known})")
