"""Post files written behind the caller: a batch's files are written and flushed on a thread while
the caller prepares and stores the next batch (``Archive.writing_behind``, used by the import).

The flush of the file system is I/O wait, not CPU: on its own thread it overlaps the next batch's
work instead of stopping it. One batch is in flight at a time (``submit`` waits for the one before),
so files are written in the order they were stored, and an error of the thread is raised by the next
``submit`` or by ``finish``. Crash safety is the same as writing in line (archive.archive): the
batch's ``pending_files`` rows are cleared only once its files are durable, by the caller, with the
ids ``submit``/``finish`` return.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from archive.files import write_atomic_many


class WriteBehind:
    """A one-thread writer of post file batches (archive.files.write_atomic_many)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-files")
        self._inflight: tuple[Future[None], list[str]] | None = None

    def submit(self, items: Sequence[tuple[Path, str]], ids: Sequence[str]) -> list[str]:
        """Start writing ``items`` (the posts of ``ids``) once the batch before is written; returns
        the ids of that batch before (durable now), or [] when there was none."""
        done = self.finish()
        self._inflight = (self._pool.submit(write_atomic_many, list(items)), list(ids))
        return done

    def finish(self) -> list[str]:
        """Wait for the batch in flight; returns its ids (raises its error, if the write failed)."""
        if self._inflight is None:
            return []
        future, ids = self._inflight
        self._inflight = None
        future.result()
        return ids

    def close(self) -> None:
        self._pool.shutdown(wait=True)
