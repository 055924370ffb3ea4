"""Read-only lookups for the pipeline and the CLI (beyond search): fingerprints, pages, counts."""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator, Sequence
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


def raw_pages(conn: sqlite3.Connection, feed: str | None, *, chunk: int = 100) -> Iterator[dict[str, Any]]:
    """Stored pages (decompressed), optionally of one feed's articles, in storage order.

    Read in chunks by rowid, up to the last page stored when the walk began, so memory stays
    bounded and the caller may store (rewrite pages) between items without a cursor open.
    """
    sql = (
        "select r.rowid, r.article_id, r.url, a.feed, r.raw_zlib, r.charset from raw_pages r "
        "join articles a on a.id = r.article_id where r.rowid > ? and r.rowid <= ?"
    )
    params: list[Any] = []
    if feed:
        sql += " and r.article_id in (select article_id from article_feeds where feed = ?)"
        params.append(feed)
    last = conn.execute("select coalesce(max(rowid), 0) from raw_pages").fetchone()[0]
    after = 0
    while True:
        rows = conn.execute(sql + " order by r.rowid limit ?", [after, last, *params, chunk]).fetchall()
        if not rows:
            return
        for rowid, article_id, url, feed_name, raw, charset in rows:
            after = rowid
            yield {"id": article_id, "url": url, "feed": feed_name, "raw": zlib.decompress(raw), "charset": charset}


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
