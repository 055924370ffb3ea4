"""Where a backfill's pages are stored: the loop's own archive, or an archive writer process.

    event loop ─▶ writer thread (writer.py: page order, checkpoints after stores)
                    ─▶ ArchiveStore:  Archive.store in this process
                    ─▶ ProcessStore:  the same calls, run by one worker process on its own Archive

A full-text backfill's storing (rows, near-duplicate checks, raw pages, search index, post files)
is about a third of its CPU. In this process that work takes the GIL from the event loop that
fetches the next pages, so a 2-core machine runs the backfill on one core. ``ProcessStore`` hands it
to one worker process holding its own connection to the same archive file (the loop's lookups
read beside it: WAL). One worker runs the calls in the order they come, so a page's checkpoint is
still saved only after its articles are committed.

Errors come back as the worker raised them (``ArchiveError``, ``OSError``); a worker that dies
(killed, out of memory) or cannot open the archive is a ``StoreProcessFailed``. The worker ignores
Ctrl-C and ends with its parent (jobs.procs): the loop's Ctrl-C lets it store every page already handed over, then ``close`` closes its
archive (the search index finished, post files flushed) and ends it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any, Protocol

from archive import Archive, StoreTally
from archive.errors import ArchiveError
from jobs.compose import writable_archive
from jobs.config import ArchiveSettings
from jobs.errors import JobsError
from jobs.procs import process_context, worker_started
from scraper.models import Article


class StoreProcessFailed(JobsError):
    """The archive writer process stopped or could not start; what it committed is kept."""


class PageStore(Protocol):
    """What the backfill's writer thread calls, in order; ``close`` once, at the end."""

    def store(self, articles: Sequence[Article], now: datetime) -> StoreTally: ...

    def set_checkpoint(self, key: str, state: dict[str, Any], now: datetime) -> None: ...

    def close(self) -> None: ...


class ArchiveStore:
    """Store in this process, on the archive the loop has open."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def store(self, articles: Sequence[Article], now: datetime) -> StoreTally:
        from jobs.pipeline import store_articles

        return store_articles(self.archive, articles, now)

    def set_checkpoint(self, key: str, state: dict[str, Any], now: datetime) -> None:
        self.archive.set_checkpoint(key, state, now=now)

    def close(self) -> None:
        """Nothing to do: the archive belongs to the caller."""


class ProcessStore:
    """Store in one worker process with an archive of its own, opened as ``settings`` say.

    The worker starts with the first call (its imports overlap the loop's first fetches)."""

    def __init__(self, settings: ArchiveSettings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None

    def store(self, articles: Sequence[Article], now: datetime) -> StoreTally:
        result: StoreTally = self._call(_store, list(articles), now)
        return result

    def set_checkpoint(self, key: str, state: dict[str, Any], now: datetime) -> None:
        self._call(_set_checkpoint, key, state, now)

    def close(self) -> None:
        """Close the worker's archive (its errors are raised here), then end the worker."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            pool.submit(_close).result()
        except BrokenProcessPool as exc:
            raise StoreProcessFailed(f"the archive writer process stopped: {exc}") from exc
        finally:
            pool.shutdown(wait=True)

    def _call(self, function: Any, *args: Any) -> Any:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=process_context(), initializer=_open,
                                             initargs=(self.settings, os.getpid()))
        try:
            return self._pool.submit(function, *args).result()
        except BrokenProcessPool as exc:
            raise StoreProcessFailed(f"the archive writer process stopped: {exc}") from exc


def store_for_backfill(archive: Archive, settings: ArchiveSettings, *, process: bool) -> PageStore:
    """A worker process when asked and the machine has a second CPU for it, else this process."""
    if process and (os.cpu_count() or 1) >= 2 and not archive.read_only:
        return ProcessStore(settings)
    return ArchiveStore(archive)


# -- in the worker process ----------------------------------------------------------------------
_archive: Archive | None = None
_open_error: Exception | None = None


def _open(settings: ArchiveSettings, parent: int) -> None:
    """(initializer) Open the archive; an error is kept for the first call to raise (an initializer
    that raises would only break the pool, and its reason would be lost)."""
    global _archive, _open_error
    worker_started(parent)
    try:
        _archive = writable_archive(settings)
    except (ArchiveError, OSError) as exc:
        _open_error = exc


def _opened() -> Archive:
    if _archive is None:
        raise _open_error or StoreProcessFailed("the archive writer process has no archive open")
    return _archive


def _store(articles: list[Article], now: datetime) -> StoreTally:
    from jobs.pipeline import store_articles

    return store_articles(_opened(), articles, now)


def _set_checkpoint(key: str, state: dict[str, Any], now: datetime) -> None:
    _opened().set_checkpoint(key, state, now=now)


def _close() -> None:
    global _archive
    archive, _archive = _archive, None
    if archive is not None:
        archive.close()
