"""One scheduled run of one feed: poll, decide the next poll, record it, log one line.

    FeedRunner.run(feed, plan) ─▶ poll_feed() ─▶ next_poll() ─▶ feed state (next_run, backoff_until)
                                                             └▶ one INFO line (feed, status, counts, seconds)

Shared by the daemon (APScheduler job), ``run --once`` and the soak benchmark, so all three make
the same decisions. Runs on the event loop thread only (the archive's SQLite connection is not
thread-safe).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from archive import FeedState
from jobs.config import FeedConfig
from jobs.daemon.backoff import GAPS_KEY, Decision, PollOutcome, next_poll
from jobs.daemon.schedule import FeedPlan, next_fire_after
from jobs.pipeline import FeedReport, PollContext, PollResult, poll, save_state

logger = logging.getLogger("jobs.feedrun")  # a documented logger name (README: logs)

class _Unread(enum.Enum):
    """FeedRunner.run(before=...) not given: the runner reads the state from the archive."""

    UNREAD = enum.auto()


UNREAD: Final = _Unread.UNREAD
MAX_GAPS = 20


@dataclass(frozen=True)
class RunResult:
    report: FeedReport
    decision: Decision


def outcome_of(report: FeedReport, state: FeedState | None) -> PollOutcome:
    """The facts the backoff policy needs, from a poll's report and the feed's stored state."""
    failures = state.consecutive_failures if state is not None else int(report.status == "failed")
    disabled = report.status == "disabled" or bool(state is not None and state.disabled)
    return PollOutcome(
        ok=report.status != "failed", consecutive_failures=failures, changed=report.new + report.updated,
        items=report.items, retry_after=report.retry_after, min_interval=report.min_interval,
        disabled=disabled,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def log_run(report: FeedReport, decision: Decision, failures: int, *, fired_at: datetime | None = None) -> None:
    """The one INFO line per feed run (fields ride along for ``--log-format json``)."""
    fields: dict[str, object] = {
        "feed": report.feed, "status": report.status, "new": report.new, "updated": report.updated,
        "duplicates": report.duplicates, "failed": report.failed, "items": report.items,
        "seconds": round(report.seconds, 3), "http_status": report.http_status,
        "next_run": _iso(decision.next_run), "next_reason": decision.reason,
        "consecutive_failures": failures,
    }
    if fired_at is not None:
        fields["scheduled_at"] = fired_at.astimezone(UTC).isoformat(timespec="milliseconds")
    if report.error:
        fields["error"] = report.error
    next_text = _iso(decision.next_run) or "never (disabled)"
    extra = f" ({failures} failures in a row)" if failures and report.status == "failed" else ""
    logger.info(
        "%s: %s new=%d updated=%d duplicates=%d failed=%d in %.2fs; next %s (%s)%s",
        report.feed, report.status, report.new, report.updated, report.duplicates, report.failed,
        report.seconds, next_text, decision.reason, extra, extra={"fields": fields},
    )


class FeedRunner:
    """Polls feeds through a :class:`PollContext` and plans each feed's next poll.

    ``rand`` draws the jitter of backoff and adaptive delays (tests pass a constant). Adaptive
    intervals live here, in memory: a restart starts again from the configured interval.
    """

    def __init__(self, ctx: PollContext, *, rand: Callable[[], float] = random.random) -> None:
        self.ctx = ctx
        self.rand = rand
        self.intervals: dict[str, float] = {}

    def forget(self, name: str) -> None:
        """Drop what was learnt about a feed (its config changed or it was removed)."""
        self.intervals.pop(name, None)

    async def run(self, feed: FeedConfig, plan: FeedPlan, *,
                  scheduled: datetime | None | Callable[[], datetime | None],
                  before: FeedState | None | _Unread = UNREAD, fired_at: datetime | None = None) -> RunResult:
        """Poll ``feed`` once, decide and record its next poll. Never raises for a failed poll.

        ``scheduled`` is when the feed's trigger fires next, or a function asked after the poll
        (a long poll may have made the scheduler skip a run and move its next time on).
        ``before`` is the feed's stored state when the caller has read it already; the state is
        read (at most) once and saved once per run. ``fired_at``: when the scheduler meant this run
        to start (logged as ``scheduled_at``: how late a run started is visible in the log).
        """
        archive = self.ctx.archive
        if before is UNREAD:
            before = archive.feed_state(feed.name)
        polled = await poll(self.ctx, feed, before)
        report, state = polled.report, polled.state
        now = self.ctx.clock()
        if callable(scheduled):
            scheduled = scheduled()
        outcome = outcome_of(report, state)
        current = self.intervals.get(feed.name)
        if current is None and plan.adaptive and before is not None and before.interval:
            current = min(plan.max_interval, max(plan.min_interval, before.interval))
        decision = next_poll(
            outcome, now=now, interval=plan.interval, max_backoff=plan.max_backoff, scheduled=scheduled,
            adaptive=plan.adaptive, current_interval=current,
            min_interval=plan.min_interval, max_interval=plan.max_interval,
            align=lambda moment: next_fire_after(plan, moment), rand=self.rand(),
        )
        if plan.adaptive:
            self.intervals[feed.name] = decision.interval
        if report.status != "disabled":
            saved = save_state(archive, PollResult(report, record_decision(state, before, report, decision, now,
                                                                          adaptive=plan.adaptive)))
            report = saved.report
        log_run(report, decision, outcome.consecutive_failures, fired_at=fired_at)
        return RunResult(report, decision)


def record_decision(state: FeedState, before: FeedState | None, report: FeedReport, decision: Decision,
                    now: datetime, *, adaptive: bool) -> FeedState:
    """The feed's state with the next poll, the backoff and the history of new articles."""
    state = dataclasses.replace(
        state, next_run=decision.next_run, backoff_until=decision.backoff_until,
        retry_after_until=decision.retry_after_until or _still_future(state.retry_after_until, now),
        max_age_until=decision.max_age_until, interval=decision.interval if adaptive else None)
    if report.new <= 0:
        return state
    previous = before.last_new_at if before is not None else None
    gaps = list((before.extra if before is not None else {}).get(GAPS_KEY, []))
    if previous is not None and now > previous:
        gaps = (gaps + [round((now - previous).total_seconds(), 1)])[-MAX_GAPS:]
    return dataclasses.replace(state, last_new_at=now, extra={**state.extra, GAPS_KEY: gaps})


def _still_future(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment > now else None
