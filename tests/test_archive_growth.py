"""What keeps a store, and a page of a list, as cheap in a large archive as in a small one.

The lookups stay index lookups: EXPLAIN QUERY PLAN of the statements that storing and the
newest-first filters really run (captured from the connection), on a real archive. A full scan of
a table or a sort of every matching row costs in proportion to the archive. And the WAL is
checkpointed at WAL_CHECKPOINT_PAGES, not at SQLite's 1,000 (benchmarks/bench_growth.py)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from archive import Archive
from archive.schema import WAL_CHECKPOINT_PAGES
from tests.archive_support import NOW, SEED_PUBLISHED, make_article

# rows of the statement's own making (a CTE, a subquery, a joined page of ids), not of a table
SMALL_SOURCES = re.compile(r"^SCAN (hits|r|\(subquery-\d+\)|CONSTANT ROW|main\.articles_fts_config)\b")


@contextmanager
def statements(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The SELECTs run on ``conn`` meanwhile, with their values bound in."""
    seen: list[str] = []

    def trace(sql: str) -> None:
        if re.match(r"\s*(select|with)\b", sql, re.IGNORECASE):
            seen.append(sql)

    conn.set_trace_callback(trace)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def plans(conn: sqlite3.Connection, sqls: list[str]) -> dict[str, list[str]]:
    return {sql: [row[3] for row in conn.execute("explain query plan " + sql)] for sql in sqls}


def fill(archive: Archive, count: int = 30) -> None:
    archive.store(
        [
            make_article(
                guid=f"g{n}", url=f"https://a.example/{n}", feed=f"feed-{n % 3}", site=f"site-{n % 2}",
                title=f"第{n}条 市场消息", body_text=f"第{n}条消息：今日市场成交{n}亿元，板块轮动加快。" * 6,
                published=SEED_PUBLISHED + timedelta(minutes=n), important=n % 5 == 0,
            )
            for n in range(count)
        ],
        now=NOW,
    )


def run(archive: Archive, action: Callable[[], object]) -> dict[str, list[str]]:
    conn = archive.db.conn
    with statements(conn) as seen:
        action()
    assert seen, "no statement captured"
    return plans(conn, seen)


def test_storing_reads_no_table_in_full(archive: Archive) -> None:
    fill(archive)
    incoming = [
        make_article(guid="new", url="https://a.example/new", title="新消息", body_text="全新的内容，今日发布。" * 8,
                     published=SEED_PUBLISHED + timedelta(hours=2)),
        make_article(guid="g3", url="https://a.example/3", feed="feed-0", title="第3条 市场消息 更新",
                     body_text="更新后的内容。" * 8, published=SEED_PUBLISHED + timedelta(minutes=3)),
        make_article(guid="other", url="https://a.example/4", feed="feed-9", title="第4条 市场消息",
                     body_text="第4条消息：今日市场成交4亿元，板块轮动加快。" * 6,
                     published=SEED_PUBLISHED + timedelta(minutes=4)),
    ]
    found = run(archive, lambda: archive.store(incoming, now=NOW))
    for sql, plan in found.items():
        scans = [line for line in plan if line.startswith("SCAN") and not SMALL_SOURCES.match(line)]
        assert not scans, f"{sql}\n{plan}"


def test_a_page_of_one_site_or_of_important_articles_is_read_in_order(archive: Archive) -> None:
    fill(archive)
    for action in (lambda: archive.search("", site="site-1", limit=5),
                   lambda: archive.search("", important=True, limit=5)):
        found = run(archive, action)
        listing = [plan for sql, plan in found.items() if "order by a.seq desc" in sql]
        assert listing, found
        for plan in listing:
            assert not any("TEMP B-TREE" in line for line in plan), plan
            assert any(re.match(r"SEARCH a USING (COVERING )?INDEX idx_articles_(site|important) ", line)
                       for line in plan), plan


def test_every_writing_connection_checkpoints_at_the_archive_s_own_wal_size(archive: Archive) -> None:
    fill(archive)
    archive.index_pending()
    assert archive.db.conn.execute("pragma wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
    worker = archive._open_connection()  # the background indexer's connection
    try:
        assert worker.execute("pragma wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
    finally:
        worker.close()
