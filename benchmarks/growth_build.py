"""Building the growth benchmark's archives fast: set-up, not what the benchmark measures.

``bulk_build`` writes, for N synthetic articles (bench_archive_synth), the rows the real store path
writes for a new article (``archive.store.BatchWriter._insert`` then ``archive.indexer.index_chunk``):
``articles`` (with its search text), ``article_feeds``, ``article_keys``, ``article_urls``,
``minhash``, ``audit``, the ``fts_pending`` queue (its insert trigger) emptied as the indexer does,
and ``articles_fts``; every index of the schema is present while the rows go in, so the b-trees grow
as they do under real ingest. How it differs from ingest, and why the result is the same archive:

- The dedup lookups are not run: every synthetic article is distinct (a real-path build of them
  records ``new`` for each one), so the decision is known. ``check`` builds a small archive both
  ways and compares every table row by row and the search index by queries (``--check-build``).
- Articles are made and prepared in worker processes (``prepare_batch``, ids, seq, post paths,
  the CJK search text: all pure), and the main process inserts them with ``executemany``, 20,000
  articles per transaction, search index included.
- Build-only pragmas: ``synchronous=OFF`` and a 2 GB page cache (a crash of the build loses the
  build, never a user's data; the measured runs open the archive with newsroll's own settings).
- A row is written once with its search text, where ingest writes it and then updates it: the
  pages hold the same rows, possibly packed a little tighter.
- No post files, no raw pages (the measured articles have both), no stock tags (the synthetic
  articles have none).
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench_archive_synth import ArticleFactory, Vocabulary

from archive import Archive, identity
from archive.files import post_path
from archive.models import iso
from archive.prepare import Prepared, prepare_batch, seq_base, sketch_text
from archive.store import BatchWriter
from archive.textindex import index_text

CHUNK = 2000  # articles per worker job
TRANSACTION = 20_000  # articles per build transaction
BUILD_CACHE_KIB = 2 * 1024 * 1024
WORKERS = 2
ARTICLE_ROW = (
    "seq", "id", "feed", "site", "category", "title", "url", "canonical_url", "guid", "published", "updated",
    "author", "source", "editor", "image", "summary", "body_html", "body_text", "flags", "rules", "important",
    "content_hash", "version_hash", "sketch", "duplicate_of", "path", "revisions", "first_seen", "last_changed",
    "search_title", "search_body",
)
TABLES = ("articles", "article_feeds", "article_keys", "article_urls", "minhash", "audit")
Rows = dict[str, list[tuple[Any, ...]]]


@lru_cache(maxsize=1)
def _vocabulary() -> Vocabulary:
    return Vocabulary()


def _prepared(first: int, count: int, body_chars: int) -> list[Prepared]:
    factory = ArticleFactory(_vocabulary(), seed=1 + first, body_chars=body_chars)
    return prepare_batch(list(factory.articles(count, first=first)))


def new_article_rows(p: Prepared, now: str) -> Rows:
    """The rows ``BatchWriter._insert`` (decision ``new``) and the indexer write for ``p``."""
    a = p.article
    article_id = identity.article_id(p.key)
    seq = seq_base(a.published)  # synthetic articles are minutes apart: the first slot is free
    article = {
        "seq": seq, "id": article_id, "feed": a.feed, "site": a.site, "category": a.category, "title": a.title,
        "url": a.url, "canonical_url": identity.clean_url(a.canonical_url or a.url), "guid": a.guid,
        "published": p.published, "updated": iso(a.updated) if a.updated else None, "author": a.author,
        "source": a.source, "editor": a.editor, "image": a.image or "", "summary": a.summary,
        "body_html": a.body_html, "body_text": a.body_text, "flags": p.flags, "rules": a.rules,
        "important": None if a.important is None else int(a.important), "content_hash": p.content_hash,
        "version_hash": p.version_hash, "sketch": sketch_text(p), "duplicate_of": None,
        "path": post_path(article_id, a.published), "revisions": 1, "first_seen": now, "last_changed": now,
        "search_title": index_text(a.title or ""), "search_body": index_text(a.body_text or ""),
    }
    return {
        "articles": [tuple(article[c] for c in ARTICLE_ROW)],
        "article_feeds": [(article_id, a.feed, now)],
        "article_keys": [(p.key, article_id, a.feed, a.guid, p.url_key, p.key_rule, a.item_fingerprint,
                          p.version_hash, now)],
        "article_urls": [(k, article_id) for k in p.url_keys],
        "minhash": [(h, seq) for h in p.sketch],
        "audit": [(now, article_id, "new", "new", a.feed, p.key, None, a.url)],
    }


def _rows_job(job: tuple[int, int, int, str]) -> Rows:
    """Worker process: the rows of articles ``first`` … ``first + count``."""
    first, count, body_chars, now = job
    out: Rows = {t: [] for t in TABLES}
    for p in _prepared(first, count, body_chars):
        for table, rows in new_article_rows(p, now).items():
            out[table].extend(rows)
    return out


INSERTS = {
    "articles": f"insert into articles ({', '.join(ARTICLE_ROW)}) values ({', '.join('?' * len(ARTICLE_ROW))})",
    "article_feeds": "insert into article_feeds (article_id, feed, first_seen) values (?, ?, ?)",
    "article_keys": "insert or replace into article_keys (key, article_id, feed, guid, url_key, rule, "
                    "item_fingerprint, version_hash, first_seen) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "article_urls": "insert or ignore into article_urls (url_key, article_id) values (?, ?)",
    "minhash": "insert into minhash (h, seq) values (?, ?)",
    "audit": "insert into audit (at, article_id, action, rule, feed, key, other_id, detail) "
             "values (?, ?, ?, ?, ?, ?, ?, ?)",
}


def _write(conn: sqlite3.Connection, rows: Rows) -> None:
    for table in TABLES:
        conn.executemany(INSERTS[table], rows[table])
    indexed = [(r[0], r[-2], r[-1]) for r in rows["articles"]]  # seq, search_title, search_body
    conn.executemany("insert into articles_fts (rowid, search_title, search_body) values (?, ?, ?)", indexed)
    conn.executemany("delete from fts_pending where seq = ?", [(r[0],) for r in indexed])


def bulk_build(path: Path, first: int, size: int, body_chars: int, now: datetime, log: bool = True) -> None:
    """Add articles ``first`` … ``size - 1`` to the archive at ``path`` (see the module docstring)."""
    jobs = [(n, min(CHUNK, size - n), body_chars, iso(now)) for n in range(first, size, CHUNK)]
    start = time.perf_counter()
    with Archive(path, path.parent / "posts", background_index=False) as archive, \
            multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        conn = archive.db.conn
        conn.execute("pragma synchronous=OFF")
        conn.execute(f"pragma cache_size=-{BUILD_CACHE_KIB}")
        done = first
        for group in _groups(_bounded(pool, jobs), TRANSACTION // CHUNK):
            with archive._transaction():
                for rows in group:
                    _write(conn, rows)
                    done += len(rows["articles"])
            if log:
                print(f"  built {done} in {time.perf_counter() - start:.0f}s", file=sys.stderr, flush=True)
        conn.execute("pragma wal_checkpoint(TRUNCATE)")
        conn.execute("pragma optimize")


def _bounded(pool: Any, jobs: list[tuple[int, int, int, str]], ahead: int = 2 * WORKERS) -> Iterator[Rows]:
    """The workers' rows in job order, at most ``ahead`` jobs ahead of the writer (bounded memory)."""
    queued: deque[Any] = deque()
    for job in jobs:
        queued.append(pool.apply_async(_rows_job, (job,)))
        if len(queued) > ahead:
            yield queued.popleft().get()
    while queued:
        yield queued.popleft().get()


