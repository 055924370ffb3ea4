"""The search index as its own stage (archive.indexer): the ``fts_pending`` queue and its triggers,
the background indexer, catching up before a search, revisions and deletes of queued and indexed
rows, the version-1 migration, a crash before indexing, two processes, and the ``WriteGate``.

Real SQLite files, real threads, real subprocesses. The FTS index is checked with both FTS5
``integrity-check`` forms: the plain one (the index is sound) and ``rank = 1`` (the index agrees
with the ``articles`` rows, which the plain form does not check for an external-content table).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from pathlib import Path

import pytest

from archive import Archive
from archive.indexer import WriteGate
from archive.models import StoreResult
from scraper.models import Article
from tests.archive_support import BODY_EN, BODY_ZH, NOW, make_article

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 10.0  # seconds any wait in this file may take before the test fails
# what a Datasette user (or any plain SQLite client) runs against the FTS table
RAW_MATCH = (
    "select id from articles where rowid in "
    "(select rowid from articles_fts where articles_fts match ?) order by id"
)


def story(tag: str, n: int, body: str = BODY_EN, **changes: object) -> Article:
    """A distinct article: its own guid, link and title; its body carries the word ``{tag}{n}x``."""
    link = f"https://news.example/{tag}/{n}.html"
    fields: dict[str, object] = dict(
        guid=link, url=link, title=f"Story {tag} {n}", body_text=f"{body} {tag}{n}x"
    )
    fields.update(changes)
    return make_article(**fields)


def raw_match(db: Path, query: str) -> list[str]:
    """Ids the FTS table alone matches, read on a connection of its own (not the archive's)."""
    with closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute(RAW_MATCH, (query,))]


def check_fts(conn: sqlite3.Connection) -> None:
    """Raise if the FTS index is damaged or disagrees with ``articles`` (call with nothing queued)."""
    try:
        conn.execute("insert into articles_fts(articles_fts) values('integrity-check')")
        conn.execute("insert into articles_fts(articles_fts, rank) values('integrity-check', 1)")
    finally:
        if conn.in_transaction:
            conn.rollback()


