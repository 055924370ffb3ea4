"""newsroll's archive: SQLite (source of truth, FTS5 search) plus Hexo post files rendered from it.

Public surface: :class:`Archive`, the records in :mod:`archive.models`, the errors in
:mod:`archive.errors`, and the pure :func:`archive.render.render_post`.
"""

from archive.archive import Archive
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
