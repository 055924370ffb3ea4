"""Post files on disk: where they go and how they are written.

Layout: ``<posts_dir>/YYYY/MM/DD/<id>.md`` with the UTC date of the article's ``published`` time.
Writes are atomic: the text goes to ``.<name>.<pid>-<random>.tmp`` in the same folder (a dot-file,
which Hexo ignores), is made durable (fsync, or one ``syncfs`` for a whole batch:
``write_atomic_many``), then ``os.replace``d over the target; the folder is fsynced after a batch. A kill at any point leaves either the old file or the new one, plus at most a dot-file that
``remove_temp_files`` (run on recovery and by ``verify --repair``) cleans up once its writer is gone
(the pid in the name keeps a second, live newsroll's in-flight files safe).
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
_TEMP_PID = re.compile(r"\.(\d+)-[0-9a-f]+\.tmp$")


def post_path(article_id: str, published: datetime) -> str:
    """Relative post path (forward slashes) for an article."""
    day = published.astimezone(UTC)
    return f"{day:%Y/%m/%d}/{article_id}.md"


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` via a fsynced dot-temp file and ``os.replace``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_for(target)
    _write_new(temp, text, fsync=True)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic_many(items: Sequence[tuple[Path, str]]) -> None:
    """Write many files atomically with one flush of the file system for all (a group commit).

    Every text goes to its dot-temp file; then *one* ``syncfs`` makes all their data durable
    (where the system has it: Linux; elsewhere each file is fsynced); only then is each renamed
    over its target, and the folders are fsynced. A crash at any point leaves each target old or
    new, never partial, as ``write_atomic`` does, at a fraction of a fsync per file.
    """
    if not items:
        return
    syncfs = _syncfs()
    folders: set[Path] = set()
    temps: list[tuple[Path, Path]] = []
    try:
        for target, text in items:
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            temp = _temp_for(target)
            _write_new(temp, text, fsync=syncfs is None)
            temps.append((temp, target))
        if syncfs is not None:
            fd = os.open(temps[0][1].parent, os.O_RDONLY)
            try:
                if syncfs(fd) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"syncfs: {os.strerror(err)}")
            finally:
                os.close(fd)
        for temp, target in temps:
            os.replace(temp, target)
    except BaseException:
        for temp, _target in temps:
            temp.unlink(missing_ok=True)
        raise
    fsync_dirs(folders)


def _temp_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _write_new(path: Path, text: str, *, fsync: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(text.encode("utf-8"))
        while view:
            view = view[os.write(fd, view) :]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def _syncfs() -> Callable[[int], int] | None:
    """libc's ``syncfs(fd)`` (Linux): flush one file system's data, waiting for it; else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def fsync_dirs(directories: Iterable[Path]) -> None:
    """Make renames durable (best effort on systems without directory fsync)."""
    for directory in set(directories):
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (another newsroll may be writing right now)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def is_stale_temp(name: str) -> bool:
    """A temp file whose writer is gone (temp names carry the writer's process id)."""
    if not is_temp_name(name):
        return False
    match = _TEMP_PID.search(name)
    return match is None or not pid_alive(int(match.group(1)))


def remove_temp_files(directory: Path) -> list[Path]:
    """Delete temp files left in ``directory`` by writers that no longer run; returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if entry.is_file() and is_stale_temp(entry.name):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def walk_posts(posts_dir: Path) -> Iterator[tuple[str, bool]]:
    """Every file under posts_dir as (relative path, is_temp); in-flight temp files are skipped."""
    for root, dirs, files in os.walk(posts_dir):
        dirs.sort()
        rel_root = Path(root).relative_to(posts_dir).as_posix()
        for name in sorted(files):
            if is_temp_name(name) and not is_stale_temp(name):
                continue  # a live writer's file, about to be renamed
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            yield rel, is_temp_name(name)


def read_text(path: Path) -> str | None:
    """The file's text, or None when it is missing, not a regular file, or unreadable as UTF-8.

    Opened without following a final symlink and without blocking, and checked to be a regular
    file before reading: a FIFO or a device where a post should be is never read (or waited on).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink where a post should be
            return None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read().decode("utf-8")
    except UnicodeDecodeError:
        return None
    finally:
        os.close(fd)


def unsafe_post_path(posts_dir: Path, rel: str) -> str | None:
    """Why ``posts_dir/rel`` must not be read or written, or None when it is safe.

    Unsafe: a symbolic link anywhere below ``posts_dir`` on the way (a linked date folder would make
    a repair write outside the posts tree), or something other than a regular file at the end.
    """
    current = posts_dir
    parts = Path(rel).parts
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None  # missing from here on: nothing to follow
        if stat.S_ISLNK(mode):
            return "a symbolic link in the post's path"
        if index == len(parts) - 1 and not stat.S_ISREG(mode):
            return "not a regular file (FIFO, device, socket or directory)"
    return None
