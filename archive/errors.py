"""Errors raised by the archive package.

    ArchiveError
    ├── SchemaError        the database was written by a newer newsroll, or its schema is damaged
    ├── QueryError         a search query or filter could not be understood (one-line message)
    ├── StoreError         an article could not be stored (bad field values); nothing of its batch is kept
    └── ImportTreeError    an import directory does not exist or cannot be read

Foreign errors (sqlite3, OSError, yaml) are translated at the boundary with ``raise ... from exc``
where the caller can act on them; a file that cannot be imported is *reported* (ImportReport.skipped),
never raised.
"""

from __future__ import annotations


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
