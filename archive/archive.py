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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from archive import indexer, queries, rawpages, schema, sources, stocks
from archive.errors import ArchiveError, StoreError
from archive.files import pid_alive, remove_temp_files, write_atomic_many
from archive.guard import translating
from archive.models import (
    FEED_STATE_TYPES,
    FeedState,
    ImportReport,
    RawPage,
    StoredArticle,
    StoreResult,
    VerifyReport,
    feed_state_from_row,
    feed_state_to_row,
    iso,
    read_date,
)
from archive.posts import post_text_for_row
from archive.prepare import Prepared, TextHints, prepare_batch, seq_base
from archive.search import export_rows, feeds_of, make_filters, search_rows
from archive.store import BatchWriter
from archive.writebehind import WriteBehind
from scraper.models import Article

logger = logging.getLogger(__name__)
IO_THREADS = 2
WRITE_CHUNK = 1000  # post files per flush of the file system (an import's whole batch)
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

    ``keep_raw``: raw pages to keep, ``"all"``, ``"none"`` (store none, delete those stored) or
    ``"<days>"`` (delete those stored more than that many days ago, at ``close`` and ``optimize``).
    """

    def __init__(
        self, database: Path, posts_dir: Path, *, background_index: bool = True, read_only: bool = False,
        busy_timeout: float = schema.BUSY_TIMEOUT, post_tags: bool = False, keep_raw: str = "all",
    ) -> None:
        try:
            self._keep_days = rawpages.parse_keep_raw(keep_raw)
        except ValueError as exc:
            raise ArchiveError(str(exc)) from exc
        self.database = Path(database)
        self.busy_timeout = busy_timeout
        self.post_tags = post_tags  # posts list the article's companies in ``tags:``
        self.posts_dir = Path(posts_dir)
        self.read_only = read_only
        self._pool: ThreadPoolExecutor | None = None
        self._behind: WriteBehind | None = None  # post files written on a thread (writing_behind)
        self._gate = indexer.WriteGate()  # one writer of this process at a time (see archive.indexer)
        self._background_index = background_index and not read_only
        self.resemblance_checks = 0  # near-duplicate comparisons made by this Archive (bounded per article)
        self._indexer: indexer.IndexWorker | None = None
        self._undicted: dict[str, list[str]] = {}  # site → pages stored without its dictionary yet
        if read_only:
            self.db = schema.connect_read_only(self.database, busy_timeout)
            try:
                schema.check_readable(self.db)
                self._codec = rawpages.PageCodec(self.db.conn)
            except BaseException:
                self.db.close()
                raise
            return
        self.database.parent.mkdir(parents=True, exist_ok=True)
        self.posts_dir.mkdir(parents=True, exist_ok=True)
        # Creating or migrating the schema is done by one process at a time: two newsrolls opening
        # a brand-new archive at once would otherwise race on the tables and the WAL switch.
        with schema.setup_lock(self.database, busy_timeout):
            self.db = schema.connect(str(self.database), busy_timeout)
            try:
                schema.ensure_schema(self.db)
                stocks.ensure_stock_tables(self.db.conn)
                if rawpages.schema_missing(self.db.conn):
                    with schema.transaction(self.db.conn):
                        rawpages.ensure_schema(self.db.conn)
                self._codec = rawpages.PageCodec(self.db.conn)
                self._ensure_feed_columns()
            except BaseException:
                self.db.close()
                raise
        try:
            self.finish_pending()
        except BaseException:
            self.db.close()
            raise

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Finish the search index queue, prune raw pages (``keep_raw``), close the database."""
        try:
            if self._indexer is not None:
                self._indexer.stop()
                self._indexer = None
            if not self.read_only:
                self._catch_up_index()
                self._prune_raw_quietly()
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

    def store(
        self, articles: Sequence[Article], *, now: datetime, retag: bool = False,
        hints: Sequence[TextHints] | None = None,
    ) -> list[StoreResult]:
        """Store a batch in one transaction, then write its posts. Results are in input order.
        ``retag``: the articles' stock tags are a full re-tagging (archive.stocks.write_tags).
        ``hints``: the articles' hashes and sketches when computed already (archive.prepare.text_hints).

        Each post is queued in ``pending_files`` by the commit, so a crash before it is written
        loses nothing. Raises StoreError (and stores nothing of the batch) if an article has
        invalid values.
        """
        if not articles:
            return []
        if self._indexer is not None:
            self._indexer.busy(True)
        try:
            results = self._store(articles, now, retag, hints)
        finally:
            self._wake_indexer()
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        logger.info("stored %d articles: %s", len(results), counts)
        return results

    def _store(
        self, articles: Sequence[Article], now: datetime, retag: bool = False,
        hints: Sequence[TextHints] | None = None,
    ) -> list[StoreResult]:
        if self._keep_days == 0:
            articles = [replace(a, raw_html=None) if a.raw_html is not None else a for a in articles]
        prepared = prepare_batch(articles, self._io_pool(), self._page_job, hints)
        writer = BatchWriter(self.db, now)
        with self._transaction():
            results = [writer.apply(p) for p in prepared]
            for result, article in zip(results, articles, strict=True):
                tags = stocks.tags_of(article)
                # a merge is another story's article: its tags from other texts stay
                again = retag and result.status != "merged"
                if stocks.write_tags(self.db.conn, result.id, tags, retag=again) and self.post_tags:
                    writer._pending(result.id)  # noqa: SLF001 (the post shows the tags)
        self.resemblance_checks += writer.resemblance_checks
        self._write_posts(writer.to_render)
        self._note_undicted(prepared, results, now)
        return results

    # -- raw pages ----------------------------------------------------------------------------

    def _page_job(self, article: Article) -> Callable[[], tuple[bytes, str | None]]:
        """The compression of ``article``'s page, to run on the pool (its dictionary loaded here)."""
        dict_id = self._codec.dictionary_for(article.url)
        zdict = self._codec.preload(dict_id)
        raw = article.raw_html or b""

        def job() -> tuple[bytes, str | None]:
            encoded = rawpages.PageCodec.compress_with(raw, dict_id, zdict)
            return encoded.blob, encoded.codec

        return job

    def _note_undicted(self, prepared: Sequence[Prepared], results: Sequence[StoreResult], now: datetime) -> None:
        """Count pages stored without a dictionary per site; at DICT_PAGES of one site, make its
        dictionary from them and recompress them with it."""
        for p, result in zip(prepared, results, strict=True):
            if p.raw_codec == "zstd" and result.status != "unchanged":
                site = rawpages.site_key(p.article.url)
                if site:
                    self._undicted.setdefault(site, []).append(result.id)
        for site in [s for s, ids in self._undicted.items() if len(ids) >= rawpages.DICT_PAGES]:
            ids = self._undicted.pop(site)
            with self._transaction():
                rawpages.train_from_ids(self.db.conn, self._codec, site, ids, now)

    def compact_raw_pages(
        self, *, now: datetime, on_progress: Callable[[int, int], None] | None = None
    ) -> dict[str, int]:
        """Give each site with enough pages a dictionary and recompress its pages with it (zlib pages
        stored before dictionaries included); returns counts. Part of ``optimize``."""
        return rawpages.compact(self.db.conn, self._codec, self._transaction, now, on_progress)

    def prune_raw_pages(self, *, now: datetime) -> int:
        """Delete raw pages ``keep_raw`` no longer keeps; returns how many."""
        if self._keep_days is None:
            return 0
        with self._transaction():
            return rawpages.prune(self.db.conn, self._keep_days, now)

    def _prune_raw_quietly(self) -> None:
        if self._keep_days is None:
            return
        try:
            removed = self.prune_raw_pages(now=datetime.now(UTC))
        except sqlite3.OperationalError as exc:  # read-only or busy: the next close prunes
            logger.warning("raw pages not pruned: %s", exc)
            return
        if removed:
            logger.info("pruned %d raw pages (keep_raw)", removed)

    # -- the search index ---------------------------------------------------------------------

    def _wake_indexer(self) -> None:
        if not self._background_index:
            return
        if self._indexer is None:
            self._indexer = indexer.IndexWorker(self._open_connection, self._index_transaction)
        self._indexer.busy(False)
        self._indexer.wake()

    def index_pending(
        self, *, chunk: int = indexer.CHUNK, on_progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Index every stored article not yet in the search index (normally done in the background
        and before each search), ``chunk`` rows a transaction; returns how many were indexed.
        ``on_progress(rows_done, rows_total)`` after each chunk."""
        return indexer.drain(self.db.conn, self._transaction, chunk=chunk, on_progress=on_progress)

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
        rows stay pending: the next open rewrites them. Within ``writing_behind`` the files are
        written on its thread and their rows cleared once they are (archive.writebehind)."""
        for start in range(0, len(ids), WRITE_CHUNK):
            chunk = list(ids[start : start + WRITE_CHUNK])
            items = [(self.posts_dir / path, text) for _id, path, text in self._render_many(chunk)]
            if clean_temp:
                for folder in {target.parent for target, _text in items}:
                    remove_temp_files(folder)
            if self._behind is not None:
                self._written(self._behind.submit(items, chunk))
                continue
            write_atomic_many(items)
            self._written(chunk)

    def _written(self, ids: Sequence[str]) -> None:
        """The posts of ``ids`` are on disk, durable: they are no longer pending."""
        if ids:
            with self._transaction():
                self.db.conn.executemany("delete from pending_files where article_id = ?", [(i,) for i in ids])

    @contextmanager
    def writing_behind(self) -> Iterator[None]:
        """Within this block, each store's post files are written on a thread while the caller goes
        on (the next batch of an import); when it ends, every file is written and no longer pending."""
        if self._behind is not None:
            yield
            return
        self._behind = WriteBehind()
        try:
            yield
        finally:
            behind, self._behind = self._behind, None
            try:
                done = behind.finish()
            finally:
                behind.close()
            self._written(done)

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

    def item_lookup(self) -> queries.ItemLookup:
        """:meth:`known_items` on a connection of its own: for the event loop's thread while a writer
        thread stores through this archive (a backfill). It sees what is committed."""
        return queries.ItemLookup(self._open_connection())

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
        important: bool = False,
    ) -> list[dict[str, Any]]:
        """Search (see archive.search for the result dict). Raises QueryError on a malformed query.

        ``stock``: only articles about that company (a normalized code, or a name stored with the tags).
        ``important``: only articles a wire marked important.
        """
        filters = make_filters(feed, site, since, until, stock, important)
        self._catch_up_index()
        return search_rows(self.db.conn, query, filters, limit, offset)

    def reader(self) -> sqlite3.Connection:
        """The connection for read-only queries of other modules (feeds out, the health report),
        with the search index caught up first."""
        self._catch_up_index()
        return self.db.conn

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

    def article(self, article_id: str) -> StoredArticle | None:
        """An article's stored fields as a record (for re-processing it), or None."""
        row = self.db.execute(
            "select id, feed, site, category, url, title, guid, published, updated, author, summary, flags "
            "from articles where id = ?", [article_id]).fetchone()
        if row is None:
            return None
        (id_, feed, site, category, url, title, guid, published, updated, author, summary, flags) = row
        return StoredArticle(
            id=id_, feed=feed, site=site, category=category, url=url, title=title, guid=guid or None,
            published=read_date(published), updated=read_date(updated), author=author or None,
            summary=summary or "", flags=tuple(json.loads(flags)) if flags else ())

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

    def raw_pages(
        self, feed: str | None = None, *, on_progress: Callable[[int, int], None] | None = None
    ) -> Iterator[RawPage]:
        """Stored pages for ``reparse``: id, url, feed, raw (bytes, decompressed), charset;
        ``on_progress(pages_done, pages_total)`` after each chunk read."""
        return rawpages.iter_pages(self.db.conn, self._codec, feed, on_progress=on_progress)

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

    def optimize(self, *, on_progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Merge the search index into one segment and refresh query-planner statistics.

        Optional maintenance (e.g. after a backfill, or daily in the daemon): searches read fewer
        index segments afterwards. Also prunes raw pages (``keep_raw``) and recompresses them with
        a dictionary per site (``compact_raw_pages``; ``on_progress(pages_done, pages_total)``).
        Returns the raw page counts: pages, trained, recompressed, pruned. Takes a while on big archives; safe to interrupt.
        """
        self.index_pending()
        now = datetime.now(UTC)
        pruned = self.prune_raw_pages(now=now)
        counts = self.compact_raw_pages(now=now, on_progress=on_progress)
        with self._transaction():
            self.db.execute("insert into articles_fts(articles_fts) values('optimize')")
        with self._gate.first():
            self.db.execute("pragma optimize")
        return {**counts, "pruned": pruned}

    # -- integrity and history ----------------------------------------------------------------

    def verify(self, *, repair: bool = False) -> VerifyReport:
        """Check database and files agree (see archive.verify)."""
        from archive.verify import verify_archive

        return verify_archive(self, repair=repair)

    def import_tree(
        self, directory: Path, *, now: datetime, clean: Callable[[Article], Article] | None = None,
        on_progress: Callable[[int, int], None] | None = None, workers: int = 0,
    ) -> ImportReport:
        """Import a Hexo posts tree written by the old system (see archive.importer).

        ``clean`` sanitizes each imported article as fetched ones are (jobs passes the scraper's
        ``clean_article``); without it bodies are stored as the files hold them.
        ``on_progress(files_done, files_total)`` after each stored batch and at the end.
        ``workers=1``: files are parsed and cleaned in a worker process while this one stores
        (``clean`` must then be a module-level function). The search index is built after, by
        ``index_pending`` or at ``close``."""
        from archive.importer import import_tree

        return import_tree(self, Path(directory), now=now, clean=clean, on_progress=on_progress, workers=workers)


__all__ = ["Archive", "StoreError"]