def _groups(items: Iterator[Rows], n: int) -> Iterator[list[Rows]]:
    group: list[Rows] = []
    for item in items:
        group.append(item)
        if len(group) == n:
            yield group
            group = []
    if group:
        yield group


def real_build(path: Path, size: int, body_chars: int, now: datetime) -> None:
    """The same articles through the real store path (``BatchWriter.apply`` and the indexer)."""
    with Archive(path, path.parent / "posts", background_index=False) as archive:
        for first in range(0, size, CHUNK):
            writer = BatchWriter(archive.db, now)
            with archive._transaction():
                for p in _prepared(first, min(CHUNK, size - first), body_chars):
                    writer.apply(p)
                archive.db.execute("delete from pending_files")  # no post files in either build
        archive.index_pending()


def _table_rows(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    try:  # rowid order too: minhash buckets are read newest rowid first
        return conn.execute(f"select rowid, * from [{table}] order by rowid").fetchall()
    except sqlite3.OperationalError:  # a WITHOUT ROWID table
        return sorted(conn.execute(f"select * from [{table}]").fetchall(), key=repr)


def check(size: int = 3000, body_chars: int = 400, now: datetime | None = None) -> list[str]:
    """Build ``size`` articles both ways; the differences found (none: the bulk build is faithful)."""
    when = now or datetime.fromisoformat("2024-06-01T00:00:00+00:00")
    with tempfile.TemporaryDirectory(prefix="nr-growth-check-") as tmp:
        bulk, real = Path(tmp) / "bulk" / "archive.db", Path(tmp) / "real" / "archive.db"
        bulk_build(bulk, 0, size, body_chars, when, log=False)
        real_build(real, size, body_chars, when)
        a, b = sqlite3.connect(bulk), sqlite3.connect(real)
        problems = []
        names = [r[0] for r in b.execute("select name from sqlite_master where type = 'table' "
                                          "and name not like 'articles_fts%' and name not like 'sqlite_%'")]
        for table in names:
            if _table_rows(a, table) != _table_rows(b, table):
                problems.append(f"table {table} differs")
        for term in ("投资", "市场", "growth", "market", "股"):
            query = "select rowid from articles_fts where articles_fts match ? order by rowid"
            phrase = f'"{index_text(term)}"' + ("*" if len(term) == 1 else "")
            if a.execute(query, (phrase,)).fetchall() != b.execute(query, (phrase,)).fetchall():
                problems.append(f"search {term!r} differs")
        for conn in (a, b):
            conn.execute("insert into articles_fts (articles_fts) values ('integrity-check')")
        counts = a.execute("select count(*) from articles").fetchone(), b.execute("select count(*) from articles").fetchone()
        if counts != ((size,), (size,)):
            problems.append(f"article counts {counts}")
        a.close()
        b.close()
        return problems
