"""Build the daemon's scheduler from the config: pure, inspectable without starting it.

    Settings ─▶ feed_plan(feed) ─▶ FeedPlan (trigger, interval, jitter, first run) ─▶ add_feed_jobs()

One APScheduler job per enabled feed, with ``max_instances=1`` (a feed never runs twice at once),
``coalesce=True`` (missed runs collapse into one) and ``misfire_grace_time`` from ``[schedule]``.
A feed polls on an ``interval`` ("90s", "5m") or a ``cron`` expression in its time zone; feeds
with neither use ``schedule.interval``. Jitter defaults to ``schedule.jitter`` capped at 10% of the
feed's interval (or 10% of the interval when unset); APScheduler adds ``uniform(0, jitter)``, so
two polls of one feed are never closer than its interval.

Start-up spreads the first polls: the i-th of n interval feeds starts ``i/n`` of the way through
its first interval (capped by ``schedule.startup_spread``), so a restart never fires every feed at
once. A feed polled recently, or in backoff, starts when it is due, not earlier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs.config import FeedConfig, ScheduleSettings, Settings

logger = logging.getLogger(__name__)

JITTER_SHARE = 0.10  # default jitter: at most this share of a feed's interval
JOB_PREFIX = "feed:"


@dataclass(frozen=True)
class FeedPlan:
    """How one feed is scheduled (everything the daemon and `newsroll feeds` need to know)."""

    name: str
    kind: str  # "interval" | "cron"
    interval: float  # seconds: the configured interval, or the typical gap of the cron expression
    jitter: float  # seconds (0 = none)
    timezone: str
    cron: str | None = None
    adaptive: bool = False
    min_interval: float = 60.0
    max_interval: float = 6 * 3600.0
    max_backoff: float = 6 * 3600.0

    @property
    def job_id(self) -> str:
        return JOB_PREFIX + self.name


def job_id(feed_name: str) -> str:
    return JOB_PREFIX + feed_name


def feed_timezone(feed: FeedConfig, schedule: ScheduleSettings) -> str:
    return feed.timezone or schedule.timezone


def default_jitter(interval: float, schedule: ScheduleSettings, feed: FeedConfig) -> float:
    """A feed's own ``jitter`` wins; else ``schedule.jitter`` capped at 10% of the interval."""
    if feed.jitter is not None:
        return feed.jitter
    cap = interval * JITTER_SHARE
    return cap if schedule.jitter is None else min(schedule.jitter, cap)


def cron_trigger(expression: str, timezone: str, jitter: float | None = None) -> CronTrigger:
    trigger = CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))
    if jitter:
        trigger.jitter = jitter
    return trigger


def cron_gap(expression: str, timezone: str, now: datetime) -> float:
    """The typical gap between two fire times of a cron expression (seconds), seen from ``now``.

    The shortest of the next few gaps: ``*/5 9-15 * * mon-fri`` is 5 minutes, not the weekend.
    """
    trigger = cron_trigger(expression, timezone)
    times: list[datetime] = []
    previous: datetime | None = None
    for _ in range(6):
        fire = trigger.get_next_fire_time(previous, previous or now)
        if fire is None:
            break
        times.append(fire)
        previous = fire
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    return min(gaps) if gaps else 86400.0


def feed_plan(feed: FeedConfig, schedule: ScheduleSettings, now: datetime) -> FeedPlan:
    """The schedule of one feed, from its config and the ``[schedule]`` defaults."""
    zone = feed_timezone(feed, schedule)
    if feed.cron:
        interval = cron_gap(feed.cron, zone, now)
        kind = "cron"
    else:
        interval = feed.interval or schedule.interval
        kind = "interval"
    lo = feed.min_interval if feed.min_interval is not None else min(schedule.min_interval, interval)
    hi = feed.max_interval if feed.max_interval is not None else max(schedule.max_interval, interval)
    return FeedPlan(
        name=feed.name, kind=kind, interval=interval, jitter=default_jitter(interval, schedule, feed),
        timezone=zone, cron=feed.cron, adaptive=feed.adaptive, min_interval=lo, max_interval=hi,
        max_backoff=max(schedule.max_backoff, interval),
    )


def build_trigger(plan: FeedPlan, start: datetime) -> BaseTrigger:
    """The APScheduler trigger of a plan; interval triggers count from ``start`` (the first poll)."""
    if plan.kind == "cron":
        assert plan.cron is not None
        return cron_trigger(plan.cron, plan.timezone, plan.jitter)
    return IntervalTrigger(seconds=plan.interval, start_date=start, timezone=ZoneInfo(plan.timezone),
                           jitter=plan.jitter or None)


