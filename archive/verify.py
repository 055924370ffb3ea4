"""``verify``: the database is sound and every post file is exactly what the database renders.

Posts another live newsroll process is writing at that moment are skipped.

Checks: SQLite ``quick_check``; every stored date is in the archive's own form (``YYYY-MM-DDTHH:MM:SSZ``;
versions before the fix wrote years before 1000 unpadded, which other readers reject: repair rewrites
them in place, same moment); the FTS index agrees with ``articles``; no posts pending; every
article's file exists with the content rendered from its row (byte for byte); no temporary files;
no orphans (files under posts_dir that no article owns). ``repair=True`` rewrites missing or stale
posts, finishes pending ones, removes temp files and rebuilds a damaged FTS index; orphans are only
reported (they may be someone's own files). The report is ``ok`` when nothing is wrong *after* repair.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from archive.files import pid_alive, read_text, unsafe_post_path, walk_posts, write_atomic
from archive.indexer import fill_search_text, index_chunk
from archive.models import VerifyReport, iso, read_date
from archive.posts import post_text_for_row
from archive.search import feeds_of

if TYPE_CHECKING:
    from archive.archive import Archive

logger = logging.getLogger(__name__)
CHUNK = 1000


def verify_archive(archive: Archive, *, repair: bool) -> VerifyReport:
    problems: list[str] = []
    repaired: list[str] = []
    conn = archive.db.conn
    _check_database(archive, repair, problems, repaired)
    _check_dates(archive, repair, problems, repaired)
    mine = os.getpid()
    in_flight: set[str] = set()  # posts another live newsroll is writing right now
    pending = []
    for article_id, owner in conn.execute("select article_id, owner from pending_files").fetchall():
        if owner is not None and owner != mine and pid_alive(int(owner)):
            in_flight.add(article_id)
        else:
            pending.append(article_id)
    if pending:
        if repair:
            archive.finish_pending()
            repaired.append(f"wrote {len(pending)} pending posts")
        else:
            problems.append(f"{len(pending)} posts committed but not written (pending)")
    known: set[str] = set()
    checked = 0
    last_rowid = -(2**63)  # seq is negative for articles published before 1970
    while True:
        cur = conn.execute("select * from articles where seq > ? order by seq limit ?", (last_rowid, CHUNK))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if not rows:
            break
        last_rowid = rows[-1]["seq"]
        feeds = feeds_of(conn, [r["id"] for r in rows])
        archive.add_post_tags(rows)
        for row in rows:
            checked += 1
            known.add(row["path"])
            if row["id"] in in_flight:
                continue
            _check_post(
                archive.posts_dir, row, feeds.get(row["id"], [row["feed"]]), repair, problems, repaired
            )
    orphans: list[str] = []
    for rel, is_temp in walk_posts(archive.posts_dir):
        if is_temp:
            if repair:
                (archive.posts_dir / rel).unlink(missing_ok=True)
                repaired.append(f"removed temp file {rel}")
            else:
                problems.append(f"temp file left: {rel}")
        elif rel not in known:
            orphans.append(rel)
    problems.extend(f"orphan file (no article): {rel}" for rel in orphans)
    logger.info(
        "verify: %d articles, %d problems, %d repaired, %d orphans",
        checked,
        len(problems),
        len(repaired),
        len(orphans),
    )
    return VerifyReport(
        ok=not problems, problems=problems, repaired=repaired, orphans=orphans, checked=checked
    )


def _check_database(archive: Archive, repair: bool, problems: list[str], repaired: list[str]) -> None:
    conn = archive.db.conn
    result = conn.execute("pragma quick_check").fetchone()[0]
    if result != "ok":
        problems.append(f"sqlite quick_check: {result}")
    try:
        # one write transaction: index what is queued, then check the index against the rows
        # (rank = 1: also compare with the content, not only the index's own structure)
        with archive._transaction():  # noqa: SLF001 (the archive's own lock)
            while index_chunk(conn):
                pass
            conn.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            problems.append(f"search index not checked: {exc}")
            return
        _index_problem(archive, repair, exc, problems, repaired)
    except sqlite3.DatabaseError as exc:
        _index_problem(archive, repair, exc, problems, repaired)


_DATE_FORM = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z"


def _check_dates(archive: Archive, repair: bool, problems: list[str], repaired: list[str]) -> None:
    conn = archive.db.conn
    for column in ("published", "updated"):
        rows = conn.execute(
            f"select id, {column}, first_seen from articles where {column} is not null "  # noqa: S608 (fixed names)
            f"and {column} not glob ?", (_DATE_FORM,)).fetchall()
        for article_id, value, first_seen in rows:
            moment = read_date(value)
            if moment is None and column == "published":
                moment = read_date(first_seen)
            fixed = iso(moment) if moment is not None else None
            if not repair:
                problems.append(f"article {article_id}: {column} stored as {value!r}, not YYYY-MM-DDTHH:MM:SSZ")
                continue
            with archive._transaction():  # noqa: SLF001 (the archive's own lock)
                conn.execute(f"update articles set {column} = ? where id = ?", (fixed, article_id))  # noqa: S608
            repaired.append(f"article {article_id}: {column} {value!r} rewritten as {fixed!r}")


def _index_problem(
    archive: Archive, repair: bool, exc: sqlite3.DatabaseError, problems: list[str], repaired: list[str]
) -> None:
    if not repair:
        problems.append(f"search index: {exc}")
        return
    conn = archive.db.conn
    with archive._transaction():  # noqa: SLF001 (the archive's own lock)
        fill_search_text(conn)  # queued rows get their search text before the rebuild reads it
        archive.db.table("articles").rebuild_fts()
        conn.execute("delete from fts_pending")  # the rebuild indexed every row
    repaired.append("rebuilt the search index")


def _check_post(
    posts_dir: Path,
    row: dict[str, object],
    feeds: list[str],
    repair: bool,
    problems: list[str],
    repaired: list[str],
) -> None:
    rel = str(row["path"])
    unsafe = unsafe_post_path(posts_dir, rel)
    if unsafe is not None:  # never read, never written through: reported for a person to look at
        problems.append(f"{unsafe}: {rel} ({row['id']}); left as it is")
        return
    expected = post_text_for_row(row, feeds)
    target = posts_dir / rel
    actual = read_text(target)
    if actual == expected:
        return
    what = "missing" if actual is None and not target.exists() else "stale"
    if repair:
        write_atomic(target, expected)
        repaired.append(f"rewrote {what} post {rel} ({row['id']})")
    else:
        problems.append(f"{what} post {rel} ({row['id']})")
