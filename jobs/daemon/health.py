"""What `newsroll feeds` shows for one feed: stored state plus derived health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from archive import Archive, FeedState
from jobs.config import FeedConfig, Settings
from jobs.daemon.backoff import GAPS_KEY, feed_hold
from jobs.daemon.schedule import feed_plan

STALE_FACTOR = 4  # stale: nothing new for this many times the usual gap between new articles
STALE_MIN_SAMPLES = 3  # gaps needed before the usual gap is trusted
STALE_FALLBACK_GAP = 6 * 3600.0  # the usual gap assumed until then (at least the poll interval)


def feed_health(settings: Settings, archive: Archive, feed: FeedConfig, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    state = archive.feed_state(feed.name)
    row: dict[str, Any] = {
        "name": feed.name,
        "site": feed.site,
        "category": feed.category,
        "kind": feed.kind,
        "enabled": feed.enabled,
        "configured_url": feed.url,
        "url": feed.url,
        "status": None,
        "http_status": None,
        "last_attempt": None,
        "last_success": None,
        "error": None,
        "failures": 0,
        "consecutive_failures": 0,
        "etag": None,
        "last_modified": None,
        "moved_from": None,
        "disabled": False,
        "rules_missed": 0,
    }
    if state is not None:
        row.update(
            url=state.url,
            http_status=state.status,
            last_attempt=state.last_attempt,
            last_success=state.last_success,
            error=state.error,
            failures=state.consecutive_failures,
            consecutive_failures=state.consecutive_failures,
            etag=state.etag,
            last_modified=state.last_modified,
            moved_from=state.moved_from,
            disabled=state.disabled,
            rules_missed=state.rules_missed,
        )
    row.update(schedule_health(state, interval=feed_plan(feed, settings.schedule, now).interval, now=now))
    row["status"] = _status(row)
    if row["status"] == "ok" and row["stale"]:
        row["status"] = "stale"
    row["articles_24h"] = archive.count_articles(feed=feed.name, since=now - timedelta(hours=24))
    row["articles_total"] = archive.count_articles(feed=feed.name)
    return row


def _status(row: dict[str, Any]) -> str:
    if not row["enabled"]:
        return "off"
    if row["disabled"]:
        return "disabled"
    if row["last_attempt"] is None:
        return "never"
    if row["consecutive_failures"]:
        return "failing"
    return "ok"


def schedule_health(state: FeedState | None, *, interval: float, now: datetime) -> dict[str, Any]:
    """Next run, backoff and staleness of a feed, from its state (written by the daemon)."""
    out: dict[str, Any] = {"next_run": None, "backoff_until": None, "backoff": None, "stale": False,
                           "warning": None, "last_new_at": None, "usual_gap": None}
    if state is None:
        return out
    out.update(next_run=state.next_run, last_new_at=state.last_new_at)
    until = feed_hold(state, state.original_url or state.url).active_backoff(now)
    if until is not None:
        out["backoff_until"] = until
        out["backoff"] = (f"{state.consecutive_failures} failure(s), next try in "
                          f"{_human((until - now).total_seconds())}")
    gaps = sorted(float(g) for g in (state.extra or {}).get(GAPS_KEY, []))
    usual = gaps[len(gaps) // 2] if len(gaps) >= STALE_MIN_SAMPLES else None
    out["usual_gap"] = usual
    if state.last_new_at is not None and not state.disabled:
        basis = max(usual if usual is not None else STALE_FALLBACK_GAP, interval)
        quiet = (now - state.last_new_at).total_seconds()
        if quiet > STALE_FACTOR * basis:
            out["stale"] = True
            usual_text = _human(usual) if usual is not None else "unknown"
            out["warning"] = f"stale: nothing new for {_human(quiet)} (usual gap {usual_text})"
    return out


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.0f}{unit}" if value >= 10 or value == int(value) else f"{value:.1f}{unit}"
    return f"{seconds:.0f}s"
