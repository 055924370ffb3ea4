"""Each feed's health and volume over time, read from the archive (for the health page).

Per feed: its polling state (the ``feeds`` table: last success, consecutive failures, backoff,
disabled) and, for every hour of the window, how many articles it brought in (``article_feeds.
first_seen``: when they were fetched) and how many of its articles were published in that hour.
A feed is ``ok``; ``failing`` (its last polls failed); ``backoff`` (failing, and not polled again
before ``backoff_until``); ``disabled``; ``silent`` (polled fine but nothing new for
``SILENT_AFTER``); or ``unpolled`` (articles but no polling state: imported, or never polled).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.models import FeedState, feed_state_from_row, iso, parse_iso

WINDOW_HOURS = 72
SILENT_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class FeedHealth:
    name: str
    status: str
    state: FeedState | None
    total: int  # articles the feed lists, all time
    last_new: datetime | None  # the last time one of its articles was first archived
    fetched: tuple[int, ...]  # per hour of the window, oldest first
    published: tuple[int, ...]


@dataclass(frozen=True)
class HealthReport:
    now: datetime
    start: datetime  # the window's first hour
    hours: int
    feeds: tuple[FeedHealth, ...]

    def hour(self, index: int) -> datetime:
        return self.start + timedelta(hours=index)

    def totals(self) -> tuple[int, ...]:
        return tuple(sum(f.fetched[i] for f in self.feeds) for i in range(self.hours))


def status_of(state: FeedState | None, last_new: datetime | None, now: datetime) -> str:
    if state is None:
        return "unpolled"
    if state.disabled:
        return "disabled"
    if state.backoff_until and state.backoff_until > now:
        return "backoff"
    if state.consecutive_failures > 0:
        return "failing"
    if last_new is None or now - last_new > SILENT_AFTER:
        return "silent"
    return "ok"


def gather(conn: sqlite3.Connection, *, now: datetime, hours: int = WINDOW_HOURS) -> HealthReport:
    """Read the report for the ``hours`` hours up to ``now`` (read-only)."""
    now = now.astimezone(UTC)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    states: dict[str, FeedState] = {}
    if conn.execute("select 1 from sqlite_master where name = 'feeds'").fetchone():
        cur = conn.execute("select * from feeds")
        names = [d[0] for d in cur.description]
        for row in cur:
            state = feed_state_from_row(dict(zip(names, row, strict=True)))
            states[state.name] = state
    totals = {
        feed: (count, last)
        for feed, count, last in conn.execute("select feed, count(*), max(first_seen) from article_feeds group by feed")
    }
    fetched = _per_hour(
        conn, "select feed, substr(first_seen, 1, 13), count(*) from article_feeds "
        "where first_seen >= ? and first_seen <= ? group by 1, 2", start, now, hours,
    )
    published = _per_hour(
        conn, "select f.feed, substr(a.published, 1, 13), count(*) from articles a "
        "join article_feeds f on f.article_id = a.id where a.published >= ? and a.published <= ? group by 1, 2",
        start, now, hours,
    )
    feeds = []
    for name in sorted(set(states) | set(totals)):
        count, last = totals.get(name, (0, None))
        last_new = parse_iso(last) if last else None
        polled = states.get(name)
        feeds.append(
            FeedHealth(
                name=name,
                status=status_of(polled, last_new, now),
                state=polled,
                total=int(count),
                last_new=last_new,
                fetched=tuple(fetched.get(name, [0] * hours)),
                published=tuple(published.get(name, [0] * hours)),
            )
        )
    return HealthReport(now=now, start=start, hours=hours, feeds=tuple(feeds))


def _per_hour(
    conn: sqlite3.Connection, sql: str, start: datetime, now: datetime, hours: int
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for feed, hour, count in conn.execute(sql, (iso(start), iso(now))):
        try:
            moment = datetime.fromisoformat(f"{hour}:00:00+00:00")
        except ValueError:
            continue  # a malformed stored time: not charted
        index = int((moment - start).total_seconds() // 3600)
        if 0 <= index < hours:
            out.setdefault(feed, [0] * hours)[index] += int(count)
    return out
