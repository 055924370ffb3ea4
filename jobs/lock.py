"""One daemon per archive: an exclusive ``flock`` on a lock file next to the database.

The kernel drops an ``flock`` when its process dies, however it dies (SIGKILL, a crash, a power
cut), so a stale lock file never blocks the next start: only a *living* holder does. The file
keeps the holder's pid and start time, for the error message only.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType


class LockedError(Exception):
    """Another process holds the archive's lock; the message says which."""


def lock_path_for(database: Path) -> Path:
    """``data/archive.db`` → ``data/archive.db.lock``."""
    return database.with_name(database.name + ".lock")


class ArchiveLock:
    """``with ArchiveLock(path):`` holds the lock or raises :class:`LockedError` at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockedError(f"another newsroll daemon{holder} is already running on this archive "
                              f"(lock {self.path}); stop it first") from None
        except OSError:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the descriptor drops the flock

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
    except OSError:
        return ""
    if not text or not text[0].isdigit():
        return ""
    since = f" since {text[1]}" if len(text) > 1 else ""
    return f" (pid {text[0]}{since})"
