"""The one place that puts a run together: the archive, the fetcher and the poll context.

Every command that polls (``fetch``, ``run --once``, ``backfill``) and the daemon open their
parts here, on the event loop that runs them, and close them in the reverse order.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from jobs.config import ArchiveSettings, Settings
from jobs.errors import ArchiveUnusable

if TYPE_CHECKING:
    from archive import Archive
    from jobs.pipeline import PollContext


@contextmanager
def open_archive(settings: Settings, *, read_only_ok: bool = False) -> Iterator[Archive]:
    """The configured archive; ArchiveUnusable (one line, exit 2) when it cannot be opened.

    ``read_only_ok``: a command that only reads (search, show, export, feeds) opens an archive it
    may not write (a read-only file, folder or file system) read-only instead of failing.
    """
    from archive import Archive
    from archive.errors import ArchiveError, ReadOnlyArchive

    database = settings.archive.database
    timeout = settings.archive.busy_timeout
    try:
        try:
            archive = writable_archive(settings.archive)
        except ReadOnlyArchive:
            if not read_only_ok or not database.is_file():
                raise
            archive = Archive(database, settings.archive.posts_dir, read_only=True, busy_timeout=timeout,
                              post_tags=settings.archive.post_tags)
    except (ArchiveError, OSError) as exc:
        raise ArchiveUnusable(f"cannot open archive {database}: {_reason(exc)}") from exc
    try:
        yield archive
    finally:
        try:
            archive.close()
        except (ArchiveError, OSError) as exc:
            raise ArchiveUnusable(f"archive {database}: {_reason(exc)}", exit_code=1) from exc


def writable_archive(settings: ArchiveSettings) -> Archive:
    """The archive ``[archive]`` describes, opened for writing (archive errors raised as they are)."""
    from archive import Archive

    return Archive(settings.database, settings.posts_dir, busy_timeout=settings.busy_timeout,
                   post_tags=settings.post_tags, keep_raw=settings.keep_raw)


# While polling, the event loop shares the GIL with the threads that extract pages and store them:
# at Python's default 5 ms switch interval the loop, back from select() with responses to read and
# requests to send, waits up to 5 ms for a busy thread to let go of the GIL, again and again. At
# 1 ms it gets back sooner (measured: a full-text backfill from a fast server about 15% faster).
LOOP_SWITCH_INTERVAL = 0.001


@contextmanager
def loop_switch_interval(seconds: float = LOOP_SWITCH_INTERVAL) -> Iterator[None]:
    """Python's thread switch interval at most ``seconds`` inside the block, as it was after."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, seconds))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@asynccontextmanager
async def poll_context(settings: Settings, *, workers: bool = False) -> AsyncIterator[PollContext]:
    """Archive + fetcher + context for polling, opened on the running loop.

    ``workers``: on a machine with a spare CPU, pages are extracted in worker processes and a
    backfill stores in a process of its own (``backfill`` asks for them: it fetches as fast as the
    server answers, where one core would be the limit)."""
    from jobs.extractpool import ExtractPool, spare_workers
    from jobs.pipeline import PollContext
    from scraper.fetch import Fetcher

    spare = spare_workers() if workers else 0
    pool = ExtractPool(spare) if spare else None
    try:
        with open_archive(settings) as archive, loop_switch_interval():
            async with Fetcher(settings.http) as fetcher:
                yield PollContext(settings, fetcher, archive, extract_pool=pool, store_process=spare > 0)
    finally:
        if pool is not None:
            pool.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
