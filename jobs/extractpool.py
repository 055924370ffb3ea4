"""Page extraction in worker processes, for runs that fetch faster than one core extracts.

Extraction (``scraper.extract.extract``: bytes in, a frozen record out) is pure CPU work. Run on
threads it shares the GIL with the event loop and everything else of the process; a backfill
from a fast server then uses one core of two. ``ExtractPool`` runs it in worker processes (one
per spare CPU, at most two), started on first use.

A page that takes longer than its time limit has its worker process killed (a thread could only
be abandoned, spinning on): the pool is replaced, and the other pages that were in that pool are
tried once more in the new one. A worker that dies (a crash in a parser on a hostile page) is
handled the same way: ``ExtractWorkerDied`` once a page has killed two workers. Workers ignore
Ctrl-C and end with their parent (jobs.procs); ``close`` ends them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from jobs.errors import JobsError
from jobs.procs import process_context, worker_started

_T = TypeVar("_T")


class ExtractWorkerDied(JobsError):
    """A page's extraction killed its worker process twice."""


def spare_workers() -> int:
    """Worker processes worth starting here: one per CPU beyond the loop's, at most two."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


class ExtractPool:
    """Runs pure functions (picklable, top-level) in worker processes; see the module docstring."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, timeout: float, function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """``function(*args, **kwargs)`` in a worker; TimeoutError after ``timeout`` seconds (the
        worker is killed), ExtractWorkerDied when it killed two workers; its own errors as raised."""
        for attempt in (1, 2):
            pool = self._current()
            try:
                future = pool.submit(function, *args, **kwargs)
            except (BrokenProcessPool, RuntimeError):  # replaced meanwhile: the next pool takes it
                self._discard(pool)
                continue
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
            except TimeoutError:
                self._discard(pool)
                raise
            except BrokenProcessPool as exc:
                self._discard(pool)
                if attempt == 2:
                    raise ExtractWorkerDied(f"the extraction worker process died twice ({exc})") from exc
        raise ExtractWorkerDied("the extraction worker processes could not be started")

    def close(self) -> None:
        """End the workers (waiting for the pages they are on)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _current(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=process_context(),
                                             initializer=_start, initargs=(os.getpid(),))
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Kill ``pool``'s workers (one may be stuck) and forget it; the next call starts a new one."""
        if self._pool is pool:
            self._pool = None
        processes = getattr(pool, "_processes", None) or {}  # the executor has no public kill
        for process in list(processes.values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def _start(parent: int) -> None:
    """(in each worker) Ctrl-C and the parent's end as every worker's, and the extractor imported
    before the first page arrives."""
    worker_started(parent)
    import scraper.extract  # noqa: F401
