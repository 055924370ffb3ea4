"""Load and validate ``config.toml``.

Configuration is data: every default lives here, every key is checked on load, and an error names
the offending key in one line (``ConfigError``). Relative paths resolve against the folder of the
config file, so a config works from any working directory. The records themselves live in
:mod:`jobs.settings` and are re-exported here.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.rawpages import parse_keep_raw
from jobs.settings import (
    MAX_SECONDS,
    ArchiveSettings,
    ConfigError,
    FeedConfig,
    RsshubSettings,
    ScheduleSettings,
    Settings,
    parse_interval,
)
from scraper.models import HttpSettings
from scraper.sources import get_source, source_kinds

FEED_KINDS = ("feed", "sina_roll", *source_kinds())  # plus every registered wire (scraper.sources)

__all__ = [
    "FEED_KINDS", "MAX_SECONDS", "ArchiveSettings", "ConfigError", "FeedConfig", "RsshubSettings",
    "ScheduleSettings", "Settings", "load_settings", "parse_interval", "settings_from_dict",
]

_TOP_KEYS = {"archive", "http", "feeds", "schedule", "defaults", "rsshub"}
_ARCHIVE_KEYS: dict[str, Any] = {"database": str, "posts_dir": str, "busy_timeout": (str, int, float),
                                  "post_tags": bool, "stock_list": str, "keep_raw": str}
_DEFAULT_KEYS = {"image": str}


def _check_type(key: str, value: Any, expected: Any) -> None:
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif expected is bool:
        ok = isinstance(value, bool)
    elif expected is str:
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, expected)
    if not ok:
        name = getattr(expected, "__name__", str(expected))
        raise ConfigError(f"{key}: expected {name}, got {type(value).__name__} {value!r}")


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _load_http(table: dict[str, Any]) -> HttpSettings:
    types: dict[str, Any] = {}
    for f in fields(HttpSettings):
        default = getattr(HttpSettings(), f.name)
        types[f.name] = type(default) if not isinstance(default, float) else float
    _check_keys(table, set(types), "http")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = types[key]
        if expected is tuple:
            if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
                raise ConfigError(f"http.{key}: expected a list of integers, got {value!r}")
            value = tuple(value)
        else:
            _check_type(f"http.{key}", value, expected)
            if expected is float:
                value = float(value)
        values[key] = value
    for key in ("timeout", "per_host_interval", "retry_after_cap", "backoff_base", "backoff_max", "robots_ttl"):
        if key in values and not (math.isfinite(values[key]) and 0 <= values[key] <= MAX_SECONDS):
            raise ConfigError(f"http.{key}: must be a number of seconds from 0 to {MAX_SECONDS:.0f}, "
                              f"got {values[key]!r}")
    for key, limit in (("max_attempts", 100), ("per_host_concurrency", 1000), ("max_redirects", 100),
                       ("max_response_bytes", 2**40)):
        if key in values and values[key] > limit:
            raise ConfigError(f"http.{key}: must be at most {limit}, got {values[key]!r}")
    if "user_agent" in values:
        agent = values["user_agent"]
        if not agent.strip() or not agent.isascii() or any(not ch.isprintable() for ch in agent):
            raise ConfigError(f"http.user_agent: must be printable ASCII (an HTTP header), got {agent!r}")
    for key in ("max_attempts", "per_host_concurrency", "max_response_bytes"):
        if key in values and values[key] < 1:
            raise ConfigError(f"http.{key}: must be at least 1, got {values[key]!r}")
    if "timeout" in values and values["timeout"] == 0:
        raise ConfigError("http.timeout: must be positive")
    return HttpSettings(**values)


def _check_timezone(key: str, name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{key}: unknown time zone {name!r}") from exc


def _load_schedule(table: dict[str, Any]) -> ScheduleSettings:
    allowed = {f.name for f in fields(ScheduleSettings)}
    _check_keys(table, allowed, "schedule")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "timezone":
            _check_type("schedule.timezone", value, str)
            _check_timezone("schedule.timezone", value)
            values[key] = value
        else:
            values[key] = parse_interval(value, f"schedule.{key}", allow_zero=key in _ZERO_OK)
    schedule = ScheduleSettings(**values)
    if schedule.min_interval > schedule.max_interval:
        raise ConfigError("schedule.min_interval: must not exceed schedule.max_interval")
    return schedule


_ZERO_OK = {"jitter", "startup_spread"}


_FEED_TYPES: dict[str, Any] = {
    "name": str, "site": str, "category": str, "kind": str, "url": str, "full_text": bool,
    "interval": (str, int, float), "cron": str, "timezone": str, "enabled": bool, "rules": str,
    "default_image": str, "adaptive": bool, "min_interval": (str, int, float),
    "max_interval": (str, int, float), "obey_robots": bool, "jitter": (str, int, float), "route": str,
}
_FEED_REQUIRED = ("name", "site", "category", "kind")
_NO_RSSHUB = RsshubSettings()


def _load_rsshub(table: Any) -> RsshubSettings:
    if not isinstance(table, dict):
        raise ConfigError("rsshub: expected a table")
    _check_keys(table, {"base", "key"}, "rsshub")
    for key in ("base", "key"):
        if key in table:
            _check_type(f"rsshub.{key}", table[key], str)
    base = table.get("base")
    if base is not None and not re.match(r"^https?://[^/?#]+", base):
        raise ConfigError(f"rsshub.base: expected an http(s) URL, got {base!r}")
    return RsshubSettings(base=base.rstrip("/") if base else None, key=table.get("key") or None)


def _rsshub_url(label: str, values: dict[str, Any], rsshub: RsshubSettings) -> str:
    """The feed's url: ``url`` as given, or ``[rsshub] base`` + ``route``; the access key appended."""
    if "route" in values:
        if values["kind"] != "rsshub":
            raise ConfigError(f"{label}.route: only for kind = \"rsshub\"")
        if "url" in values:
            raise ConfigError(f"{label}: set either url or route, not both")
        if not rsshub.base:
            raise ConfigError(f"{label}.route: needs [rsshub] base (the RSSHub instance's address)")
        route = values["route"].strip()
        values["url"] = rsshub.base + (route if route.startswith("/") else "/" + route)
    url = str(values["url"])
    if values["kind"] == "rsshub" and rsshub.key and "key=" not in url.partition("?")[2] \
            and (not rsshub.base or url.startswith(rsshub.base)):
        url += ("&" if "?" in url else "?") + urlencode({"key": rsshub.key})
    return url


