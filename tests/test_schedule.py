"""The scheduler built from a config and inspected without starting it (jobs, triggers, defaults)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs.config import ConfigError, load_settings
from jobs.daemon.schedule import (
    StartState,
    add_feed_jobs,
    cron_gap,
    describe_jobs,
    feed_plan,
    first_run,
    next_fire_after,
    spread_offset,
)
from jobs.daemon.service import build_scheduler

NOW = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai


def feed(name: str, extra: str = "") -> str:
    return (f'[[feeds]]\nname = "{name}"\nsite = "S"\ncategory = "金融"\nkind = "feed"\n'
            f'url = "http://127.0.0.1/{name}.xml"\n{extra}')


def load(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


async def _noop(name: str) -> None:
    return None


CONFIG = "\n".join([
    '[schedule]\ninterval = "10m"\ntimezone = "Asia/Shanghai"\nmisfire_grace_time = "45s"\n',
    feed("plain"),
    feed("fast", 'interval = "90s"\n'),
    feed("hourly", 'interval = "1h"\njitter = "2m"\n'),
    feed("trading", 'cron = "*/5 9-15 * * mon-fri"\n'),
    feed("ny", 'cron = "0 * * * *"\ntimezone = "America/New_York"\n'),
    feed("off", 'enabled = false\n'),
])


def jobs_by_name(tmp_path: Path, text: str = CONFIG, **kwargs):
    settings = load(tmp_path, text)
    scheduler = build_scheduler(settings)
    plans = add_feed_jobs(scheduler, settings, _noop, now=NOW, **kwargs)
    return settings, scheduler, plans, {row["name"]: row for row in describe_jobs(scheduler)}


def test_one_job_per_enabled_feed_with_the_daemon_defaults(tmp_path: Path) -> None:
    _, scheduler, plans, jobs = jobs_by_name(tmp_path)
    assert not scheduler.running
    assert sorted(jobs) == ["fast", "hourly", "ny", "plain", "trading"]  # "off" is disabled
    assert [p.name for p in plans] == ["plain", "fast", "hourly", "trading", "ny"]
    for row in jobs.values():
        assert row["id"] == "feed:" + row["name"]
        assert row["max_instances"] == 1
        assert row["coalesce"] is True
        assert row["misfire_grace_time"] == 45
    job = scheduler.get_job("feed:fast")
    assert job.args == ("fast",) and job.func is _noop


def test_interval_triggers_use_the_feed_or_the_schedule_default(tmp_path: Path) -> None:
    _, scheduler, _, _ = jobs_by_name(tmp_path)
    plain, fast, hourly = (scheduler.get_job(f"feed:{n}").trigger for n in ("plain", "fast", "hourly"))
    assert isinstance(plain, IntervalTrigger) and plain.interval == timedelta(minutes=10)
    assert isinstance(fast, IntervalTrigger) and fast.interval == timedelta(seconds=90)
    assert hourly.interval == timedelta(hours=1)


def test_jitter_defaults_to_ten_percent_of_the_interval(tmp_path: Path) -> None:
    _, _, _, jobs = jobs_by_name(tmp_path)
    assert jobs["plain"]["jitter"] == pytest.approx(60.0)
    assert jobs["fast"]["jitter"] == pytest.approx(9.0)
    assert jobs["hourly"]["jitter"] == pytest.approx(120.0)  # the feed's own jitter wins
    assert jobs["trading"]["jitter"] == pytest.approx(30.0)  # 10% of the 5-minute cron gap


def test_schedule_jitter_is_capped_at_ten_percent(tmp_path: Path) -> None:
    text = '[schedule]\njitter = "30s"\n' + feed("short", 'interval = "1m"\n') + feed("long", 'interval = "1h"\n')
    _, _, _, jobs = jobs_by_name(tmp_path, text)
    assert jobs["short"]["jitter"] == pytest.approx(6.0)
    assert jobs["long"]["jitter"] == pytest.approx(30.0)
    text = '[schedule]\njitter = 0\n' + feed("calm")
    _, scheduler, _, jobs = jobs_by_name(tmp_path, text)
    assert jobs["calm"]["jitter"] is None


def test_cron_feeds_fire_in_their_time_zone(tmp_path: Path) -> None:
    _, scheduler, plans, _ = jobs_by_name(tmp_path)
    trading = scheduler.get_job("feed:trading")
    assert isinstance(trading.trigger, CronTrigger)
    assert str(trading.trigger.timezone) == "Asia/Shanghai"
    ny = scheduler.get_job("feed:ny")
    assert str(ny.trigger.timezone) == "America/New_York"
    plan = next(p for p in plans if p.name == "trading")
    assert (plan.kind, plan.interval) == ("cron", 300.0)
    # 09:00 Shanghai on a Monday is a fire time; 16:00 is not: the next is Tuesday 09:00.
    assert trading.next_run_time == NOW
    evening = datetime(2024, 5, 6, 8, 1, tzinfo=UTC)  # 16:01 Shanghai
    assert next_fire_after(plan, evening).astimezone(UTC) == datetime(2024, 5, 7, 1, 0, tzinfo=UTC)


def test_cron_gap_ignores_the_overnight_pause() -> None:
    assert cron_gap("*/5 9-15 * * mon-fri", "Asia/Shanghai", NOW) == 300.0
    assert cron_gap("0 9 * * *", "UTC", NOW) == 86400.0


def test_start_up_spreads_first_polls_over_the_first_interval(tmp_path: Path) -> None:
    text = "".join(feed(f"f{i}", 'interval = "10m"\n') for i in range(5))
    _, _, _, jobs = jobs_by_name(tmp_path, text)
    offsets = sorted((row["next_run_time"] - NOW).total_seconds() for row in jobs.values())
    assert offsets == [0.0, 120.0, 240.0, 360.0, 480.0]


def test_start_up_spread_can_be_narrowed(tmp_path: Path) -> None:
    text = '[schedule]\nstartup_spread = "1m"\n' + "".join(feed(f"f{i}", 'interval = "1h"\n') for i in range(4))
    _, _, _, jobs = jobs_by_name(tmp_path, text)
    offsets = sorted((row["next_run_time"] - NOW).total_seconds() for row in jobs.values())
    assert offsets == [0.0, 15.0, 30.0, 45.0]
    assert spread_offset(3, 4, 3600.0, 0.0) == 0.0


def test_first_poll_waits_for_a_recent_poll_or_a_stored_backoff(tmp_path: Path) -> None:
    states = {
        "plain": StartState(last_attempt=NOW - timedelta(minutes=3)),  # polled 3 minutes ago, every 10
        "fast": StartState(hold_until=NOW + timedelta(hours=1)),  # backing off
        "hourly": StartState(disabled=True),  # 410 Gone
    }
    _, scheduler, plans, jobs = jobs_by_name(tmp_path, states=lambda name: states.get(name, StartState()))
    assert "hourly" not in jobs
    assert jobs["plain"]["next_run_time"] == NOW + timedelta(minutes=7)
    assert jobs["fast"]["next_run_time"] == NOW + timedelta(hours=1)
    # the interval trigger counts from the first poll
    trigger = scheduler.get_job("feed:plain").trigger
    assert trigger.start_date == NOW + timedelta(minutes=7)


def test_first_run_of_a_cron_feed_respects_a_backoff(tmp_path: Path) -> None:
    settings = load(tmp_path, feed("trading", 'cron = "*/5 9-15 * * mon-fri"\n'))
    plan = feed_plan(settings.feeds[0], settings.schedule, NOW)
    start = first_run(plan, now=NOW, offset=0, hold_until=NOW + timedelta(minutes=7))
    assert start == NOW + timedelta(minutes=10)  # the next cron time after the hold


def test_min_max_interval_bounds_for_adaptive_feeds(tmp_path: Path) -> None:
    text = ('[schedule]\nmin_interval = "2m"\nmax_interval = "2h"\n'
            + feed("a", 'interval = "10m"\nadaptive = true\n')
            + feed("b", 'interval = "10m"\nadaptive = true\nmin_interval = "5m"\nmax_interval = "30m"\n'))
    settings = load(tmp_path, text)
    a, b = (feed_plan(f, settings.schedule, NOW) for f in settings.feeds)
    assert (a.adaptive, a.min_interval, a.max_interval) == (True, 120.0, 7200.0)
    assert (b.min_interval, b.max_interval) == (300.0, 1800.0)
    assert a.max_backoff == 6 * 3600.0


@pytest.mark.parametrize(("text", "message"), [
    (feed("x", 'jitter = "soon"\n'), "jitter: expected a duration"),
    (feed("x", 'cron = "0 * * * *"\nadaptive = true\n'), "adaptive: applies to interval feeds"),
    (feed("x", 'min_interval = "1h"\nmax_interval = "1m"\n'), "min_interval: must not exceed max_interval"),
    ('[schedule]\nstartup = "1m"\n', "schedule.startup: unknown key"),
    ('[schedule]\nstartup_spread = "-1m"\n', "schedule.startup_spread: expected a duration"),
    ('[schedule]\nmin_interval = "7h"\n', "schedule.min_interval: must not exceed"),
    ('[schedule]\nmax_backoff = 0\n', "schedule.max_backoff: must be positive"),
])
def test_schedule_config_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_build_scheduler_uses_the_schedule_time_zone(tmp_path: Path) -> None:
    settings = load(tmp_path, '[schedule]\ntimezone = "Europe/London"\n' + feed("a"))
    scheduler = build_scheduler(settings)
    assert isinstance(scheduler, AsyncIOScheduler)
    assert str(scheduler.timezone) == "Europe/London"
    assert scheduler._job_defaults["max_instances"] == 1
    assert scheduler._job_defaults["coalesce"] is True
