"""The ``Archive``: a SQLite database (the source of truth) plus a tree of Hexo post files.

Writes follow one order, so a kill -9 at any instant loses nothing committed and leaves no file
where Hexo would read a half-written post:

1. one transaction per ``store`` batch writes the rows *and* a ``pending_files`` row per post to
   (re)write;
2. after the commit each post is rendered from the database and written atomically, the batch
   with one file-system flush (archive.files.write_atomic_many); 3. the pending rows are deleted.

Opening an archive finishes any pending posts left by a crash (and removes their temp files);
``verify`` checks everything and ``verify(repair=True)`` re-renders what is missing or stale.

The search index is a stage of its own (archive.indexer): the commit in 1. queues the rows, a
background thread indexes them when storing pauses, ``search``/``export``/``verify`` index
whatever is still queued before they read, and ``close`` finishes the queue.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from archive import indexer, queries, schema, sources, stocks
from archive.errors import StoreError
from archive.files import pid_alive, remove_temp_files, write_atomic_many
from archive.guard import translating
from archive.models import (
    FEED_STATE_TYPES,
    FeedState,
    ImportReport,
    StoreResult,
    VerifyReport,
    feed_state_from_row,
    feed_state_to_row,
    iso,
)
from archive.posts import post_text_for_row
from archive.prepare import prepare_batch, seq_base
from archive.search import export_rows, feeds_of, make_filters, search_rows
from archive.store import BatchWriter
from scraper.models import Article

logger = logging.getLogger(__name__)
IO_THREADS = 2
# what a post shows (archive.posts), and its path: not the search text, plain text or sketch
RENDER_COLUMNS = (
    "id, path, feed, site, category, title, url, canonical_url, guid, published, updated, author, "
    "source, editor, image, flags, duplicate_of, body_html"
)


@translating
class Archive:
    """Open (creating or migrating) the archive at ``database``, with posts under ``posts_dir``.

    ``read_only=True`` opens an existing archive for reading only (a read-only file or folder, a
    backup): nothing is created, migrated or written, and searches read the index as it is.
    Every public method raises only ArchiveError subclasses for database and file-system faults
    (archive.guard).
    """

    def __init__(
        self, database: Path, posts_dir: Path, *, background_index: bool = True, read_only: bool = False,
        busy_timeout: float = schema.BUSY_TIMEOUT, post_tags: bool = False,
    ) -> None:
        self.database = Path(database)
        self.busy_timeout = busy_timeout
        self.post_tags = post_tags  # posts list the article's companies in ``tags:``
        self.posts_dir = Path(posts_dir)
        self.read_only = read_only
        self._pool: ThreadPoolExecutor | None = None
        self._gate = indexer.WriteGate()  # one writer of this process at a time (see archive.indexer)
        self._background_index = background_index and not read_only
        self._indexer: indexer.IndexWorker | None = None
        if read_only:
            self.db = schema.connect_read_only(self.database, busy_timeout)
            try:
                schema.check_readable(self.db)
            except BaseException:
                self.db.close()
                raise
            return
        self.database.parent.mkdir(parents=True, exist_ok=True)
        self.posts_dir.mkdir(parents=True, exist_ok=True)
        self.db = schema.connect(str(self.database), busy_timeout)
        try:
            schema.ensure_schema(self.db)
            stocks.ensure_stock_tables(self.db.conn)
            self._ensure_feed_columns()
            self.finish_pending()
        except BaseException:
            self.db.close()
            raise

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Finish the search index queue and close the database connection."""
        try:
            if self._indexer is not None:
                self._indexer.stop()
                self._indexer = None
            if not self.read_only:
                self._catch_up_index()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
            self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction of this thread; it goes before the background indexer's next chunk."""
        with self._gate.first(), schema.transaction(self.db.conn):
            yield

    @contextmanager
    def _index_transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        with self._gate.second(), schema.transaction(conn):
            yield

    def _open_connection(self) -> sqlite3.Connection:
        return schema.connect(str(self.database), self.busy_timeout).conn

    def _io_pool(self) -> ThreadPoolExecutor:
        """Threads for work that releases the GIL: compressing raw pages."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="archive-io")
        return self._pool

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------------

    def store(self, articles: Sequence[Article], *, now: datetime) -> list[StoreResult]:
        """Store a batch in one transaction, then write its posts. Results are in input order.

        Each post is queued in ``pending_files`` by the commit, so a crash before it is written
        loses nothing. Raises StoreError (and stores nothing of the batch) if an article has
        invalid values.
        """
        if not articles:
            return []
        if self._indexer is not None:
            self._indexer.busy(True)
        try:
            results = self._store(articles, now)
        finally:
            self._wake_indexer()
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        logger.info("stored %d articles: %s", len(results), counts)
        return results

    def _store(self, articles: Sequence[Article], now: datetime) -> list[StoreResult]:
        prepared = prepare_batch(articles, self._io_pool())
        writer = BatchWriter(self.db, now)
        with self._transaction():
            results = [writer.apply(p) for p in prepared]
            for result, article in zip(results, articles, strict=True):
                tags = stocks.tags_of(article)
                if stocks.write_tags(self.db.conn, result.id, tags) and self.post_tags:
                    writer._pending(result.id)  # noqa: SLF001 (the post shows the tags)
        self._write_posts(writer.to_render)
        return results

    # -- the search index ---------------------------------------------------------------------

    def _wake_indexer(self) -> None:
        if not self._background_index:
            return
        if self._indexer is None:
            self._indexer = indexer.IndexWorker(self._open_connection, self._index_transaction)
        self._indexer.busy(False)
        self._indexer.wake()

    def index_pending(self) -> int:
        """Index every stored article not yet in the search index (normally done in the background
        and before each search); returns how many were indexed."""
        return indexer.drain(self.db.conn, self._transaction)

    def pending_index(self) -> int:
        """Stored articles not yet in the search index."""
        return indexer.pending_count(self.db.conn)

    def _catch_up_index(self) -> None:
        """Index what is queued before reading the index; a read-only or busy database is searched
        as it is, with a warning."""
        if self.read_only or not self.db.conn.execute("select exists (select 1 from fts_pending)").fetchone()[0]:
            return
        try:
            self.index_pending()
        except sqlite3.OperationalError as exc:
            logger.warning("search index: %d stored articles not indexed yet (%s)", self.pending_index(), exc)

    def finish_pending(self) -> list[str]:
        """Write posts committed but not yet written by a writer that is gone (a crash); returns their ids.

        Posts pending for another live process (a newsroll storing right now) are left to it; this
        process's own are rewritten (idempotent: rendered from the current rows).
        """
        rows = self.db.execute("select article_id, owner from pending_files").fetchall()
        mine = os.getpid()
        ids = [a for a, owner in rows if owner is None or owner == mine or not pid_alive(int(owner))]
        if ids:
            logger.info("finishing %d pending post files", len(ids))
            self._write_posts(ids, clean_temp=True)
        return ids

    def _write_posts(self, ids: Sequence[str], *, clean_temp: bool = False) -> None:
        """Render ``ids`` from the database and write their posts (archive.files.write_atomic_many:
        one file-system flush per chunk), then clear their ``pending_files`` rows. On an error the
        rows stay pending: the next open rewrites them."""
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            items = [(self.posts_dir / path, text) for _id, path, text in self._render_many(chunk)]
            if clean_temp:
                for folder in {target.parent for target, _text in items}:
                    remove_temp_files(folder)
            write_atomic_many(items)
            with self._transaction():
                self.db.conn.executemany("delete from pending_files where article_id = ?", [(i,) for i in chunk])

    def _render_many(self, ids: Sequence[str]) -> Iterator[tuple[str, str, str]]:
        marks = ",".join("?" * len(ids))
        cur = self.db.conn.execute(f"select {RENDER_COLUMNS} from articles where id in ({marks})", list(ids))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        feeds = feeds_of(self.db.conn, [r["id"] for r in rows])
        self.add_post_tags(rows)
        for row in rows:
            yield row["id"], row["path"], post_text_for_row(row, feeds.get(row["id"], [row["feed"]]))

    def add_post_tags(self, rows: Sequence[dict[str, Any]]) -> None:
        """Give each row its ``tags`` (company names, or codes) when posts show them."""
        if not self.post_tags:
            return
        tagged = stocks.stocks_of(self.db.conn, [r["id"] for r in rows])
        for row in rows:
            row["tags"] = [name or code for code, name in tagged.get(row["id"], [])]

    # -- identity lookups for the pipeline ----------------------------------------------------

    def known_items(
        self, feed: str, keys: Sequence[tuple[str | None, str]]
    ) -> dict[tuple[str | None, str], str]:
        """(guid, url) → item_fingerprint stored for this feed's item, for items already archived."""
        return queries.known_items(self.db.conn, feed, keys)

    # -- feed state and checkpoints -----------------------------------------------------------

    def _ensure_feed_columns(self) -> None:
        table = self.db.table("feeds")
        missing = {k: v for k, v in FEED_STATE_TYPES.items() if k not in table.columns_dict}
        if missing:
            for name, kind in missing.items():
                table.add_column(name, kind)

    def feed_state(self, name: str) -> FeedState | None:
        """The saved state of feed ``name``, or None if it was never saved."""
        rows = list(self.db.table("feeds").rows_where("name = ?", [name]))
        return feed_state_from_row(rows[0]) if rows else None

    def feed_states(self) -> list[FeedState]:
        """Every saved feed state, by name."""
        return [feed_state_from_row(r) for r in self.db.table("feeds").rows_where(order_by="name")]

    def save_feed_state(self, state: FeedState) -> None:
        """Insert or replace the state of ``state.name``."""
        with self._transaction():
            self.db.table("feeds").upsert(feed_state_to_row(state), pk="name")

    def get_checkpoint(self, key: str) -> dict[str, Any] | None:
        """A saved checkpoint (backfill progress), or None."""
        row = self.db.execute("select value from checkpoints where key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_checkpoint(self, key: str, value: dict[str, Any], *, now: datetime | None = None) -> None:
        """Save a JSON-serializable checkpoint."""
        stamp = iso(now) if now else None
        with self._transaction():
            self.db.execute(
                "insert or replace into checkpoints (key, value, updated_at) values (?, ?, ?)",
                (key, json.dumps(value, ensure_ascii=False, sort_keys=True), stamp),
            )

    # -- reading ------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        feed: str | None = None,
        site: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int = 50,
        offset: int = 0,
        stock: str | None = None,
    ) -> list[dict[str, Any]]:
        """Search (see archive.search for the result dict). Raises QueryError on a malformed query.

        ``stock``: only articles about that company (a normalized code, or a name stored with the tags).
        """
        filters = make_filters(feed, site, since, until, stock)
        self._catch_up_index()
        return search_rows(self.db.conn, query, filters, limit, offset)

    def export(
        self,
        *,
        query: str = "",
        feed: str | None = None,
        site: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        stock: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream every matching article, with ``body_html`` and ``body_text``."""
        filters = make_filters(feed, site, since, until, stock)
        if query.strip():
            self._catch_up_index()
        return export_rows(self.db.conn, query, filters)

    def get(self, article_id: str) -> dict[str, Any] | None:
        """The full row of an article (with ``feeds``, ``flags`` decoded and each source's version), or None."""
        rows = list(self.db.table("articles").rows_where("id = ?", [article_id]))
        if not rows:
            return None
        row = dict(rows[0])
        for internal in ("seq", "search_title", "search_body", "sketch"):
            row.pop(internal, None)
        row["flags"] = json.loads(row["flags"]) if row.get("flags") else []
        row["feeds"] = feeds_of(self.db.conn, [article_id]).get(article_id, [row["feed"]])
        row["sources"] = sources.versions(self.db.conn, row)
        return row

    def post_text(self, article_id: str) -> str:
        """The post file content rendered from the database. Raises KeyError for an unknown id."""
        rendered = list(self._render_many([article_id]))
        if not rendered:
            raise KeyError(article_id)
        return rendered[0][2]

    def revisions(self, article_id: str) -> list[dict[str, Any]]:
        """Every stored version, oldest first: rev, title, stored_at, published, updated, diff."""
        from archive.revisions import revision_list

        return revision_list(self.db.conn, article_id)

    def raw_pages(self, feed: str | None = None) -> Iterator[dict[str, Any]]:
        """Stored pages for ``reparse``: id, url, feed, raw (bytes, decompressed), charset."""
        return queries.raw_pages(self.db.conn, feed)

    def article_counts(
        self, *, now: datetime, window: timedelta = timedelta(hours=24)
    ) -> dict[str, dict[str, Any]]:
        """Per feed: ``total`` articles listed, ``recent`` first seen within ``window``, ``last_published``."""
        return queries.article_counts(self.db.conn, since=now - window)

    def top_stocks(
        self, *, since: datetime | None = None, limit: int = 50, names: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """The most-mentioned companies in articles published since ``since``: ``code``, ``name``,
        ``count``, most first (archive.stocks.top_stocks)."""
        return stocks.top_stocks(
            self.db.conn, since_seq=seq_base(since) if since else None, limit=limit, names=names
        )

    def stock_codes(self, name: str) -> list[str]:
        """Codes stored with company name ``name`` (for ``search --stock 贵州茅台``), most tagged first."""
        rows = self.db.execute(
            "select code from article_stocks where name = ? group by code order by count(*) desc", (name,)
        ).fetchall()
        return [r[0] for r in rows]

    def count(self) -> int:
        """Number of articles."""
        return int(self.db.execute("select count(*) from articles").fetchone()[0])

    def count_articles(self, *, feed: str | None = None, since: datetime | None = None) -> int:
        """Articles listed by ``feed`` (any feed when None) first archived at or after ``since``."""
        return queries.count_articles(self.db.conn, feed=feed, since=since)

    def optimize(self) -> None:
        """Merge the search index into one segment and refresh query-planner statistics.

        Optional maintenance (e.g. after a backfill, or daily in the daemon): searches read fewer
        index segments afterwards. Takes a while on big archives; safe to interrupt.
        """
        self.index_pending()
        with self._transaction():
            self.db.execute("insert into articles_fts(articles_fts) values('optimize')")
        with self._gate.first():
            self.db.execute("pragma optimize")

    # -- integrity and history ----------------------------------------------------------------

    def verify(self, *, repair: bool = False) -> VerifyReport:
        """Check database and files agree (see archive.verify)."""
        from archive.verify import verify_archive

        return verify_archive(self, repair=repair)

    def import_tree(self, directory: Path, *, now: datetime) -> ImportReport:
        """Import a Hexo posts tree written by the old system (see archive.importer)."""
        from archive.importer import import_tree

        return import_tree(self, Path(directory), now=now)


__all__ = ["Archive", "StoreError"]
