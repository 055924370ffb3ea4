"""The foreground daemon behind ``newsroll run``: APScheduler on an event loop it owns.

    run_daemon(settings) ─▶ lock held by the caller ─▶ Archive + Fetcher (once, loop thread only)
        ─▶ AsyncIOScheduler: one job per enabled feed (jobs.daemon.schedule) ─▶ FeedRunner (jobs.daemon.feedrun)
        ─▶ SIGTERM/SIGINT: stop scheduling, wait for in-flight polls (schedule.shutdown_timeout),
           close the fetcher and the archive, exit 0; a second signal exits at once (128 + signal)
        ─▶ SIGHUP: reload the config; feeds added, removed or changed take effect, a bad config
           is logged and the running one kept

Every poll runs as a task on this loop, so the archive's SQLite connection is only ever used from
the loop thread, and a signal handler (also on the loop) never runs in the middle of a write.
Even the forced exit is safe: SQLite transactions roll back and post files are written atomically.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from archive import Archive
from jobs.compose import poll_context
from jobs.config import ConfigError, FeedConfig, Settings, load_settings
from jobs.daemon.backoff import feed_hold
from jobs.daemon.feedrun import FeedRunner
from jobs.daemon.schedule import FeedPlan, StartState, add_feed_jobs, feed_plan, job_id
from jobs.pipeline import PollContext

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def build_scheduler(settings: Settings, loop: asyncio.AbstractEventLoop | None = None) -> AsyncIOScheduler:
    """An AsyncIOScheduler with the daemon's job defaults (not started)."""
    defaults = {"max_instances": 1, "coalesce": True,
                "misfire_grace_time": int(settings.schedule.misfire_grace_time) or 1}
    options: dict[str, Any] = {"timezone": ZoneInfo(settings.schedule.timezone), "job_defaults": defaults}
    if loop is not None:
        options["event_loop"] = loop
    return AsyncIOScheduler(**options)


def start_state(archive: Archive, feed: FeedConfig) -> StartState:
    """What the archive remembers of a feed that decides its first poll after start-up."""
    state = archive.feed_state(feed.name)
    if state is None:
        return StartState()
    hold = feed_hold(state, feed.url)
    return StartState(last_attempt=state.last_attempt, hold_until=hold.backoff_until, disabled=hold.disabled)


