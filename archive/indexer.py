"""The search index as its own stage: rows are committed first, indexed right after.

Making a story's CJK-bigram search text and indexing it costs more than storing the row and
writing its post (``benchmarks/bench_archive.py``), so ``Archive.store`` does neither. The row's
insert trigger queues its ``seq`` in ``fts_pending`` (archive.schema) in the same transaction;
this stage writes ``articles.search_title``/``search_body`` (the FTS table's external content)
and indexes them, and:

- an ``IndexWorker`` thread, started by the first ``store``, moves queued rows into
  ``articles_fts`` in small transactions whenever storing pauses for a moment (between polls,
  between a backfill's pages);
- every ``search``, ``export`` with a query and ``verify`` first indexes whatever is still
  queued, so a query never misses a stored article;
- ``Archive.close`` finishes the queue, and a queue left by a crash (kill -9) survives in the
  database and is indexed by the next search or store.

Writers in one process pass the archive's ``WriteGate`` before ``BEGIN IMMEDIATE``, so they hand
the write lock over at once instead of sleeping in SQLite's busy handler, and a storing thread
goes before the indexer's next chunk; other processes queue on the busy timeout as before.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from archive.textindex import index_text

logger = logging.getLogger(__name__)

CHUNK = 200  # rows per index transaction when a reader catches up (nobody of ours is waiting)
# Bytes of index data FTS5 gathers in memory before writing it out as a segment, while ``drain``
# indexes (its default, 1 MB, is a few dozen Chinese articles of bigrams: a 1,000-row chunk became
# dozens of small segments, merged again and again). Set around the inserts of each drain
# transaction that has rows to index and put back before its commit, so nothing of it outlives the transaction, whatever stops it
# (benchmarks/bench_fts_build.py: the build takes 25-40% less CPU, up to half the time).
BULK_HASHSIZE = 64 << 20
FTS_DEFAULT_HASHSIZE = 1 << 20  # FTS5's own default
BACKGROUND_CHUNK = 16  # rows per transaction of the background thread: ~15 ms a store may wait
QUIET = 0.05  # seconds without a store before the background thread indexes


class WriteGate:
    """One writer at a time within a process; ``first`` writers (storing) go before ``second``
    ones (the indexer) that are waiting."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._first_waiting = 0

    @contextmanager
    def first(self) -> Iterator[None]:
        with self._cond:
            self._first_waiting += 1
            try:
                self._cond.wait_for(lambda: not self._busy)
            finally:
                self._first_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def second(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._busy and not self._first_waiting)
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


def pending_count(conn: sqlite3.Connection) -> int:
    """Rows stored but not yet in the search index."""
    return int(conn.execute("select count(*) from fts_pending").fetchone()[0])


def index_chunk(conn: sqlite3.Connection, limit: int = CHUNK, *, hashsize: int | None = None) -> int:
    """Index up to ``limit`` queued rows, oldest first; call inside a write transaction.

    Writes each row's search text (archive.textindex.index_text of its title and plain text) into
    ``articles.search_title``/``search_body``, the FTS5 table's external content, then indexes it.
    ``hashsize``: FTS5's memory for them (``bulk_hashsize``) when there are rows to index.
    """
    rows = conn.execute(_QUEUED + " limit ?", (limit,)).fetchall()
    if not rows:
        return 0
    texts = _write_search_text(conn, rows)
    with bulk_hashsize(conn, hashsize) if hashsize else nullcontext():
        conn.executemany(
            "insert into articles_fts (rowid, search_title, search_body) values (?, ?, ?)",
            [(seq, title, body) for title, body, seq in texts],
        )
    conn.executemany("delete from fts_pending where seq = ?", [(r[0],) for r in rows])
    return len(rows)


def fill_search_text(conn: sqlite3.Connection) -> int:
    """Write the search text of every queued row without indexing it (before an FTS 'rebuild',
    which reads it); call inside a write transaction."""
    rows = conn.execute(_QUEUED).fetchall()
    _write_search_text(conn, rows)
    return len(rows)


_QUEUED = (
    "select q.seq, a.title, a.body_text, a.search_title, a.search_body from fts_pending q "
    "left join articles a on a.seq = q.seq order by q.seq"
)
Queued = tuple[int, str | None, str | None, str | None, str | None]


