"""The archive's SQLite schema, created and migrated through sqlite-utils.

Tables (``datasette archive.db`` browses all of them; ``articles`` has its search box):

- ``articles``: one row per story, its newest version (``id`` is the public id; ``seq`` the
  integer key the FTS index and ``minhash`` refer to). ``search_title``/``search_body`` hold the
  CJK-bigram shadow text (archive.textindex), written and indexed in ``articles_fts`` (FTS5,
  unicode61, external content) by the index stage (archive.indexer, queue ``fts_pending``).
- ``article_feeds``: every feed that lists an article (the first is ``articles.feed``).
- ``article_keys``: identity keys (``g|feed|guid`` or ``l|feed|url key|date``) → article, with the
  fingerprint and content hash last seen through that key.
- ``article_urls``: URL keys (archive.identity.url_key) → articles; several articles may share one.
- ``minhash``: each article's clause sketch values (archive.identity.sketch) → ``articles.seq``,
  for near-duplicate lookups.
- ``revisions``: earlier versions of edited articles (the current one is in ``articles``).
- ``audit``: every dedup decision: rule, action, when.
- ``raw_pages``: the fetched page, zlib-compressed, for ``reparse``.
- ``feeds``: per-feed fetch state (FeedState). ``checkpoints``: backfill progress.
- ``pending_files``: posts committed to the database but not yet written, with the writer's pid
  (crash recovery finishes those of writers that are gone).
- ``fts_pending``: ``articles.seq`` of rows stored or edited but not yet (re)indexed. Storing
  commits the row and this marker; archive.indexer indexes it when storing pauses, and every
  search, export and verify first finishes what is left. The triggers below keep the two consistent whatever writes the rows.
- ``article_sources``: each merged feed's own version of a story (archive.sources), added when missing.
- ``meta``: schema version.

Columns added after a release are added to older databases when missing (``_add_columns``),
not by bumping ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from archive.errors import SchemaError
from archive.sources import ensure_flash_index
from archive.sources import ensure_table as ensure_sources_table

SCHEMA_VERSION = 2

ARTICLE_COLUMNS: dict[str, type] = {
    # small columns first: a row's big texts sit in overflow pages that reading the others skips
    "seq": int,
    "id": str,
    "feed": str,
    "site": str,
    "category": str,
    "title": str,
    "url": str,
    "canonical_url": str,
    "guid": str,
    "published": str,
    "updated": str,
    "author": str,
    "source": str,
    "editor": str,
    "image": str,
    "flags": str,
    "rules": str,
    "important": int,  # the wire's importance mark: 1, 0, or null when the source has none
    "content_hash": str,
    "version_hash": str,
    "duplicate_of": str,
    "path": str,
    "revisions": int,
    "first_seen": str,
    "last_changed": str,
    "sketch": str,
    "summary": str,
    "search_title": str,
    "body_text": str,
    "body_html": str,
    "search_body": str,
}
FTS_COLUMNS = ["search_title", "search_body"]


BUSY_TIMEOUT = 30.0  # seconds a statement waits for another process's write lock
WAL_CHECKPOINT_PAGES = 10_000  # pages (4 KB) of WAL before a commit checkpoints it


def connect(path: str, busy_timeout: float = BUSY_TIMEOUT) -> sqlite_utils.Database:
    """Open the database in WAL mode with synchronous=NORMAL (durable at each commit but the last).

    The connection may be handed to another thread (a backfill stores from a writer thread of its
    own); its users take turns, never two threads on it at once."""
    conn = sqlite3.connect(path, timeout=busy_timeout, check_same_thread=False)
    db = sqlite_utils.Database(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("PRAGMA cache_size=-65536")
    # Checkpoint at 40 MB of WAL, not SQLite's 4 MB: a batch stored into a large archive dirties
    # pages all over its indexes, so at 4 MB nearly every commit checkpointed (copying its pages
    # and syncing twice); fewer checkpoints copy a page touched by several batches once.
    conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    return db


@contextmanager
def setup_lock(database: Path, timeout: float = BUSY_TIMEOUT) -> Iterator[None]:
    """Hold ``<database>.setup.lock`` (an flock) while this process creates or migrates the schema.

    The kernel drops the lock when its holder dies, so a crash never leaves it held. Waits up to
    ``timeout`` seconds, then raises ArchiveBusy.
    """
    from archive.errors import ArchiveBusy

    path = database.with_name(database.name + ".setup.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ArchiveBusy(f"{database}: another process is setting the archive up; "
                                      "try again when it is done") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def connect_read_only(path: Path, busy_timeout: float = BUSY_TIMEOUT) -> sqlite_utils.Database:
    """Open an existing database for reading only; never creates, migrates or writes anything.

    A WAL database whose folder cannot be written has no ``-shm`` file to share: it is then
    opened ``immutable`` (correct while no other process writes it, which a read-only folder
    guarantees).
    """
    if not path.is_file():
        raise SchemaError(f"{path}: no archive there")
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=busy_timeout)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
    conn.execute("PRAGMA query_only=ON")
    return sqlite_utils.Database(conn)


def check_readable(db: sqlite_utils.Database) -> None:
    """A database this newsroll can read: not from the future, with the articles table."""
    version = _version(db)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"database schema version {version} is newer than this newsroll ({SCHEMA_VERSION})")
    if not db.table("articles").exists():
        raise SchemaError("not a newsroll archive (no articles table)")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: take the write lock first (waiting up to the busy timeout),
    so two processes storing at once queue up instead of failing to upgrade a read lock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create every table, index and the FTS configuration; refuse a database from the future."""
    version = _version(db)
    if version > SCHEMA_VERSION:
        raise SchemaError(f"database schema version {version} is newer than this newsroll ({SCHEMA_VERSION})")
    ensure_sources_table(db.conn)  # additive: every source's version of merged stories
    if version >= 1 and db.table("articles_fts").exists():
        if "seq" not in db.table("articles").columns_dict:
            raise SchemaError("database written by a pre-release newsroll (no articles.seq); archive it anew")
        if "owner" not in db.table("pending_files").columns_dict:  # pre-release databases
            db.table("pending_files").add_column("owner", int)
        if version < 2:  # version 1 indexed synchronously: everything is indexed, nothing pending
            with db.atomic():
                _create_index_queue(db)
                db.table("meta").upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
        _add_columns(db)
        return
    with db.atomic():
        _create_tables(db)
        db.table("meta").upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")
    _add_columns(db)


