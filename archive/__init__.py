"""newsroll's archive: SQLite (source of truth, FTS5 search) plus Hexo post files rendered from it.

Public surface: :class:`Archive`, the records in :mod:`archive.models`, the errors in
:mod:`archive.errors`, and the pure :func:`archive.render.render_post`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archive.errors import ArchiveError, QueryError, SchemaError, StoreError
from archive.models import (
    FeedState,
    ImportReport,
    ImportSkip,
    RawPage,
    StoredArticle,
    StoreResult,
    StoreTally,
    VerifyReport,
)

if TYPE_CHECKING:
    from archive.archive import Archive

__all__ = [
    "Archive",
    "ArchiveError",
    "FeedState",
    "ImportReport",
    "ImportSkip",
    "QueryError",
    "SchemaError",
    "StoreError",
    "RawPage",
    "StoredArticle",
    "StoreResult",
    "StoreTally",
    "VerifyReport",
]


def __getattr__(name: str) -> Any:
    """``Archive`` is imported on first use: the records, errors and pure helpers (what a config
    check or a usage error needs) load without SQLite utilities, renderers and search."""
    if name == "Archive":
        from archive.archive import Archive

        return Archive
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
