"""What `newsroll feeds` shows for one feed: stored state plus derived health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jobs.config import FeedConfig, Settings


def feed_health(settings: Settings, archive: Any, feed: FeedConfig, *, now: datetime | None = None) -> dict[str, Any]:
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
    row["status"] = _status(row)
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
