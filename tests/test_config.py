"""Config loading: defaults, validation errors that name the key, relative paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.config import ConfigError, load_settings, parse_interval

ROOT = Path(__file__).resolve().parent.parent

FEED = """
[[feeds]]
name = "a"
site = "S"
category = "金融"
kind = "feed"
url = "http://127.0.0.1/feed.xml"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_with_the_seed_feed() -> None:
    settings = load_settings(ROOT / "config.toml")
    names = [f.name for f in settings.feeds]
    assert "新浪财经－国內" in names
    seed = settings.feed("新浪财经－国內")
    assert (seed.site, seed.category, seed.kind) == ("新浪财经", "金融", "sina_roll")
    assert seed.url == "https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50"
    lids = {f.url.split("lid=")[1].split("&")[0] for f in settings.feeds if f.kind == "sina_roll"}
    assert lids == {"1686", "1687", "1688", "1689", "1690", "3231"}
    assert sum(f.kind == "feed" for f in settings.feeds) >= 4
    assert settings.http.per_host_concurrency == 2


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[archive]\ndatabase = "x/a.db"\n' + FEED))
    assert settings.archive.database == tmp_path.resolve() / "x" / "a.db"
    assert settings.archive.posts_dir == tmp_path.resolve() / "data" / "posts"
    assert settings.feeds[0].interval is None and settings.feeds[0].full_text is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[archive]\ndatabse = 'x'\n", "archive.databse: unknown key"),
        ("[http]\ntimeout = 'fast'\n", "http.timeout: expected float"),
        ("[http]\nmax_attempts = 0\n", "http.max_attempts: must be at least 1"),
        ("[http]\nfoo = 1\n", "http.foo: unknown key"),
        (FEED.replace('kind = "feed"', 'kind = "rss"'), "kind: expected one of feed, sina_roll"),
        (FEED.replace('site = "S"\n', ""), "site: missing required key"),
        (FEED.replace('url = "http://127.0.0.1/feed.xml"', "url = 5"), "url: expected str"),
        (FEED + 'interval = "soon"\n', "interval: expected a duration"),
        (FEED + 'colour = "red"\n', "colour: unknown key"),
        (FEED + FEED, "duplicate feed name 'a'"),
        (FEED + 'cron = "61 * * * *"\n', "cron: invalid cron expression"),
        (FEED + 'timezone = "Mars/Base"\n', "timezone: unknown time zone"),
        ("[archive\n", "invalid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("5m", 300), ("1h", 3600), ("1.5h", 5400), (45, 45)])
def test_intervals(text: str | int, seconds: float) -> None:
    assert parse_interval(text) == seconds
