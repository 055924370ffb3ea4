"""Read-only lookups for the pipeline and the CLI (beyond search): fingerprints, counts (pages: archive.rawpages)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from archive.identity import url_key
from archive.models import iso


def known_items(
    conn: sqlite3.Connection, feed: str, keys: Sequence[tuple[str | None, str]]
) -> dict[tuple[str | None, str], str]:
    """(guid, url) → the item_fingerprint stored for that item of ``feed``, for archived items.

    By guid when the item has one, else by URL key (tracking parameters, http/https ignored).
    """
    found: dict[tuple[str | None, str], str] = {}
    for guid, url in keys:
        row = None
        if guid:
            row = conn.execute(
                "select item_fingerprint from article_keys where key = ?", (f"g|{feed}|{guid.strip()}",)
            ).fetchone()
        if row is None:
            row = conn.execute(
                "select item_fingerprint from article_keys where feed = ? and url_key = ? "
                "and (? is null or guid is null or guid = ?) order by rowid desc limit 1",
                (feed, url_key(url), guid, guid),
            ).fetchone()
        if row is not None:
            found[(guid, url)] = row[0] or ""
    return found


class ItemLookup:
    """:func:`known_items` on a connection of its own, for a thread that reads while another writes
    (WAL: it sees what is committed). Close it when done."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def known_items(self, feed: str, keys: Sequence[tuple[str | None, str]]) -> dict[tuple[str | None, str], str]:
        return known_items(self._conn, feed, keys)

    def close(self) -> None:
        self._conn.close()


def article_counts(conn: sqlite3.Connection, *, since: datetime) -> dict[str, dict[str, Any]]:
    """Per feed: ``total`` articles it lists, ``recent`` first archived since ``since``, ``last_published``."""
    rows = conn.execute(
        "select f.feed, count(*), sum(f.first_seen >= ?), max(a.published) from article_feeds f "
        "join articles a on a.id = f.article_id group by f.feed",
        (iso(since),),
    )
    return {feed: {"total": total, "recent": recent or 0, "last_published": last} for feed, total, recent, last in rows}


def count_articles(conn: sqlite3.Connection, *, feed: str | None, since: datetime | None) -> int:
    """Articles listed by ``feed`` (any when None) first archived at or after ``since``."""
    sql = "select count(distinct article_id) from article_feeds where 1"
    params: list[Any] = []
    if feed:
        sql += " and feed = ?"
        params.append(feed)
    if since is not None:
        sql += " and first_seen >= ?"
        params.append(iso(since))
    return int(conn.execute(sql, params).fetchone()[0])
