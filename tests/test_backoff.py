"""Backoff, recovery, floors and adaptive intervals with an injected clock (jobs.daemon.backoff, pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobs.daemon.backoff import (
    RETRY_AFTER_CAP,
    PollOutcome,
    adapt_interval,
    backoff_delay,
    next_poll,
)

NOW = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
MINUTE = 60.0
HOUR = 3600.0


def after(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def failed(n: int, **kwargs: object) -> PollOutcome:
    return PollOutcome(ok=False, consecutive_failures=n, **kwargs)  # type: ignore[arg-type]


def test_backoff_doubles_per_failure_up_to_the_cap() -> None:
    delays = [backoff_delay(n, 5 * MINUTE, 6 * HOUR) for n in range(1, 9)]
    assert delays[:6] == [600, 1200, 2400, 4800, 9600, 19200]
    assert delays[6:] == [6 * HOUR, 6 * HOUR]  # 38400 s would pass the 6 h cap
    assert backoff_delay(10_000, 5 * MINUTE, 6 * HOUR) == 6 * HOUR  # no overflow after months of failures


def test_backoff_jitter_stays_within_ten_percent_and_under_the_cap() -> None:
    assert backoff_delay(2, 100, 10_000, rand=0.0) == pytest.approx(360)
    assert backoff_delay(2, 100, 10_000, rand=1.0) == pytest.approx(440)
    assert backoff_delay(9, 100, 10_000, rand=1.0) == 10_000


def test_cap_is_never_below_the_interval() -> None:
    assert backoff_delay(3, 12 * HOUR, 6 * HOUR) == 12 * HOUR


def test_a_feed_that_failed_three_times_is_still_retried() -> None:
    decisions = [next_poll(failed(n), now=NOW, interval=MINUTE, max_backoff=HOUR, scheduled=after(MINUTE))
                 for n in (1, 2, 3)]
    assert [d.next_run for d in decisions] == [after(120), after(240), after(480)]
    assert all(d.reason == "backoff" for d in decisions)
    assert [d.backoff_until for d in decisions] == [after(120), after(240), after(480)]
    forever = next_poll(failed(50), now=NOW, interval=MINUTE, max_backoff=HOUR, scheduled=None)
    assert forever.next_run == after(HOUR)  # capped, but never a permanent stop


def test_first_success_recovers_the_normal_rhythm() -> None:
    scheduled = after(MINUTE)
    decision = next_poll(PollOutcome(ok=True, changed=3, items=10), now=NOW, interval=MINUTE,
                         max_backoff=HOUR, scheduled=scheduled)
    assert (decision.next_run, decision.reason, decision.backoff_until) == (scheduled, "schedule", None)
    # without a trigger (run --once) the next poll is one interval away
    decision = next_poll(PollOutcome(ok=True), now=NOW, interval=MINUTE, max_backoff=HOUR, scheduled=None)
    assert decision.next_run == after(MINUTE)


def test_retry_after_is_a_floor() -> None:
    decision = next_poll(failed(1, retry_after=2 * HOUR), now=NOW, interval=MINUTE, max_backoff=HOUR,
                         scheduled=after(MINUTE))
    assert (decision.next_run, decision.reason) == (after(2 * HOUR), "retry-after")
    assert decision.retry_after_until == after(2 * HOUR)
    assert decision.backoff_until == after(2 * HOUR)
    # a Retry-After shorter than the backoff does not shorten it
    decision = next_poll(failed(4, retry_after=30), now=NOW, interval=MINUTE, max_backoff=HOUR, scheduled=None)
    assert (decision.next_run, decision.reason) == (after(960), "backoff")
    # an absurd Retry-After is honoured only up to a day
    decision = next_poll(failed(1, retry_after=365 * 86400), now=NOW, interval=MINUTE, max_backoff=HOUR,
                         scheduled=None)
    assert decision.next_run == after(RETRY_AFTER_CAP)


def test_max_age_and_ttl_are_a_floor_after_a_success() -> None:
    decision = next_poll(PollOutcome(ok=True, min_interval=15 * MINUTE), now=NOW, interval=5 * MINUTE,
                         max_backoff=6 * HOUR, scheduled=after(5 * MINUTE))
    assert (decision.next_run, decision.reason) == (after(15 * MINUTE), "max-age")
    assert decision.max_age_until == after(15 * MINUTE)
    short = next_poll(PollOutcome(ok=True, min_interval=30), now=NOW, interval=5 * MINUTE,
                      max_backoff=6 * HOUR, scheduled=after(5 * MINUTE))
    assert (short.next_run, short.reason) == (after(5 * MINUTE), "schedule")
    silly = next_poll(PollOutcome(ok=True, min_interval=30 * 86400), now=NOW, interval=5 * MINUTE,
                      max_backoff=6 * HOUR, scheduled=after(5 * MINUTE))
    assert silly.next_run == after(6 * HOUR)  # a max-age never silences a feed past max_backoff


def test_backoff_snaps_onto_the_cron_grid() -> None:
    def every_ten_minutes(moment: datetime) -> datetime:
        stamp = moment.timestamp()
        return datetime.fromtimestamp(-(-stamp // 600) * 600, tz=UTC)

    decision = next_poll(failed(1), now=NOW, interval=5 * MINUTE, max_backoff=HOUR, scheduled=None,
                         align=every_ten_minutes)
    assert decision.backoff_until == after(10 * MINUTE)
    assert decision.next_run == after(10 * MINUTE)
    decision = next_poll(failed(2), now=NOW + timedelta(minutes=1), interval=5 * MINUTE, max_backoff=HOUR,
                         scheduled=None, align=every_ten_minutes)
    assert decision.next_run == after(30 * MINUTE)  # 21 minutes of backoff, then the next cron time


def test_disabled_feed_gets_no_next_poll() -> None:
    decision = next_poll(PollOutcome(ok=True, disabled=True), now=NOW, interval=MINUTE, max_backoff=HOUR,
                         scheduled=after(MINUTE))
    assert (decision.next_run, decision.reason) == (None, "disabled")


def test_adaptive_busy_feeds_speed_up_and_quiet_feeds_slow_down_within_bounds() -> None:
    busy = PollOutcome(ok=True, changed=3, items=20)
    quiet = PollOutcome(ok=True, changed=0, items=20)
    saturated = PollOutcome(ok=True, changed=20, items=20)
    assert adapt_interval(600, busy, 60, 3600) == 450
    assert adapt_interval(600, quiet, 60, 3600) == 750
    assert adapt_interval(600, saturated, 60, 3600) == 300
    interval = 600.0
    for _ in range(20):
        interval = adapt_interval(interval, busy, 120, 3600)
    assert interval == 120
    for _ in range(40):
        interval = adapt_interval(interval, quiet, 120, 3600)
    assert interval == 3600


def test_adaptive_next_poll_follows_the_learnt_interval() -> None:
    decision = next_poll(PollOutcome(ok=True, changed=0, items=5), now=NOW, interval=600, max_backoff=6 * HOUR,
                         scheduled=after(600), adaptive=True, current_interval=1000, min_interval=60,
                         max_interval=3600, rand=0.0)
    assert (decision.interval, decision.next_run, decision.reason) == (1250, after(1250), "adaptive")
    decision = next_poll(PollOutcome(ok=True, changed=5, items=50), now=NOW, interval=600,
                         max_backoff=6 * HOUR, scheduled=after(600), adaptive=True, current_interval=100,
                         min_interval=90, max_interval=3600, rand=1.0)
    assert decision.interval == 90
    assert decision.next_run == after(99)  # up to 10% jitter on top
    # failures back off from the configured interval and keep the learnt one for later
    decision = next_poll(failed(1), now=NOW, interval=600, max_backoff=6 * HOUR, scheduled=None,
                         adaptive=True, current_interval=100)
    assert (decision.next_run, decision.interval) == (after(1200), 100)