ADDED_ARTICLE_COLUMNS = ("important",)
NEWEST_FIRST_FILTERS = ("site", "important")


def _add_columns(db: sqlite_utils.Database) -> None:
    """Additive, idempotent: article columns newer than the database get added (null for old rows)."""
    present = db.table("articles").columns_dict
    for name in ADDED_ARTICLE_COLUMNS:
        if name not in present:
            db.table("articles").add_column(name, ARTICLE_COLUMNS[name])
    db.table("articles").create_index(["important", "published"], if_not_exists=True)
    # "newest first" lists of one site, or of important articles (a search with filters and no
    # words): an index on the column alone is ordered by seq (the rowid, its hidden last column),
    # so the list reads one page of it; (site, published) made SQLite sort every row of the site.
    for column in NEWEST_FIRST_FILTERS:
        db.table("articles").create_index([column], if_not_exists=True)
    ensure_flash_index(db.conn)


def _version(db: sqlite_utils.Database) -> int:
    if not db.table("meta").exists():
        return 0
    row = db.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def _create_tables(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    articles = db.table("articles")
    # An explicit INTEGER PRIMARY KEY: VACUUM may renumber implicit rowids, and the FTS index
    # (external content) is keyed by rowid.
    articles.create(
        ARTICLE_COLUMNS, pk="seq", not_null={"id", "feed", "title", "published"}, if_not_exists=True
    )
    articles.create_index(["id"], unique=True, if_not_exists=True)
    for cols in (["published"], ["content_hash"], ["site", "published"]):
        articles.create_index(cols, if_not_exists=True)
    if not db.table("articles_fts").exists():
        articles.enable_fts(FTS_COLUMNS, fts_version="FTS5", tokenize="unicode61", create_triggers=True)
        # 8 segments per level before an automatic merge (default 4): ~30% cheaper inserts, and
        # queries read at most a few more segments.
        db.execute("INSERT INTO [articles_fts]([articles_fts], rank) VALUES('automerge', 8)")
    db.table("article_feeds").create(
        {"article_id": str, "feed": str, "first_seen": str}, pk=("article_id", "feed"), if_not_exists=True
    )
    db.table("article_feeds").create_index(["feed", "article_id"], if_not_exists=True)
    db.table("article_keys").create(
        {
            "key": str,
            "article_id": str,
            "feed": str,
            "guid": str,
            "url_key": str,
            "rule": str,
            "item_fingerprint": str,
            "version_hash": str,
            "first_seen": str,
        },
        pk="key",
        if_not_exists=True,
    )
    db.table("article_keys").create_index(["feed", "url_key"], if_not_exists=True)
    db.table("article_keys").create_index(["article_id"], if_not_exists=True)
    db.table("article_urls").create(
        {"url_key": str, "article_id": str}, pk=("url_key", "article_id"), if_not_exists=True
    )
    db.table("article_urls").create_index(["article_id"], if_not_exists=True)
    db.table("minhash").create({"h": int, "seq": int}, if_not_exists=True)
    db.table("minhash").create_index(["h"], if_not_exists=True)
    db.table("minhash").create_index(["seq"], if_not_exists=True)
    db.table("revisions").create(
        {
            "article_id": str,
            "rev": int,
            "title": str,
            "body_html": str,
            "body_text": str,
            "published": str,
            "updated": str,
            "version_hash": str,
            "stored_at": str,
            "feed": str,
        },
        pk=("article_id", "rev"),
        if_not_exists=True,
    )
    db.table("audit").create(
        {
            "seq": int,
            "at": str,
            "article_id": str,
            "action": str,
            "rule": str,
            "feed": str,
            "key": str,
            "other_id": str,
            "detail": str,
        },
        pk="seq",
        if_not_exists=True,
    )
    db.table("audit").create_index(["article_id"], if_not_exists=True)
    db.table("raw_pages").create(
        {"article_id": str, "url": str, "charset": str, "raw_zlib": bytes, "stored_at": str},
        pk="article_id",
        if_not_exists=True,
    )
    db.table("checkpoints").create(
        {"key": str, "value": str, "updated_at": str}, pk="key", if_not_exists=True
    )
    db.table("pending_files").create(
        {"article_id": str, "owner": int}, pk="article_id", if_not_exists=True
    )
    db.table("feeds").create({"name": str}, pk="name", if_not_exists=True)
    _create_index_queue(db)


def _create_index_queue(db: sqlite_utils.Database) -> None:
    """``fts_pending`` and the triggers that fill it, replacing sqlite-utils' synchronous ones.

    Insert: queue the row. Update of the search text: take the old text out of the index unless
    the row is still queued (never indexed), then queue it. Delete: take it out of the index unless
    queued, and out of the queue. archive.indexer indexes the queue.
    """
    db.execute("CREATE TABLE IF NOT EXISTS [fts_pending] ([seq] INTEGER PRIMARY KEY)")
    unindex_old = (
        "  INSERT INTO [articles_fts] ([articles_fts], rowid, [search_title], [search_body])"
        " SELECT 'delete', old.rowid, old.[search_title], old.[search_body]"
        " WHERE NOT EXISTS (SELECT 1 FROM [fts_pending] WHERE [seq] = old.rowid);\n"
    )
    for name in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER IF EXISTS [{name}]")
    db.execute(
        "CREATE TRIGGER [articles_ai] AFTER INSERT ON [articles] BEGIN\n"
        "  INSERT OR IGNORE INTO [fts_pending] ([seq]) VALUES (new.rowid);\nEND"
    )
    db.execute(
        "CREATE TRIGGER [articles_ad] AFTER DELETE ON [articles] BEGIN\n"
        + unindex_old
        + "  DELETE FROM [fts_pending] WHERE [seq] = old.rowid;\nEND"
    )
    db.execute(
        "CREATE TRIGGER [articles_au] AFTER UPDATE OF [search_title], [search_body] ON [articles] BEGIN\n"
        + unindex_old
        + "  INSERT OR IGNORE INTO [fts_pending] ([seq]) VALUES (new.rowid);\nEND"
    )
