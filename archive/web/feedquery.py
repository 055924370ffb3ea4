"""Which articles a feed out carries: the newest matching a query and filters, with their bodies."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from archive.search import Filters, make_filters, newest_rows
from archive.web.feedout import FeedEntry, FeedMeta, entry_from_row, render

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


@dataclass(frozen=True)
class FeedQuery:
    """A subscription: a search query (may be empty: everything) and filters."""

    query: str = ""
    feed: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = DEFAULT_LIMIT

    def filters(self) -> Filters:
        """Raises QueryError for a bad date."""
        return make_filters(self.feed, self.site, self.since, self.until)

    def key(self) -> str:
        """Names the subscription (not its limit or dates): the same feed id whatever its window."""
        text = "\x1f".join([self.query.strip(), self.feed or "", self.site or ""])
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]

    def title(self) -> str:
        parts = [f"“{self.query.strip()}”" if self.query.strip() else "all articles"]
        if self.feed:
            parts.append(f"feed {self.feed}")
        if self.site:
            parts.append(f"site {self.site}")
        return "newsroll: " + ", ".join(parts)


def select_entries(conn: sqlite3.Connection, request: FeedQuery) -> list[FeedEntry]:
    """The newest ``request.limit`` matching articles, newest first. Raises QueryError."""
    limit = max(0, min(request.limit, MAX_LIMIT))
    rows = newest_rows(conn, request.query, request.filters(), limit)
    if not rows:
        return []
    marks = ",".join("?" * len(rows))
    bodies = dict(conn.execute(f"select id, body_html from articles where id in ({marks})", [r["id"] for r in rows]))
    return [entry_from_row({**r, "body_html": bodies.get(r["id"], "")}) for r in rows]


def build_feed(
    conn: sqlite3.Connection,
    request: FeedQuery,
    fmt: str,
    *,
    now: datetime,
    self_url: str | None = None,
    link: str | None = None,
) -> bytes:
    """The feed of ``request`` in ``fmt`` (atom, rss, json). Raises QueryError, ValueError (format)."""
    meta = FeedMeta(title=request.title(), key=request.key(), now=now, link=link, self_url=self_url,
                    description=request.title())
    return render(fmt, meta, select_entries(conn, request))
