"""Worker processes: page extraction (jobs.extractpool) and a backfill's storing (jobs.backfill.storeproc).

Real parts: real worker processes (forkserver), the real extractor on a saved Sina page
(tests/fixtures/pages/gne_tests_sina_2.html), a real SQLite archive in tmp_path, the local HTTP
server (tests/httpserver.py) and the real fetcher.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from jobs.backfill.storeproc import ProcessStore, StoreProcessFailed
from jobs.config import load_settings
from jobs.extractpool import ExtractPool, ExtractWorkerDied
from jobs.procs import alive
from scraper.errors import ExtractError
from scraper.extract import extract
from tests.backfill_support import RollAPI, checkpoint, config_text, run_backfill, write_config
from tests.httpserver import TestServer

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 5, 1, tzinfo=UTC)
SINA_PAGE = Path(__file__).parent / "fixtures" / "pages" / "gne_tests_sina_2.html"


# -- functions run in the workers (top level: they are pickled by name) ---------------------------
def hang(pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(120)


def die() -> None:
    os._exit(3)


def refuse() -> None:
    raise ExtractError("not an article page")


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


# -- extraction in worker processes -----------------------------------------------------------------
def test_a_page_is_extracted_in_another_process_as_it_is_here() -> None:
    content = SINA_PAGE.read_bytes()
    url = "https://finance.sina.com.cn/stock/y/2019-04-17/doc-ihvhiqax3340475.shtml"

    async def go() -> tuple[int, object]:
        pool = ExtractPool(1)
        try:
            worker = await pool.run(30, os.getpid)
            return worker, await pool.run(30, extract, content, url, rules_name="sina", charset=None)
        finally:
            pool.close()

    worker, extracted = asyncio.run(go())
    assert worker != os.getpid()
    assert extracted == extract(content, url, rules_name="sina", charset=None)


def test_a_page_over_its_time_limit_has_its_worker_killed_and_the_next_pages_go_on(tmp_path: Path) -> None:
    pid_file = tmp_path / "worker.pid"

    async def go() -> int:
        pool = ExtractPool(1)
        try:
            await pool.run(60, os.getpid)  # started (the limit counts from the call, start included)
            with pytest.raises(TimeoutError):
                await pool.run(1.0, hang, str(pid_file))
            return await pool.run(30, os.getpid)
        finally:
            pool.close()

    after = asyncio.run(go())
    stuck = int(pid_file.read_text())
    assert _gone(stuck), "the stuck worker was left running"
    assert after != stuck


def test_a_worker_that_dies_is_replaced_and_a_page_that_kills_two_fails_alone() -> None:
    async def go() -> int:
        pool = ExtractPool(1)
        try:
            with pytest.raises(ExtractWorkerDied, match="died twice"):
                await pool.run(30, die)
            return await pool.run(30, os.getpid)
        finally:
            pool.close()

    assert asyncio.run(go()) != os.getpid()


def test_the_functions_own_errors_come_back_as_raised() -> None:
    async def go() -> None:
        pool = ExtractPool(1)
        try:
            with pytest.raises(ExtractError, match="not an article page"):
                await pool.run(30, refuse)
        finally:
            pool.close()

    asyncio.run(go())


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    """kill -9 of the process that started them: the workers must not wait forever on their queue."""
    script = (
        "import asyncio, os, sys, time\n"
        "from jobs.extractpool import ExtractPool\n"
        "pool = ExtractPool(1)\n"
        "print(asyncio.run(pool.run(30, os.getpid)), flush=True)\n"
        "time.sleep(120)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                          stderr=subprocess.DEVNULL) as parent:
        assert parent.stdout is not None
        try:
            worker = int(parent.stdout.readline())
        finally:
            parent.kill()  # and not reaped yet (like a killed CLI whose caller reads its output first)
        assert _gone(worker), "a worker outlived its parent"
        parent.wait(10)


# -- a backfill storing in its own process ---------------------------------------------------------
def _rows(database: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute("select url, title, body_html, published from articles order by url").fetchall()


def _indexed(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("select count(*) from articles_fts").fetchone()[0])


def test_a_backfill_with_worker_processes_archives_what_one_without_them_does(
    server: TestServer, tmp_path: Path
) -> None:
    base = server.url("").rstrip("/")
    server.routes["/api/roll/get"] = RollAPI(base, 120, pages=server)
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    here = write_config(tmp_path / "here", config_text(base, full_text=True))
    there = write_config(tmp_path / "there", config_text(base, full_text=True))

    plain = run_backfill(here)
    with_workers = run_backfill(there, workers=True)

    assert plain.report.status == with_workers.report.status == "complete"
    assert with_workers.report.tally == plain.report.tally and with_workers.report.tally.new == 120
    rows = _rows(there.parent / "data" / "archive.db")
    assert rows == _rows(here.parent / "data" / "archive.db") and len(rows) == 120
    assert all(body for _, _, body, _ in rows)
    # the search index is complete when the run ends (the writer process closed its archive)
    assert _indexed(there.parent / "data" / "archive.db") == 120
    posts = sorted(p.relative_to(there.parent) for p in (there.parent / "data" / "posts").rglob("*.md"))
    assert len(posts) == 120
    assert posts == sorted(p.relative_to(here.parent) for p in (here.parent / "data" / "posts").rglob("*.md"))
    saved = checkpoint(there)
    assert saved is not None and saved.get("done")
    again = run_backfill(there, workers=True)
    assert again.report.status == "complete" and again.report.tally.new == 0


def test_a_writer_process_that_cannot_open_the_archive_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive's folder should be")
    settings = load_settings(write_config(tmp_path, config_text("http://127.0.0.1:9")))
    archive = replace(settings.archive, database=blocker / "archive.db", posts_dir=tmp_path / "posts")
    store = ProcessStore(archive)
    try:
        with pytest.raises(ArchiveError) as caught:
            store.store([], NOW)
        assert "\n" not in str(caught.value) and str(caught.value)
    finally:
        store.close()


def test_a_writer_process_that_dies_fails_the_store_with_a_clear_error(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, config_text("http://127.0.0.1:9")))
    store = ProcessStore(settings.archive)
    try:
        store.set_checkpoint("backfill:x", {"page": 1}, NOW)
        pool = store._pool
        assert pool is not None
        for process in list(pool._processes.values()):  # type: ignore[attr-defined]
            process.kill()
        with pytest.raises(StoreProcessFailed, match="archive writer process stopped"):
            for _ in range(50):  # the pool notices the death on its next call, at the latest
                store.set_checkpoint("backfill:x", {"page": 2}, NOW)
                time.sleep(0.05)
    finally:
        with pytest.raises(StoreProcessFailed):
            store.close()
    with sqlite3.connect(settings.archive.database) as conn:
        assert conn.execute("select value from checkpoints where key = 'backfill:x'").fetchone()[0] == '{"page": 1}'

