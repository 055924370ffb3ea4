"""The backfill's writer thread (jobs.backfill.writer) and what the backfill does with it.

Real parts: real threads; for the backfill, the local HTTP server (tests/httpserver.py), the real
Fetcher and pipeline and a real SQLite archive in tmp_path (tests/backfill_support.py).
"""

from __future__ import annotations

import asyncio
import io
import sys
import threading
from pathlib import Path

import pytest

from archive import Archive
from archive.errors import DatabaseFault
from jobs.backfill.progress import PlainProgress
from jobs.backfill.run import BackfillOptions, BackfillReport, backfill_feed
from jobs.backfill.writer import PageWriter
from jobs.compose import LOOP_SWITCH_INTERVAL, loop_switch_interval
from jobs.config import load_settings
from jobs.pipeline import PollContext
from scraper.fetch import Fetcher
from tests.backfill_support import (
    FEED,
    RollAPI,
    archived_urls,
    checkpoint,
    config_text,
    run_backfill,
    write_config,
)
from tests.httpserver import TestServer


def test_jobs_run_in_order_on_one_thread_of_their_own() -> None:
    done: list[tuple[int, str]] = []
    caller = threading.current_thread().name

    async def go() -> None:
        writer = PageWriter(max_pending=2)
        for n in range(20):
            await writer.submit(lambda n=n: done.append((n, threading.current_thread().name)))
        await writer.drain()
        writer.close()

    asyncio.run(go())
    assert [n for n, _ in done] == list(range(20))
    threads = {name for _, name in done}
    assert len(threads) == 1 and caller not in threads


def test_a_failed_job_stops_every_later_one_and_its_error_reaches_the_loop_once() -> None:
    done: list[int] = []
    gate = threading.Event()

    def boom() -> None:
        gate.wait(5)
        raise OSError("disk full")

    async def go() -> None:
        writer = PageWriter(max_pending=10)
        await writer.submit(done.append, 1)
        await writer.submit(boom)
        await writer.submit(done.append, 2)  # queued behind the failure: must never run
        gate.set()
        with pytest.raises(OSError, match="disk full"):
            await writer.drain()
        await writer.drain()  # reported once
        await writer.submit(done.append, 3)  # refused quietly: the writer stopped
        await writer.drain()
        assert isinstance(writer.failed, OSError)
        writer.close()  # already reported: not raised again

    asyncio.run(go())
    assert done == [1]


def test_close_reports_an_error_nobody_waited_for() -> None:
    async def go() -> PageWriter:
        writer = PageWriter()
        await writer.submit(_raise, ValueError("bad row"))
        return writer

    writer = asyncio.run(go())
    with pytest.raises(ValueError, match="bad row"):
        writer.close()


def _raise(exc: Exception) -> None:
    raise exc


def test_a_cancelled_wait_leaves_the_queued_jobs_to_run_at_close() -> None:
    """Ctrl-C cancels the task while it waits for the writer: every job already submitted still runs
    (waiting must never cancel the job waited for, as asyncio.wrap_future would)."""
    release = threading.Event()
    done: list[int] = []

    def first() -> None:
        release.wait(5)
        done.append(1)

    async def go() -> PageWriter:
        writer = PageWriter(max_pending=3)
        await writer.submit(first)
        await writer.submit(done.append, 2)  # queued behind job 1, not started
        waiting = asyncio.ensure_future(writer.drain())
        await asyncio.sleep(0.05)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return writer

    writer = asyncio.run(go())
    release.set()
    writer.close()
    assert done == [1, 2]


def test_loop_switch_interval_is_lowered_inside_and_restored_after() -> None:
    before = sys.getswitchinterval()
    with loop_switch_interval():
        assert sys.getswitchinterval() == min(before, LOOP_SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before


def test_a_backfill_cancelled_with_pages_in_the_writer_loses_none_of_them(server: TestServer, tmp_path: Path) -> None:
    """Like Ctrl-C: the run is cancelled while the writer is still storing fetched pages; the pages
    handed to it are stored and checkpointed, and a rerun completes with every item exactly once."""
    base = server.url("").rstrip("/")
    api = RollAPI(base, 400)
    server.routes["/api/roll/get"] = api
    config = write_config(tmp_path, config_text(base))
    settings = load_settings(config)
    slow = threading.Event()
    submitted: list[int] = []

    async def go() -> None:
        with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
            original = archive.store

            def slow_store(*args: object, **kwargs: object) -> object:
                submitted.append(1)
                slow.wait(0.3)  # the writer lags behind the loop: pages wait in it
                return original(*args, **kwargs)  # type: ignore[arg-type]

            archive.store = slow_store  # type: ignore[method-assign,assignment]
            async with Fetcher(settings.http) as fetcher:
                ctx = PollContext(settings, fetcher, archive)
                task = asyncio.ensure_future(backfill_feed(ctx, settings.feed(FEED), BackfillOptions(),
                                                           PlainProgress(FEED, io.StringIO())))
                while len(submitted) < 2:
                    await asyncio.sleep(0.01)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task

    asyncio.run(go())
    stored = archived_urls(config)
    saved = checkpoint(config)
    assert saved is not None and not saved.get("done")
    position = saved["pager"]["position"]  # type: ignore[index]
    # every page handed to the writer was stored (the two whose store had begun at least), whole;
    # the checkpoint is never ahead of what is stored
    assert len(stored) >= 100 and len(stored) % 50 == 0 and len(stored) == len(set(stored))
    assert 0 < position <= len(stored)

    again = run_backfill(config)
    assert again.report.status == "complete"
    assert again.report.tally.new == 400 - len(stored)
    urls = archived_urls(config)
    assert len(urls) == len(set(urls)) == 400


def test_a_page_the_writer_cannot_store_fails_the_run_and_no_checkpoint_passes_it(
    server: TestServer, tmp_path: Path
) -> None:
    """The disk fails while the writer stores page 3: the run reports it (exit 1), pages 1-2 stay
    stored and checkpointed, nothing after page 3 is checkpointed, and a rerun completes."""
    base = server.url("").rstrip("/")
    server.routes["/api/roll/get"] = RollAPI(base, 300)
    config = write_config(tmp_path, config_text(base))
    settings = load_settings(config)
    calls: list[int] = []

    async def go() -> BackfillReport:
        with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
            original = archive.store

            def failing_store(*args: object, **kwargs: object) -> object:
                calls.append(1)
                if len(calls) == 3:
                    raise DatabaseFault("disk I/O error")
                return original(*args, **kwargs)  # type: ignore[arg-type]

            archive.store = failing_store  # type: ignore[method-assign,assignment]
            async with Fetcher(settings.http) as fetcher:
                ctx = PollContext(settings, fetcher, archive)
                return await backfill_feed(ctx, settings.feed(FEED), BackfillOptions(),
                                           PlainProgress(FEED, io.StringIO()))

    report = asyncio.run(go())
    assert report.status == "failed" and report.exit_code == 1
    assert report.error is not None and "page 3: storing failed" in report.error
    assert len(set(archived_urls(config))) == 100 and report.tally.new == 100
    saved = checkpoint(config)
    assert saved is not None and saved["pager"]["position"] == 100  # type: ignore[index]

    again = run_backfill(config)
    assert again.report.status == "complete" and again.report.tally.new == 200
    assert len(set(archived_urls(config))) == len(archived_urls(config)) == 300