def check_fts_file(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        check_fts(conn)


def queued_seqs(db: Path) -> set[int]:
    with closing(sqlite3.connect(db)) as conn:
        return {r[0] for r in conn.execute("select seq from fts_pending")}


def ids(hits: list[dict[str, object]]) -> list[str]:
    return sorted(str(h["id"]) for h in hits)


def wait_until(condition: Callable[[], bool], timeout: float = DEADLINE) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def run_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the repository importable."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "archive.db", tmp_path / "posts"


# -- 1. queued until a search catches up ------------------------------------------------------


def test_without_background_rows_stay_queued_until_a_search(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        zh, en = arch.store([story("zh", 1, BODY_ZH, title="浙江招商"), story("en", 2)], now=NOW)
        assert arch.pending_index() == 2
        assert queued_seqs(db) and len(queued_seqs(db)) == 2
        time.sleep(0.2)  # longer than the background indexer's quiet time: nobody indexes here
        assert arch.pending_index() == 2
        assert raw_match(db, '"股市"') == []
        assert raw_match(db, "Federal") == []

        assert ids(arch.search("股市")) == [zh.id]
        assert arch.pending_index() == 0
        assert raw_match(db, '"股市"') == [zh.id]  # now in the index for any client
        assert ids(arch.search("Federal")) == [en.id]
        assert ids(arch.search("招商引资")) == [zh.id]
        assert raw_match(db, "Federal") == [en.id]
        check_fts(arch.db.conn)


def test_index_pending_returns_how_many_it_indexed(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        arch.store([story("n", i) for i in range(5)], now=NOW)
        assert arch.pending_index() == 5
        assert arch.index_pending() == 5
        assert arch.pending_index() == 0
        assert arch.index_pending() == 0
        assert len(raw_match(db, "Federal")) == 5


def test_export_with_a_query_catches_up(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        [stored] = arch.store([story("ex", 1)], now=NOW)
        assert arch.pending_index() == 1
        assert [row["id"] for row in arch.export(query="ex1x")] == [stored.id]
        assert arch.pending_index() == 0


# -- 2. the background indexer ----------------------------------------------------------------


def test_background_indexer_empties_the_queue_without_another_call(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts) as arch:
        stored = arch.store([story("bg", i, BODY_ZH) for i in range(40)], now=NOW)
        # more than one background chunk: the thread goes round until the queue is empty
        assert wait_until(lambda: arch.pending_index() == 0), arch.pending_index()
        assert queued_seqs(db) == set()
        assert raw_match(db, '"股市"') == sorted(r.id for r in stored)
        assert raw_match(db, "bg7x") == [stored[7].id]
        check_fts(arch.db.conn)


# -- 3. revisions -------------------------------------------------------------------------------


@pytest.mark.parametrize("background", [False, True], ids=["foreground", "background"])
def test_revision_of_an_indexed_article_replaces_its_index_entry(
    paths: tuple[Path, Path], background: bool
) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=background) as arch:
        [first] = arch.store([story("rev", 1, body="oldword in the first version")], now=NOW)
        arch.index_pending()
        assert arch.pending_index() == 0
        assert raw_match(db, "oldword") == [first.id]

        [second] = arch.store([story("rev", 1, body="newword in the second version")], now=NOW)
        assert second.status == "updated" and second.id == first.id
        # the update trigger took the old text out of the index in the storing transaction
        assert raw_match(db, "oldword") == []

        assert ids(arch.search("newword")) == [first.id]
        assert arch.search("oldword") == []
        assert arch.pending_index() == 0
        assert raw_match(db, "newword") == [first.id]
        check_fts(arch.db.conn)
        assert arch.count() == 1


def test_revision_while_still_queued_indexes_only_the_new_text(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        [first] = arch.store([story("rev", 1, body="oldword in the first version")], now=NOW)
        assert arch.pending_index() == 1
        [second] = arch.store([story("rev", 1, body="newword in the second version")], now=NOW)
        assert second.status == "updated" and second.id == first.id
        assert arch.pending_index() == 1  # queued once, not twice
        assert raw_match(db, "oldword") == [] and raw_match(db, "newword") == []

        assert ids(arch.search("newword")) == [first.id]
        assert arch.search("oldword") == []
        assert arch.pending_index() == 0
        check_fts(arch.db.conn)


def test_several_revisions_between_two_indexings(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        [first] = arch.store([story("rev", 1, body="alphaword first")], now=NOW)
        arch.index_pending()
        arch.store([story("rev", 1, body="betaword second")], now=NOW)
        arch.store([story("rev", 1, body="gammaword third")], now=NOW)
        assert arch.pending_index() == 1
        assert ids(arch.search("gammaword")) == [first.id]
        assert arch.search("alphaword") == [] and arch.search("betaword") == []
        check_fts(arch.db.conn)


# -- 4. rows deleted by hand ------------------------------------------------------------------


def test_deleting_indexed_and_queued_rows_directly(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        indexed, kept = arch.store([story("del", 1), story("keep", 2)], now=NOW)
        assert arch.index_pending() == 2
        [queued] = arch.store([story("del", 3)], now=NOW)
        assert arch.pending_index() == 1
        with closing(sqlite3.connect(db)) as conn:
            seqs = {
                r[0]
                for r in conn.execute("select seq from articles where id in (?, ?)", (indexed.id, queued.id))
            }
            assert len(seqs) == 2 and seqs & queued_seqs(db)
            with conn:  # commits
                for article_id in (indexed.id, queued.id):
                    conn.execute("delete from articles where id = ?", (article_id,))
            assert not seqs & {r[0] for r in conn.execute("select seq from fts_pending")}
            check_fts(conn)

        assert arch.pending_index() == 0
        assert raw_match(db, "Federal") == [kept.id]
        assert ids(arch.search("Federal")) == [kept.id]
        assert arch.search("del1x") == [] and arch.search("del3x") == []
        check_fts(arch.db.conn)


# -- 5. migration from version 1 ----------------------------------------------------------------

SQLITE_UTILS_TRIGGERS = """
CREATE TRIGGER [articles_ai] AFTER INSERT ON [articles] BEGIN
  INSERT INTO [articles_fts] (rowid, [search_title], [search_body])
  VALUES (new.rowid, new.[search_title], new.[search_body]);
END;
CREATE TRIGGER [articles_ad] AFTER DELETE ON [articles] BEGIN
  INSERT INTO [articles_fts] ([articles_fts], rowid, [search_title], [search_body])
  VALUES('delete', old.rowid, old.[search_title], old.[search_body]);
END;
CREATE TRIGGER [articles_au] AFTER UPDATE ON [articles] BEGIN
  INSERT INTO [articles_fts] ([articles_fts], rowid, [search_title], [search_body])
  VALUES('delete', old.rowid, old.[search_title], old.[search_body]);
  INSERT INTO [articles_fts] (rowid, [search_title], [search_body])
  VALUES (new.rowid, new.[search_title], new.[search_body]);
END;
"""


def make_version_1(db: Path, *, triggers: bool) -> None:
    with closing(sqlite3.connect(db)) as conn:
        with conn:
            conn.execute("drop table fts_pending")
            for name in ("articles_ai", "articles_ad", "articles_au"):
                conn.execute(f"drop trigger {name}")
            conn.execute("update meta set value = '1' where key = 'schema_version'")
        if triggers:
            conn.executescript(SQLITE_UTILS_TRIGGERS)
        names = {r[0] for r in conn.execute("select name from sqlite_master")}
        assert "fts_pending" not in names
        assert ("articles_ai" in names) == triggers


@pytest.mark.parametrize("triggers", [True, False], ids=["sqlite-utils-triggers", "no-triggers"])
def test_version_1_database_is_migrated_on_open(paths: tuple[Path, Path], triggers: bool) -> None:
    db, posts = paths
    with Archive(db, posts) as arch:
        old = arch.store([story("old", 1), story("old", 2, BODY_ZH)], now=NOW)
    make_version_1(db, triggers=triggers)

    with Archive(db, posts, background_index=False) as arch:
        version = arch.db.execute("select value from meta where key = 'schema_version'").fetchone()[0]
        assert version == "2"
        assert arch.db.table("fts_pending").exists()
        for name in ("articles_ai", "articles_ad", "articles_au"):
            sql = arch.db.execute("select sql from sqlite_master where name = ?", (name,)).fetchone()
            assert sql is not None and "fts_pending" in sql[0], name
        assert arch.pending_index() == 0  # version 1 indexed everything synchronously

        [new] = arch.store([story("new", 3)], now=NOW)
        assert arch.pending_index() == 1  # queued, not indexed by a leftover synchronous trigger
        assert ids(arch.search("new3x")) == [new.id]
        assert ids(arch.search("old1x")) == [old[0].id]
        assert ids(arch.search("股市")) == [old[1].id]
        assert ids(arch.search("Federal")) == sorted([old[0].id, new.id])
        [revised] = arch.store([story("old", 1, body="revisedword")], now=NOW)
        assert revised.status == "updated"
        assert ids(arch.search("revisedword")) == [old[0].id]
        assert ids(arch.search("Federal")) == [new.id]  # the old text is gone
        check_fts(arch.db.conn)

    with Archive(db, posts) as arch:  # opening a version-2 database again changes nothing
        assert arch.pending_index() == 0
        assert arch.count() == 3


# -- 6. a crash before indexing -------------------------------------------------------------

CRASH_CHILD = """
import os, sys
from pathlib import Path
from archive import Archive
from tests.archive_support import NOW
from tests.test_index_queue import story
arch = Archive(Path(sys.argv[1]), Path(sys.argv[2]), background_index=False)
arch.store([story("crash", n) for n in range(3)], now=NOW)
print(arch.pending_index(), flush=True)
os._exit(0)
"""


def test_queue_left_by_a_crash_is_indexed_later(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    child = run_child(CRASH_CHILD, str(db), str(posts))
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "3"
    assert raw_match(db, "Federal") == []  # nothing was indexed before the exit

    with Archive(db, posts) as arch:
        assert arch.count() == 3
        assert arch.pending_index() == 3  # nothing indexed, nothing lost
        for n in range(3):
            assert len(arch.search(f"crash{n}x")) == 1
        assert len(arch.search("Federal")) == 3
        report = arch.verify()
        assert report.ok, report.problems
        assert arch.pending_index() == 0
        check_fts(arch.db.conn)


# -- 7. two processes -------------------------------------------------------------------------

OTHER_PROCESS = """
import sys
from pathlib import Path
from archive import Archive
from tests.archive_support import NOW
from tests.test_index_queue import story
arch = Archive(Path(sys.argv[1]), Path(sys.argv[2]))
arch.store([story("other", n) for n in range(10)], now=NOW)
print("stored", flush=True)
arch.store([story("other", n + 10) for n in range(10)], now=NOW)
arch.close()
print("closed", flush=True)
"""


def test_another_process_stores_while_rows_are_queued_here(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with Archive(db, posts) as arch, ExitStack() as gate_held:
        # This process's write gate, held from just after a store until the other process has
        # stored too, keeps our background indexer from taking a chunk (it passes the gate before
        # BEGIN IMMEDIATE, so it holds no SQLite lock meanwhile). A loaded machine may let the
        # indexer empty the queue before the test takes the gate: then store again.
        mine: list[StoreResult] = []
        for attempt in range(5):
            mine += arch.store([story("mine", attempt * 20 + n) for n in range(20)], now=NOW)
            gate_held.enter_context(arch._gate.first())  # noqa: SLF001 (the in-process writer gate)
            queued_here = arch.pending_index()
            if queued_here:
                break
            gate_held.close()
        assert queued_here > 0, "the background indexer always emptied the queue first"
        proc = subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS, str(db), str(posts)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        guard = threading.Timer(60, proc.kill)
        guard.start()
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "stored"
            # both processes' rows are queued; ours untouched by our blocked indexer
            assert arch.pending_index() >= queued_here + 10
            gate_held.close()
            # now our indexer, the other process's indexer, its second store and its close all
            # contend for the write lock
            out, err = proc.communicate(timeout=60)
        finally:
            guard.cancel()
            gate_held.close()
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err[-2000:]
        assert out.strip() == "closed"

        total = len(mine) + 20
        assert wait_until(lambda: arch.pending_index() == 0), arch.pending_index()
        assert arch.count() == total
        assert len(arch.search("Federal", limit=200)) == total
        assert ids(arch.search(f"mine{len(mine) - 1}x")) == [mine[-1].id]
        assert len(arch.search("other19x")) == 1
        check_fts(arch.db.conn)
        report = arch.verify()
        assert report.ok, report.problems
    assert queued_seqs(db) == set()
    check_fts_file(db)


# -- 8. the write gate --------------------------------------------------------------------------


def start(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_write_gate_lets_a_waiting_first_writer_in_before_a_waiting_second() -> None:
    gate = WriteGate()
    order: list[str] = []
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with gate.first():
            order.append("holder in")
            held.set()
            release.wait(DEADLINE)
            order.append("holder out")

    def writer(kind: str) -> Callable[[], None]:
        def run() -> None:
            with getattr(gate, kind)():
                order.append(f"{kind} in")
                time.sleep(0.02)  # long enough for the other waiter to barge in if it could
                order.append(f"{kind} out")

        return run

    threads = [start(holder)]
    assert held.wait(DEADLINE)
    threads.append(start(writer("second")))  # queued first …
    time.sleep(0.05)
    threads.append(start(writer("first")))  # … then a storing writer arrives
    # the storing writer has registered as waiting (observed on the gate, so the test can't race)
    assert wait_until(lambda: gate._first_waiting == 1)  # noqa: SLF001
    assert order == ["holder in"]  # both are blocked while the holder is in
    release.set()
    for thread in threads:
        thread.join(DEADLINE)
        assert not thread.is_alive(), "a writer is stuck at the gate"
    assert order == ["holder in", "holder out", "first in", "first out", "second in", "second out"]


def test_write_gate_second_writer_gets_in_when_no_first_writer_waits() -> None:
    gate = WriteGate()
    entered = threading.Event()

    def second() -> None:
        with gate.second():
            entered.set()

    with gate.first():
        thread = start(second)
        assert not entered.wait(0.05)  # excluded while a writer is in
    assert entered.wait(DEADLINE)
    thread.join(DEADLINE)
    assert not thread.is_alive()


def test_write_gate_is_released_when_the_writer_raises() -> None:
    gate = WriteGate()
    with pytest.raises(RuntimeError), gate.first():
        raise RuntimeError("store failed")
    done = threading.Event()

    def second() -> None:
        with gate.second():
            done.set()

    thread = start(second)
    assert done.wait(DEADLINE), "the gate stayed closed after an exception"
    thread.join(DEADLINE)
    assert not thread.is_alive()


# -- 9. close ------------------------------------------------------------------------------------


def test_close_leaves_nothing_queued(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    arch = Archive(db, posts)
    stored = arch.store([story("close", n, BODY_ZH) for n in range(30)], now=NOW)
    arch.close()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select count(*) from fts_pending").fetchone()[0] == 0
        assert conn.execute("select count(*) from pending_files").fetchone()[0] == 0
        check_fts(conn)
    assert raw_match(db, '"股市"') == sorted(r.id for r in stored)
    assert raw_match(db, "close29x") == [stored[29].id]
    assert all((posts / str(r.path)).is_file() for r in stored)


# -- known bug ------------------------------------------------------------------------------------


def test_verify_finds_stored_articles_missing_from_the_index(paths: tuple[Path, Path]) -> None:
    db, posts = paths
    with Archive(db, posts, background_index=False) as arch:
        [lost] = arch.store([story("lost", 1)], now=NOW)
        assert arch.index_pending() == 1
        with closing(sqlite3.connect(db)) as conn, conn:  # the row's index entry lost (say, by hand)
            conn.execute(
                "insert into articles_fts (articles_fts, rowid, search_title, search_body) "
                "select 'delete', seq, search_title, search_body from articles where id = ?",
                (lost.id,),
            )
        assert arch.search("lost1x") == []  # a stored article no search can find
        assert not arch.verify().ok
        assert arch.verify(repair=True).ok
        assert ids(arch.search("lost1x")) == [lost.id]