def _load_feed(index: int, table: Any, rsshub: RsshubSettings = _NO_RSSHUB) -> FeedConfig:
    where = f"feeds[{index}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table ([[feeds]]), got {type(table).__name__}")
    label = f"feeds[{index}]" if "name" not in table else f"feeds[{index}] ({table['name']!r})"
    _check_keys(table, set(_FEED_TYPES), label)
    for key in _FEED_REQUIRED:
        if key not in table:
            raise ConfigError(f"{label}.{key}: missing required key")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _FEED_TYPES[key]
        if isinstance(expected, tuple):
            if isinstance(value, bool) or not isinstance(value, expected):
                raise ConfigError(f"{label}.{key}: expected a duration like '5m', got {value!r}")
            values[key] = parse_interval(value, f"{label}.{key}", allow_zero=key in _ZERO_OK)
        else:
            _check_type(f"{label}.{key}", value, expected)
            values[key] = value
    if "url" not in values and "route" not in values:
        raise ConfigError(f"{label}.url: missing required key")
    for key in ("name", "site", "category", "url", "route"):
        if key in values and not values[key].strip():
            raise ConfigError(f"{label}.{key}: must not be empty")
    if values["kind"] not in FEED_KINDS:
        raise ConfigError(f"{label}.kind: expected one of {', '.join(FEED_KINDS)}, got {values['kind']!r}")
    values["url"] = _rsshub_url(label, values, rsshub)
    if values["kind"] == "rsshub":  # routes carry the whole text: fetch pages only when asked to
        values.setdefault("full_text", False)
    if values["kind"] in source_kinds() and "interval" not in values and "cron" not in values:
        values["interval"] = get_source(values["kind"]).default_interval
    if not re.match(r"^https?://", values["url"]):
        raise ConfigError(f"{label}.url: expected an http(s) URL, got {values['url']!r}")
    if "timezone" in values:
        _check_timezone(f"{label}.timezone", values["timezone"])
    if "cron" in values:
        _check_cron(f"{label}.cron", values["cron"], values.get("timezone"))
        if "interval" in values:
            raise ConfigError(f"{label}: set either interval or cron, not both")
        if values.get("adaptive"):
            raise ConfigError(f"{label}.adaptive: applies to interval feeds, not cron feeds")
    if values.get("min_interval", 0) > values.get("max_interval", float("inf")):
        raise ConfigError(f"{label}.min_interval: must not exceed max_interval")
    return FeedConfig(**values)


