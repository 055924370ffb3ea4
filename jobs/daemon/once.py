"""``newsroll run --once``: poll every due feed once, record the next poll, exit (for cron users).

A feed is due unless it is disabled (410), still backing off (``backoff_until`` or a server's
``Retry-After`` lies in the future) or inside the floor its server set (``Cache-Control: max-age``
or the feed's TTL). Polls go through the same :class:`FeedRunner` as the daemon,
so failures back off and successes recover the same way across invocations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.models import FeedState, iso
from jobs.config import FeedConfig, Settings
from jobs.daemon.backoff import feed_hold
from jobs.daemon.feedrun import FeedRunner, RunResult
from jobs.daemon.schedule import feed_plan, next_fire_after
from jobs.pipeline import PollContext


@dataclass(frozen=True)
class Skipped:
    feed: str
    reason: str

    def line(self) -> str:
        return f"{self.feed}: skipped ({self.reason})"


def skip_reason(feed: FeedConfig, state: FeedState | None, now: datetime) -> str | None:
    """Why ``feed`` is not due now, or None when it is."""
    hold = feed_hold(state, feed.url)
    if hold.disabled:
        return "disabled: " + (hold.disabled_reason or "410 Gone")
    if (until := hold.active_backoff(now)) is not None:
        failures = state.consecutive_failures if state is not None else 0
        return f"backing off until {iso(until)} after {failures} failure(s)"
    if (floor := hold.active_floor(now)) is not None:
        return f"the server's max-age/TTL asks not to poll before {iso(floor)}"
    return None


async def run_once(
    settings: Settings, ctx: PollContext, *, feeds: Sequence[FeedConfig] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[list[RunResult], list[Skipped]]:
    """Poll every due enabled feed concurrently; returns (results, skipped) in config order."""
    now = clock()
    runner = FeedRunner(ctx)
    due: list[FeedConfig] = []
    skipped: list[Skipped] = []
    states = {state.name: state for state in ctx.archive.feed_states()}
    for feed in feeds if feeds is not None else [f for f in settings.feeds if f.enabled]:
        reason = skip_reason(feed, states.get(feed.name), now)
        if reason:
            skipped.append(Skipped(feed.name, reason))
        else:
            due.append(feed)

    async def one(feed: FeedConfig) -> RunResult:
        plan = feed_plan(feed, settings.schedule, now)
        scheduled = next_fire_after(plan, now) if plan.kind == "cron" else None
        return await runner.run(feed, plan, scheduled=scheduled, before=states.get(feed.name))

    results = await asyncio.gather(*(one(feed) for feed in due))
    return list(results), skipped
