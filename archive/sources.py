"""Every source's own version of a merged story (``article_sources``) and the same-story lookup.

When a second feed's item is merged into an article (same link, same text, or — for flash
texts — the same story in other words, archive.samestory), the article keeps its first version
and lists the feed in ``article_feeds``; this table keeps what *that* feed said: its link, title,
text and time, so ``show`` can give each source's version.

Why a table and not ``revisions``: revisions are one source's text over time (rev 1, 2, … with
diffs); the wires' versions exist side by side, each with its own link and time, and one of them
may later be edited on its own. Mixing them into the revision chain would make every diff a
comparison between two agencies' wording.

The table is additive: created when missing, whatever the schema version.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive import samestory
from archive.models import iso, parse_iso
from archive.prepare import Prepared

MAX_CANDIDATES = 400  # flashes published within the window, nearest first

_DDL = (
    "CREATE TABLE IF NOT EXISTS [article_sources] ("
    "[article_id] TEXT, [feed] TEXT, [url] TEXT, [title] TEXT, [body_text] TEXT, [body_html] TEXT, "
    "[published] TEXT, [rule] TEXT, [stored_at] TEXT, PRIMARY KEY ([article_id], [feed]))"
)


# The same-story lookup reads only short texts of other feeds and sites: this partial index holds
# just those rows (its WHERE is repeated word for word in the query, so SQLite picks it), and it
# carries feed and site, so another feed's flash is told from one's own without reading the row.
# A backfill of one feed finds no candidate without a single table read.
_FLASH_WHERE = f"duplicate_of is null and length(body_text) <= {samestory.SHORT_TEXT}"
_FLASH_INDEX = (
    f"create index if not exists [articles_flash_time] on [articles] ([published], [feed], [site]) "
    f"where {_FLASH_WHERE}"
)


def ensure_table(conn: sqlite3.Connection) -> None:
    """Create ``article_sources`` if it is missing (idempotent)."""
    conn.execute(_DDL)


def ensure_flash_index(conn: sqlite3.Connection) -> None:
    """Create the same-story lookup's index if it is missing (idempotent; ``articles`` must exist)."""
    conn.execute(_FLASH_INDEX)


def same_story_candidate(conn: sqlite3.Connection, p: Prepared) -> str | None:
    """The article, listed by no feed of ``p``'s, that tells the same flash story (nearest in time)."""
    a = p.article
    if not samestory.is_flash_text(a.body_text) or not samestory.features(a.title, a.body_text).chinese:
        return None
    incoming = samestory.Flash(a.feed, a.published, a.title, a.body_text, a.site)
    # newest first through the short-text index (no sort); other feeds and sites only
    rows = conn.execute(
        "select id, feed, title, body_text, published, site from articles "
        f"where published between ? and ? and {_FLASH_WHERE} "
        "and feed != ? and (site is null or site = '' or site != ?) order by published desc limit ?",
        (iso(a.published - samestory.WINDOW), iso(a.published + samestory.WINDOW), a.feed, a.site or "",
         MAX_CANDIDATES),
    ).fetchall()
    for article_id, feed, title, body_text, published, site in rows:
        if feed == a.feed or not body_text or len(body_text) > samestory.SHORT_TEXT or (site and site == a.site):
            continue
        other = samestory.Flash(feed, parse_iso(published), title or "", body_text, site or "")
        if samestory.same_story(incoming, other) and not _listed_in(conn, article_id, a.feed):
            return str(article_id)
    return None


def close_enough(conn: sqlite3.Connection, article_id: str, p: Prepared) -> bool:
    """Whether the same text may merge: always for articles, within hours for short flash texts."""
    if not samestory.is_flash_text(p.article.body_text):
        return True
    row = conn.execute("select published from articles where id = ?", (article_id,)).fetchone()
    return row is not None and abs(parse_iso(row[0]) - p.article.published) <= samestory.WINDOW


def record(conn: sqlite3.Connection, article_id: str, p: Prepared, rule: str, now: str) -> None:
    """Keep the version of the story that ``p``'s feed gave (replacing that feed's earlier one)."""
    a = p.article
    conn.execute(
        "insert or replace into article_sources (article_id, feed, url, title, body_text, body_html, published, "
        "rule, stored_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article_id, a.feed, a.url, a.title, a.body_text, a.body_html, p.published, rule, now),
    )


def versions(conn: sqlite3.Connection, article: dict[str, Any]) -> list[dict[str, Any]]:
    """Each source's version, the article's own (``primary``) first, then in the order merged.

    A feed merged before this table existed has only its name (its text was not kept).
    """
    out = [{
        "feed": article["feed"], "url": article["url"], "title": article["title"],
        "text": article.get("body_text") or "", "published": article["published"], "primary": True,
    }]
    kept = {
        row[0]: row
        for row in conn.execute(
            "select feed, url, title, body_text, published, rule, stored_at from article_sources "
            "where article_id = ? order by stored_at, feed",
            (article["id"],),
        )
    }
    feeds = [r[0] for r in conn.execute(
        "select feed from article_feeds where article_id = ? order by first_seen, feed", (article["id"],))]
    for feed in feeds + [f for f in kept if f not in feeds]:
        if feed == article["feed"]:
            continue
        row = kept.get(feed)
        if row is None:
            out.append({"feed": feed, "primary": False})
            continue
        out.append({
            "feed": feed, "url": row[1], "title": row[2], "text": row[3] or "", "published": row[4],
            "primary": False, "rule": row[5], "stored_at": row[6],
        })
    return out


def _listed_in(conn: sqlite3.Connection, article_id: str, feed: str) -> bool:
    row = conn.execute("select 1 from article_feeds where article_id = ? and feed = ?", (article_id, feed)).fetchone()
    return row is not None