def spread_offset(index: int, count: int, interval: float, spread: float | None) -> float:
    """Seconds after start-up for the first poll of the ``index``-th of ``count`` interval feeds."""
    window = interval if spread is None else min(interval, spread)
    return window * index / count if count > 0 else 0.0


def first_run(plan: FeedPlan, *, now: datetime, offset: float, last_attempt: datetime | None = None,
              hold_until: datetime | None = None) -> datetime:
    """When a feed's first poll after start-up happens.

    Cron feeds follow their expression. Interval feeds start at ``now + offset`` (the start-up
    spread) unless their last attempt plus the interval, or a stored backoff / Retry-After
    (``hold_until``), is later.
    """
    if plan.kind == "cron":
        trigger = cron_trigger(plan.cron or "", plan.timezone)
        fire = trigger.get_next_fire_time(None, max(now, hold_until or now))
        return fire or now + timedelta(seconds=plan.interval)
    start = now + timedelta(seconds=offset)
    if last_attempt is not None:  # (a clock that jumped back never delays it past one interval)
        due = last_attempt + timedelta(seconds=plan.interval)
        start = max(start, min(due, now + timedelta(seconds=plan.interval)))
    if hold_until is not None:
        start = max(start, hold_until)
    return start


def next_fire_after(plan: FeedPlan, moment: datetime) -> datetime:
    """The first time at or after ``moment`` the feed's schedule allows (cron snaps to its grid)."""
    if plan.kind == "cron":
        fire = cron_trigger(plan.cron or "", plan.timezone).get_next_fire_time(None, moment)
        return fire or moment
    return moment


@dataclass(frozen=True)
class StartState:
    """What the archive remembers of a feed that matters for its first poll."""

    last_attempt: datetime | None = None
    hold_until: datetime | None = None  # backoff_until / retry_after_until, whichever is later
    disabled: bool = False  # 410 Gone: not scheduled until its URL changes


def plan_feeds(settings: Settings, now: datetime) -> list[FeedPlan]:
    """Plans of every enabled feed, in config order."""
    return [feed_plan(feed, settings.schedule, now) for feed in settings.feeds if feed.enabled]


def add_feed_jobs(
    scheduler: BaseScheduler,
    settings: Settings,
    func: Callable[..., Any],
    *,
    now: datetime,
    states: Callable[[str], StartState] = lambda name: StartState(),
    only: Sequence[str] | None = None,
) -> list[FeedPlan]:
    """Add one job per enabled feed (or per feed named in ``only``) to a (not yet started) scheduler.

    ``func(name)`` is the job; ``states(name)`` tells what the archive remembers. Feeds disabled by
    a 410 are skipped. Returns the plans of the jobs added.
    """
    plans = [p for p in plan_feeds(settings, now) if only is None or p.name in only]
    interval_plans = [p for p in plans if p.kind == "interval"]
    added: list[FeedPlan] = []
    for plan in plans:
        state = states(plan.name)
        if state.disabled:
            logger.warning("%s: disabled (410 Gone); change its url in the config to poll it again", plan.name)
            continue
        offset = 0.0
        if plan.kind == "interval":
            offset = spread_offset(interval_plans.index(plan), len(interval_plans), plan.interval,
                                   settings.schedule.startup_spread)
        start = first_run(plan, now=now, offset=offset, last_attempt=state.last_attempt,
                          hold_until=state.hold_until)
        scheduler.add_job(
            func, build_trigger(plan, start), args=(plan.name,), id=plan.job_id, name=plan.name,
            max_instances=1, coalesce=True, misfire_grace_time=int(settings.schedule.misfire_grace_time) or 1,
            next_run_time=start, replace_existing=True,
        )
        added.append(plan)
    return added


def describe_jobs(scheduler: BaseScheduler) -> list[dict[str, Any]]:
    """A plain view of the scheduler's jobs (for tests and debugging), without starting it."""
    rows = []
    for job in scheduler.get_jobs():
        rows.append({
            "id": job.id, "name": job.name, "trigger": str(job.trigger), "next_run_time": job.next_run_time,
            "max_instances": job.max_instances, "coalesce": job.coalesce,
            "misfire_grace_time": job.misfire_grace_time, "jitter": getattr(job.trigger, "jitter", None),
        })
    return rows