def _write_search_text(conn: sqlite3.Connection, rows: list[Queued]) -> list[tuple[str, str, int]]:
    """(search_title, search_body, seq) of ``rows`` (seq, title, body_text, search_title,
    search_body), written to ``articles`` where it is not there yet; rows whose article is gone are
    skipped. A row queued with its search text (stored with it: an import makes it in its parsing
    worker; a revision clears it) is indexed with that text. (The update trigger leaves the index
    alone: queued.)"""
    texts: list[tuple[str, str, int]] = []
    made: list[tuple[str, str, int]] = []
    for seq, title, body, search_title, search_body in rows:
        if title is None:
            continue
        if search_title is not None and search_body is not None:
            texts.append((search_title, search_body, seq))
        else:
            made.append((index_text(title), index_text(body or ""), seq))
    conn.executemany("update articles set search_title = ?, search_body = ? where seq = ?", made)
    return sorted(texts + made, key=lambda text: text[2])


@contextmanager
def bulk_hashsize(conn: sqlite3.Connection, size: int = BULK_HASHSIZE) -> Iterator[None]:
    """Within one write transaction: FTS5 keeps up to ``size`` bytes of new index data in memory
    (fewer, larger segments: less merging); its setting before is put back at the end, in the same
    transaction (an FTS5 setting is a row of ``articles_fts_config``), so a crash or an error rolls
    it back with the rest. (Setting it writes out what FTS5 holds in memory so far as a segment.)"""
    row = conn.execute("select v from articles_fts_config where k = 'hashsize'").fetchone()
    before = int(row[0]) if row else FTS_DEFAULT_HASHSIZE
    if before >= size:
        yield
        return
    conn.execute("insert into articles_fts (articles_fts, rank) values ('hashsize', ?)", (size,))
    yield
    conn.execute("insert into articles_fts (articles_fts, rank) values ('hashsize', ?)", (before,))


def drain(
    conn: sqlite3.Connection,
    transaction: Callable[[], AbstractContextManager[None]],
    *,
    stop: threading.Event | None = None,
    chunk: int = CHUNK,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Index every queued row, up to ``chunk`` per ``transaction()``; returns how many were indexed.
    ``on_progress(done, total)`` after each chunk (total: queued when it started, plus any since)."""
    total = 0
    queued = pending_count(conn) if on_progress is not None else 0
    while stop is None or not stop.is_set():
        with transaction():
            done = index_chunk(conn, chunk, hashsize=BULK_HASHSIZE)
        if not done:
            break
        total += done
        if on_progress is not None:
            on_progress(total, max(queued, total))
    return total


class IndexWorker:
    """A daemon thread that indexes ``fts_pending`` in the moments the archive is not storing.

    ``wake()`` says there is something to index; ``busy()`` that a store is starting or ending.
    The thread indexes one small chunk at a time once no store has happened for ``quiet``
    seconds: between a daemon's polls or a backfill's pages, the index is current within a
    moment of each store, while a bulk ingest that never pauses keeps the CPU for itself and its
    queue is indexed when it ends (``Archive.close``) or at the next search.

    ``open_connection`` makes the thread's own connection; ``transaction(conn)`` is the archive's
    write transaction for this thread. Errors (say, another process holding the write lock past
    the busy timeout) are logged and leave the queue for the next wake or search.
    """

    def __init__(
        self,
        open_connection: Callable[[], sqlite3.Connection],
        transaction: Callable[[sqlite3.Connection], AbstractContextManager[None]],
        *,
        quiet: float = QUIET,
    ) -> None:
        self._open = open_connection
        self._transaction = transaction
        self._quiet = quiet
        self._touched = time.monotonic()
        self._storing = False
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="archive-index", daemon=True)
        self._thread.start()

    def busy(self, storing: bool) -> None:
        """A store starts (``True``) or ends: no indexing until ``quiet`` seconds after it ends."""
        self._storing = storing
        self._touched = time.monotonic()

    def wake(self) -> None:
        """There is something to index."""
        self._wanted.set()

    def stop(self) -> None:
        """Stop after the current chunk; queued rows stay queued (the caller drains them)."""
        self._stop.set()
        self._wanted.set()
        self._thread.join()

    def _wait_quiet(self) -> bool:
        """Wait until no store happened for ``quiet`` seconds; False when stopping."""
        while not self._stop.is_set():
            idle = 0.0 if self._storing else time.monotonic() - self._touched
            if idle >= self._quiet:
                return True
            self._stop.wait(self._quiet - idle)
        return False

    def _run(self) -> None:
        conn = self._open()
        try:
            while True:
                self._wanted.wait()
                if not self._wait_quiet():
                    return
                self._wanted.clear()
                try:
                    with self._transaction(conn):
                        done = index_chunk(conn, BACKGROUND_CHUNK)
                except sqlite3.Error as exc:
                    logger.warning("search index: %s; queued articles will be indexed later", exc)
                    done = 0
                if done:
                    self._wanted.set()  # there may be more: go round, after a quiet moment again
        finally:
            conn.close()
