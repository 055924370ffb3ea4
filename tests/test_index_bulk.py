"""The search index built in bulk (archive.indexer.drain: ``index_pending``, what ``newsroll import``
runs after storing): FTS5's in-memory ``hashsize`` raised for each transaction and put back before
its commit. The index it builds holds exactly what the plain build holds (every term, article,
column and position, read through ``fts5vocab``), the setting never outlives a transaction, and a
kill -9 in the middle of a build loses nothing: the next open finishes it.

Real SQLite files and a real subprocess killed in the middle of a transaction.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from archive import Archive
from archive.indexer import bulk_hashsize, index_chunk
from scraper.models import Article
from tests.archive_support import BODY_EN, BODY_ZH, NOW
from tests.test_index_queue import check_fts, raw_match, run_child, story

ARTICLES = 120


def index_content(db: Path) -> list[tuple[object, ...]]:
    """Every (term, article, column, offset) of the FTS index, as FTS5 itself reads it."""
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("create virtual table temp.vocab using fts5vocab(main, articles_fts, instance)")
        return conn.execute("select term, doc, col, offset from vocab order by 1, 2, 3, 4").fetchall()


def ids_found(hits: list[dict[str, object]]) -> int:
    return len({h["id"] for h in hits})


def hashsize_setting(db: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("select v from articles_fts_config where k = 'hashsize'").fetchall()


def stories() -> list[Article]:
    return [story("bulk", n, BODY_ZH if n % 3 else BODY_EN) for n in range(ARTICLES)]


def test_bulk_build_indexes_exactly_what_the_plain_build_does(tmp_path: Path) -> None:
    plain_db, bulk_db = tmp_path / "plain" / "archive.db", tmp_path / "bulk" / "archive.db"
    with Archive(plain_db, tmp_path / "plain" / "posts", background_index=False) as arch:
        arch.store(stories(), now=NOW)
        conn = arch.db.conn
        while True:  # the plain path: FTS5's own 1 MB, small transactions
            with conn:
                if not index_chunk(conn, 7):
                    break
        check_fts(conn)
    with Archive(bulk_db, tmp_path / "bulk" / "posts", background_index=False) as arch:
        arch.store(stories(), now=NOW)
        with arch.db.conn as conn, bulk_hashsize(conn, 256 << 20):
            index_chunk(conn, ARTICLES // 2)
        assert arch.index_pending(chunk=1000) == ARTICLES - ARTICLES // 2
        check_fts(arch.db.conn)
    assert index_content(bulk_db) == index_content(plain_db)
    assert len(index_content(bulk_db)) > ARTICLES * 50
    for query in ('"招商 商引"', '"浙江 江省"', "bulk7x", "Federal"):
        assert raw_match(bulk_db, query) == raw_match(plain_db, query)
    assert raw_match(bulk_db, '"招商 商引"')  # the queries find something
    assert hashsize_setting(bulk_db) in ([], [(1 << 20,)])  # FTS5's default, as before


def test_setting_is_put_back_and_rolled_back_on_an_error(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db, tmp_path / "posts", background_index=False) as arch:
        assert arch.index_pending() == 0
        assert hashsize_setting(db) == []  # nothing to index: the setting is not even touched
        arch.store(stories()[:5], now=NOW)
        conn = arch.db.conn
        with pytest.raises(RuntimeError), conn, bulk_hashsize(conn):
            assert conn.execute("select v from articles_fts_config where k = 'hashsize'").fetchone() == (64 << 20,)
            index_chunk(conn)
            raise RuntimeError("stop")
        assert arch.pending_index() == 5  # the whole transaction rolled back
        assert hashsize_setting(db) == []
        assert arch.index_pending() == 5
        check_fts(conn)
    assert hashsize_setting(db) == [(1 << 20,)]


KILLED_BUILD = """
import os, sys
from pathlib import Path
from archive import Archive, indexer
from tests.test_index_bulk import stories
from tests.archive_support import NOW
arch = Archive(Path(sys.argv[1]), Path(sys.argv[2]), background_index=False)
arch.store(stories(), now=NOW)
plain = indexer.index_chunk
calls = []
def dying(conn, limit=indexer.CHUNK, **options):
    done = plain(conn, limit, **options)
    calls.append(done)
    if len(calls) == 2:  # inside the second transaction, its rows inserted, nothing committed
        print(arch.pending_index(), flush=True)
        os._exit(9)
    return done
indexer.index_chunk = dying
arch.index_pending(chunk=50)
"""


def test_kill_in_the_middle_of_a_build_loses_nothing_and_the_next_open_finishes_it(tmp_path: Path) -> None:
    db, posts = tmp_path / "archive.db", tmp_path / "posts"
    child = run_child(KILLED_BUILD, str(db), str(posts))
    assert child.returncode == 9, child.stderr[-2000:]
    assert child.stdout.strip() == str(ARTICLES - 100)  # as the dying transaction saw it
    with Archive(db, posts, background_index=False) as arch:
        assert arch.pending_index() == ARTICLES - 50  # the first chunk committed, the second not
        assert hashsize_setting(db) == [(1 << 20,)]  # put back by the committed chunk
        assert ids_found(arch.search("bulk119x")) == 1  # a search catches up first
        assert arch.pending_index() == 0
        check_fts(arch.db.conn)
        assert arch.verify().ok
    assert len(raw_match(db, '"招商 商引"')) == sum(1 for n in range(ARTICLES) if n % 3)
    assert raw_match(db, "bulk119x") and raw_match(db, "bulk0x")