def _check_cron(key: str, expression: str, timezone: str | None) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(expression, timezone=timezone or "UTC")
    except ValueError as exc:
        raise ConfigError(f"{key}: invalid cron expression {expression!r}: {exc}") from exc


def load_settings(path: str | Path) -> Settings:
    """Read and validate a config file. Raises ConfigError (one line, naming the key)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return settings_from_dict(data, path)


def settings_from_dict(data: dict[str, Any], path: Path) -> Settings:
    _check_keys(data, _TOP_KEYS, "config")
    base = path.resolve().parent
    archive_table = data.get("archive", {})
    if not isinstance(archive_table, dict):
        raise ConfigError("archive: expected a table")
    _check_keys(archive_table, set(_ARCHIVE_KEYS), "archive")
    for key in ("database", "posts_dir", "stock_list"):
        if key in archive_table:
            _check_type(f"archive.{key}", archive_table[key], str)
            if not archive_table[key].strip() or "\x00" in archive_table[key]:
                raise ConfigError(f"archive.{key}: must be a path, got {archive_table[key]!r}")
    if "post_tags" in archive_table:
        _check_type("archive.post_tags", archive_table["post_tags"], bool)
    busy_timeout = 30.0
    if "busy_timeout" in archive_table:
        value = archive_table["busy_timeout"]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(f"archive.busy_timeout: expected a duration like '30s', got {value!r}")
        busy_timeout = parse_interval(value, "archive.busy_timeout")
    keep_raw = archive_table.get("keep_raw", "all")
    if "keep_raw" in archive_table:
        _check_type("archive.keep_raw", keep_raw, str)
    try:
        parse_keep_raw(keep_raw)
    except ValueError as exc:
        raise ConfigError(f"archive.{exc}") from exc
    archive = ArchiveSettings(
        database=base / archive_table.get("database", "data/archive.db"),
        posts_dir=base / archive_table.get("posts_dir", "data/posts"),
        busy_timeout=busy_timeout,
        post_tags=archive_table.get("post_tags", False),
        stock_list=base / archive_table["stock_list"] if "stock_list" in archive_table else None,
        keep_raw=keep_raw.strip().lower(),
    )
    for key in ("http", "schedule", "defaults"):
        if not isinstance(data.get(key, {}), dict):
            raise ConfigError(f"{key}: expected a table")
    defaults = data.get("defaults", {})
    _check_keys(defaults, set(_DEFAULT_KEYS), "defaults")
    if "image" in defaults:
        _check_type("defaults.image", defaults["image"], str)
    feeds_raw = data.get("feeds", [])
    if not isinstance(feeds_raw, list):
        raise ConfigError("feeds: expected an array of tables ([[feeds]])")
    rsshub = _load_rsshub(data.get("rsshub", {}))
    feeds = tuple(_load_feed(i, t, rsshub) for i, t in enumerate(feeds_raw))
    seen: set[str] = set()
    for feed in feeds:
        if feed.name in seen:
            raise ConfigError(f"feeds.name: duplicate feed name {feed.name!r}")
        seen.add(feed.name)
    return Settings(
        path=path,
        archive=archive,
        http=_load_http(data.get("http", {})),
        schedule=_load_schedule(data.get("schedule", {})),
        feeds=feeds,
        default_image=defaults.get("image"),
        rsshub=rsshub,
    )
