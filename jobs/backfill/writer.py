"""The backfill's writer: one thread that does the archive's writes in order while the loop fetches.

    event loop: listing N+1 ─▶ articles N+1 (fetch, extract) ─▶ submit(store N+1, checkpoint N+1) ─▶ …
    writer thread:            store N ─▶ checkpoint N ─▶ store N+1 ─▶ …

Storing a page (rows, raw pages, posts, their flush) takes a good part of a page's time; done on
the event loop it held every request in flight and every politeness slot. Here the jobs run one
after another, in the order they were submitted, on one thread (SQLite and the file system release
the GIL while they work), so a page's checkpoint is never written before its articles are stored.

A job that raises stops the writer: every later job is skipped (above all, no checkpoint past
a page that was not stored), and the error is raised to the loop by the next ``submit``,
``drain`` or by ``close``. ``close`` (also on Ctrl-C, when the task is cancelled) waits for
every job already submitted: fetched pages are stored and checkpointed, none is lost half-way.
At most ``max_pending`` jobs wait: a writer slower than the fetching holds the loop back instead of
piling up pages in memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class PageWriter:
    """Runs submitted jobs in order on one thread; see the module docstring."""

    def __init__(self, *, max_pending: int = 4, name: str = "backfill-writer") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._futures: deque[Future[None]] = deque()
        self._max_pending = max(1, max_pending)
        self._error: BaseException | None = None
        self._reported = False
        self._lock = threading.Lock()
        self._closed = False

    @property
    def failed(self) -> BaseException | None:
        """The error that stopped the writer, if any."""
        with self._lock:
            return self._error

    async def submit(self, job: Callable[..., Any], *args: Any) -> None:
        """Queue ``job(*args)`` after every job submitted before; wait while ``max_pending`` are queued.

        Raises the error of an earlier job that failed (once), instead of queueing."""
        self._raise_error()
        while len(self._futures) >= self._max_pending:
            await _settled(self._futures[0])
            self._prune()
            self._raise_error()
        self._futures.append(self._pool.submit(self._run, job, args))
        self._prune()

    async def drain(self) -> None:
        """Wait until every submitted job has run; raise the error of one that failed (once)."""
        while self._futures:
            await _settled(self._futures[0])
            self._prune()
        self._raise_error()

    def close(self) -> None:
        """Run every job already submitted (blocking), then stop the thread. Raises a job's error
        not reported yet."""
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True)
        self._futures.clear()
        self._raise_error()

    # -- internals ----------------------------------------------------------------------------------
    def _run(self, job: Callable[..., Any], args: tuple[Any, ...]) -> None:
        with self._lock:
            if self._error is not None:  # an earlier job failed: nothing after it may run
                return
        try:
            job(*args)
        except BaseException as exc:
            with self._lock:
                self._error = exc
            raise

    def _prune(self) -> None:
        while self._futures and self._futures[0].done():
            self._futures.popleft()

    def _raise_error(self) -> None:
        with self._lock:
            error, reported = self._error, self._reported
            self._reported = self._reported or error is not None
        if error is not None and not reported:
            raise error


async def _settled(future: Future[None]) -> None:
    """Wait for ``future`` without ever cancelling it (asyncio.wrap_future would cancel the job when
    the waiting task is cancelled, e.g. on Ctrl-C, and the writer must still run it)."""
    if future.done():
        return
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def settle() -> None:
        if not waiter.done():
            waiter.set_result(None)

    def wake(_: Future[None]) -> None:
        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    future.add_done_callback(wake)
    await waiter
