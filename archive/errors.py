"""Errors raised by the archive package.

    ArchiveError
    ├── SchemaError        the database was written by a newer newsroll, or its schema is damaged
    ├── QueryError         a search query or filter could not be understood (one-line message)
    ├── StoreError         an article could not be stored (bad field values); nothing of its batch is kept
    ├── ImportTreeError    an import directory does not exist or cannot be read
    └── DatabaseFault      SQLite or the file system refused: the archive cannot be used as it is
        ├── CorruptArchive     not a SQLite database, or a damaged one
        ├── ArchiveBusy        another process held the write lock past the busy timeout
        ├── ReadOnlyArchive    the database file or its folder cannot be written
        └── ArchiveFull        the disk (or a quota) is full

Foreign errors (sqlite3, OSError, yaml) are translated at the boundary with ``raise ... from exc``:
every public method of :class:`archive.Archive` turns sqlite3 and file-system errors into a
DatabaseFault (:func:`translate`); a file that cannot be imported is *reported*
(ImportReport.skipped), never raised.
"""

from __future__ import annotations

import errno
import sqlite3


class ArchiveError(Exception):
    """Base of every error raised by archive."""


class SchemaError(ArchiveError):
    """The database schema is newer than this code or inconsistent."""


class QueryError(ArchiveError):
    """A malformed search query or filter; ``str(exc)`` is a one-line message for the user."""


class StoreError(ArchiveError):
    """An article has values the archive cannot store (e.g. a naive datetime)."""


class ImportTreeError(ArchiveError):
    """The directory given to ``import_tree`` is missing or unreadable."""


class DatabaseFault(ArchiveError):
    """SQLite or the file system refused an operation; ``str(exc)`` says what and what to do."""


class CorruptArchive(DatabaseFault):
    pass


class ArchiveBusy(DatabaseFault):
    pass


class ReadOnlyArchive(DatabaseFault):
    pass


class ArchiveFull(DatabaseFault):
    pass


def translate(exc: BaseException, database: object) -> ArchiveError | None:
    """The archive error for a foreign ``exc`` (sqlite3 or OSError), or None when it is not one of ours."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, sqlite3.Error):
        lowered = text.lower()
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return CorruptArchive(f"{database} is not a newsroll archive or is damaged ({text}); "
                                  "restore it from a backup or move it aside")
        if "locked" in lowered or "busy" in lowered:
            return ArchiveBusy(f"{database} is locked by another process ({text}); try again when it is done")
        if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
            return ReadOnlyArchive(f"{database} cannot be written ({text}); check its permissions and "
                                   "its folder's")
        if "full" in lowered:
            return ArchiveFull(f"{database}: the disk is full ({text}); free space and run again")
        if "disk i/o" in lowered:
            return DatabaseFault(f"{database}: disk I/O error ({text})")
        return DatabaseFault(f"{database}: {text}")
    if isinstance(exc, OSError):
        reason = exc.strerror or text
        where = exc.filename or database
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return ArchiveFull(f"{where}: the disk is full ({reason}); free space and run again")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return ReadOnlyArchive(f"{where}: cannot be written ({reason})")
        return DatabaseFault(f"{where}: {reason}")
    return None