class Daemon:
    """Schedules every enabled feed until stopped. Create and run it on the loop that owns it."""

    def __init__(self, settings: Settings, ctx: PollContext, *, config_path: Path | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.ctx = ctx
        self.config_path = config_path
        self.clock = clock
        self.runner = FeedRunner(ctx)
        self.plans: dict[str, FeedPlan] = {}
        self.scheduler = build_scheduler(settings, asyncio.get_running_loop())
        self._stop = asyncio.Event()
        self._inflight: set[asyncio.Task[Any]] = set()
        self._fired_at: dict[str, datetime] = {}  # job id -> when the scheduler meant its run to start
        self.scheduler.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        self.stop_signal: int | None = None

    def _submitted(self, event: JobSubmissionEvent) -> None:
        if event.scheduled_run_times:
            self._fired_at[event.job_id] = max(event.scheduled_run_times)

    # -- life cycle ---------------------------------------------------------------------------
    async def run(self) -> int:
        """Run until SIGTERM/SIGINT (or :meth:`request_stop`); returns the exit code (0)."""
        self._schedule(self.settings, None)
        self._install_signals()
        self.scheduler.start()
        logger.info("daemon started: %d feed(s) scheduled, pid %d", len(self.plans), os.getpid(),
                    extra={"fields": {"feeds": len(self.plans), "pid": os.getpid()}})
        try:
            await self._stop.wait()
            await self._drain()
        finally:
            self._remove_signals()
        logger.info("daemon stopped cleanly", extra={"fields": {"signal": self.stop_signal}})
        return 0

    def request_stop(self, signum: int | None = None) -> None:
        """First stop request: stop scheduling and let in-flight polls finish. Second: exit now."""
        if self._stop.is_set():
            self._force_exit(signum)
            return
        self.stop_signal = signum
        name = signal.Signals(signum).name if signum else "request"
        logger.info("%s: stopping; waiting up to %.0fs for %d poll(s) in flight (send it again to exit now)",
                    name, self.settings.schedule.shutdown_timeout, len(self._inflight))
        self.scheduler.pause()
        self._stop.set()

    def _force_exit(self, signum: int | None) -> None:
        code = 128 + (signum or signal.SIGTERM)
        logger.warning("second stop signal: exiting now with %d (the archive stays consistent)", code)
        logging.shutdown()
        sys.stderr.flush()
        os._exit(code)

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # a poll submitted just before the stop registers itself first
        pending = {task for task in self._inflight if not task.done()}
        if pending:
            _, late = await asyncio.wait(pending, timeout=self.settings.schedule.shutdown_timeout)
            for task in late:
                logger.warning("shutdown deadline passed; cancelling a poll still in flight")
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=5)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler.shutdown runs on the next loop iteration

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self.request_stop, signum)
        loop.add_signal_handler(signal.SIGHUP, self.reload)

    def _remove_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (*STOP_SIGNALS, signal.SIGHUP):
            loop.remove_signal_handler(signum)

    # -- jobs ---------------------------------------------------------------------------------
    def _schedule(self, settings: Settings, only: list[str] | None) -> list[FeedPlan]:
        feeds = {feed.name: feed for feed in settings.feeds}
        plans = add_feed_jobs(self.scheduler, settings, self._job, now=self.clock(),
                              states=lambda name: start_state(self.ctx.archive, feeds[name]), only=only)
        for plan in plans:
            self.plans[plan.name] = plan
            job = self.scheduler.get_job(plan.job_id)
            logger.debug("%s: %s every %.0fs (jitter %.1fs), first poll %s", plan.name, plan.kind,
                         plan.interval, plan.jitter, job.next_run_time if job else "?")
        return plans

    async def _job(self, name: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await self._run_feed(name)
        except asyncio.CancelledError:
            logger.warning("%s: poll cancelled at shutdown (it will run again next start)", name)
        except Exception:  # one bad feed never sinks the scheduler
            logger.exception("%s: unexpected error in the feed's run", name)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _run_feed(self, name: str) -> None:
        plan = self.plans.get(name)
        feed = next((f for f in self.settings.feeds if f.name == name), None)
        if plan is None or feed is None:
            return
        def trigger_next() -> datetime | None:
            job = self.scheduler.get_job(plan.job_id)
            return job.next_run_time if job is not None else None

        result = await self.runner.run(feed, plan, scheduled=trigger_next,
                                       fired_at=self._fired_at.pop(plan.job_id, None))
        job = self.scheduler.get_job(plan.job_id)
        if job is None or self.plans.get(name) is not plan:  # removed or changed by a reload meanwhile
            return
        decision = result.decision
        if decision.next_run is None:
            logger.warning("%s: disabled; not scheduled any more (%s)", name, result.report.error)
            self.scheduler.remove_job(plan.job_id)
            self.plans.pop(name, None)
        elif decision.next_run != job.next_run_time:
            self.scheduler.modify_job(plan.job_id, next_run_time=decision.next_run)

    # -- reload -------------------------------------------------------------------------------
    def reload(self) -> None:
        """SIGHUP: apply a new config's feeds; keep the running config if the new one is invalid."""
        if self.config_path is None or self._stop.is_set():
            return
        try:
            new = load_settings(self.config_path)
        except ConfigError as exc:
            logger.error("config reload failed; keeping the running config: %s", exc)
            return
        try:
            self.apply_settings(new)
        except Exception:  # never let a reload take the daemon down
            logger.exception("config reload failed while rescheduling; some feeds may keep the old schedule")

    def apply_settings(self, new: Settings) -> None:
        """Reschedule feeds that were added, removed or changed in ``new``."""
        old_feeds = {f.name: f for f in self.settings.feeds}
        now = self.clock()
        enabled = {f.name: f for f in new.feeds if f.enabled}
        removed = [name for name in self.plans if name not in enabled]
        changed = [name for name, feed in enabled.items()
                   if name not in self.plans or old_feeds.get(name) != feed
                   or feed_plan(feed, new.schedule, now) != self.plans[name]]
        for name in removed:
            self._unschedule(name)
        for name in changed:
            self._unschedule(name)
        if new.archive != self.settings.archive or new.http != self.settings.http:
            logger.warning("config reload: [archive] and [http] changes take effect after a restart")
            new = _keep(new, archive=self.settings.archive, http=self.settings.http)
        self.settings = new
        self.ctx.settings = new
        added = [plan.name for plan in self._schedule(new, changed)] if changed else []
        logger.info("config reloaded: %d feed(s) scheduled (%d added or changed, %d removed)",
                    len(self.plans), len(added), len(removed),
                    extra={"fields": {"feeds": len(self.plans), "changed": added, "removed": removed}})

    def _unschedule(self, name: str) -> None:
        self.plans.pop(name, None)
        self.runner.forget(name)
        if self.scheduler.get_job(job_id(name)) is not None:
            self.scheduler.remove_job(job_id(name))


def _keep(settings: Settings, **parts: Any) -> Settings:
    return dataclasses.replace(settings, **parts)


CHATTY_LOGGERS = ("apscheduler.scheduler", "scraper.fetch", "archive.archive")


def quiet_per_request_logs() -> None:
    """At INFO the daemon logs one line per feed run; per-request/per-store lines only at DEBUG."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


async def run_daemon(settings: Settings, *, config_path: Path | None = None) -> int:
    """Open the archive and the fetcher on this loop, run the daemon, close both. Returns 0."""
    from jobs.pipeline import stock_directory

    quiet_per_request_logs()
    stock_directory(settings)  # build the company list now, not inside the first polls
    async with poll_context(settings) as ctx:
        return await Daemon(settings, ctx, config_path=config_path).run()
