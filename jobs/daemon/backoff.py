"""When a feed polls next: backoff, recovery, server floors and adaptive intervals (pure functions).

    PollOutcome + FeedPlan + now (+ what the trigger would do) ─▶ next_poll() ─▶ Decision

- Failures back off exponentially: after ``n`` consecutive failures the next poll waits
  ``interval * 2**n`` (±10% jitter), capped at ``max_backoff`` (6 h by default). A feed is never
  stopped for good: after the cap it keeps being retried at the cap, and the first success returns
  it to its normal rhythm. Only a 410 stops it (the pipeline disables it; ``disabled``).
- Floors: a ``Retry-After`` (on a failure), or ``Cache-Control: max-age`` / a feed's TTL (on a
  success), means "not sooner than this". Retry-After is honoured up to ``RETRY_AFTER_CAP``;
  max-age/TTL up to the feed's ``max_backoff``, so a silly max-age never silences a feed.
- Adaptive feeds (``adaptive = true``): a poll that brought new or changed articles shortens the
  interval (halves it when the whole listing was new: we may be missing items), a quiet poll
  lengthens it, always within ``[min_interval, max_interval]``.

No clock is read here: ``now`` and the random draw ``rand`` (0..1) are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive.models import FeedState

GAPS_KEY = "new_gaps"  # FeedState.extra: seconds between the last polls that brought new articles
RETRY_AFTER_CAP = 24 * 3600.0  # a Retry-After longer than a day is treated as a day
BACKOFF_JITTER = 0.10  # backoff delays vary by ±10% so failing feeds of one host drift apart
BUSY_FACTOR = 0.75
SATURATED_FACTOR = 0.5
QUIET_FACTOR = 1.25
ADAPTIVE_JITTER = 0.10  # an adaptive poll lands up to 10% after its interval, like the triggers


@dataclass(frozen=True)
class PollOutcome:
    """What the daemon needs from one poll (built from a FeedReport and the feed's state)."""

    ok: bool
    consecutive_failures: int = 0  # after this poll
    changed: int = 0  # new + updated articles
    items: int = 0  # items in the listing
    retry_after: float | None = None  # seconds (failure)
    min_interval: float | None = None  # seconds: Cache-Control max-age / TTL (success)
    disabled: bool = False


@dataclass(frozen=True)
class Decision:
    """Where the next poll goes and why."""

    next_run: datetime | None  # None: the feed is disabled, no next poll
    reason: str  # "schedule" | "backoff" | "retry-after" | "max-age" | "adaptive" | "disabled"
    backoff_until: datetime | None = None  # set while failing
    interval: float = 0.0  # the interval in force after this poll (adaptive feeds change it)
    retry_after_until: datetime | None = None  # the server's Retry-After, as a time
    max_age_until: datetime | None = None  # Cache-Control max-age / feed TTL, as a time


def backoff_delay(failures: int, interval: float, cap: float, rand: float = 0.5) -> float:
    """Seconds to wait after ``failures`` consecutive failures: ``interval * 2**failures`` ±10%, capped.

    ``cap`` is never below ``interval``: a failing feed is polled at least as rarely as a
    healthy one, and at most ``cap`` apart.
    """
    if failures <= 0:
        return interval
    cap = max(cap, interval)
    exponent = min(failures, 32)  # 2**32 intervals is past any cap; keeps the float finite
    raw = interval * (2.0 ** exponent)
    spread = 1.0 + BACKOFF_JITTER * (2.0 * rand - 1.0)
    return min(cap, raw * spread)


def adapt_interval(current: float, outcome: PollOutcome, lo: float, hi: float) -> float:
    """The next interval of an adaptive feed after a successful poll."""
    if outcome.changed and outcome.items and outcome.changed >= outcome.items:
        factor = SATURATED_FACTOR
    elif outcome.changed:
        factor = BUSY_FACTOR
    else:
        factor = QUIET_FACTOR
    return min(hi, max(lo, current * factor))


def next_poll(
    outcome: PollOutcome,
    *,
    now: datetime,
    interval: float,
    max_backoff: float,
    scheduled: datetime | None,
    adaptive: bool = False,
    current_interval: float | None = None,
    min_interval: float = 0.0,
    max_interval: float = float("inf"),
    align: Callable[[datetime], datetime] | None = None,
    rand: float = 0.5,
) -> Decision:
    """Decide the next poll of a feed after ``outcome``.

    ``interval`` is the feed's configured (or cron) interval; ``scheduled`` the time its trigger
    would fire next (None if unknown); ``current_interval`` the adaptive interval in force;
    ``align`` snaps a time onto the trigger's grid (cron feeds). The result is never earlier than
    ``scheduled`` unless an adaptive feed has become busier.
    """
    current = current_interval or interval
    if outcome.disabled:
        return Decision(None, "disabled", interval=current)
    snap = align or (lambda moment: moment)
    if not outcome.ok:
        delay = backoff_delay(outcome.consecutive_failures, interval, max_backoff, rand)
        reason = "backoff"
        retry_until = None
        if outcome.retry_after is not None:
            retry = min(outcome.retry_after, RETRY_AFTER_CAP)
            retry_until = now + timedelta(seconds=retry)
            if retry > delay:
                delay, reason = retry, "retry-after"
        until = now + timedelta(seconds=delay)
        return Decision(snap(until), reason, backoff_until=until, interval=current,
                        retry_after_until=retry_until)
    if adaptive:
        current = adapt_interval(current, outcome, min_interval, max_interval)
        planned, reason = now + timedelta(seconds=current * (1.0 + ADAPTIVE_JITTER * rand)), "adaptive"
    else:
        planned, reason = scheduled or now + timedelta(seconds=interval), "schedule"
    floor = None
    if outcome.min_interval:
        floor = now + timedelta(seconds=min(outcome.min_interval, max(max_backoff, interval)))
        if floor > planned:
            planned, reason = snap(floor), "max-age"
    return Decision(planned, reason, interval=current, max_age_until=floor)


@dataclass(frozen=True)
class Hold:
    """What keeps a feed from being polled, from its stored state: the one place that decides
    whether a feed is disabled, backing off, or inside its server's floor."""

    disabled: bool = False
    disabled_reason: str | None = None
    backoff_until: datetime | None = None  # the later of our backoff and the server's Retry-After
    max_age_until: datetime | None = None  # Cache-Control max-age / the feed's TTL

    def active_backoff(self, now: datetime) -> datetime | None:
        return self.backoff_until if self.backoff_until is not None and self.backoff_until > now else None

    def active_floor(self, now: datetime) -> datetime | None:
        return self.max_age_until if self.max_age_until is not None and self.max_age_until > now else None


def feed_hold(state: FeedState | None, configured_url: str) -> Hold:
    """The holds on a feed. A 410 disables it only while the config keeps the URL that was gone."""
    if state is None:
        return Hold()
    holds = [t for t in (state.backoff_until, state.retry_after_until) if t is not None]
    return Hold(
        disabled=bool(state.disabled) and state.original_url == configured_url,
        disabled_reason=state.disabled_reason,
        backoff_until=max(holds) if holds else None,
        max_age_until=state.max_age_until,
    )
