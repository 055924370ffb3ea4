"""Raw pages: compression with a dictionary per site, reading old and new rows, keep_raw pruning.

Pages of one site share most of their bytes (the template: head, navigation, scripts, footer), so
each site gets a zstd *raw-content* dictionary made of a few of its own pages, stored in the
database (table ``raw_dicts``). A page compressed with it costs about a tenth of zlib's size.

``raw_pages.codec`` says how ``raw_zlib`` is encoded (the column keeps its name):

- NULL: zlib (every page written before dictionaries existed; still read as such);
- ``zstd``: zstd without a dictionary (a site with too few pages yet);
- ``zstd:<id>``: zstd with dictionary ``raw_dicts.id``.

The site of a page is its registrable domain, approximately (``finance.sina.com.cn`` → ``sina.com.cn``).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import zstandard

from archive.errors import StoreError
from archive.models import RawPage, iso

LEVEL = 3  # with a dictionary: ~0.5 ms a 200 KB page, smaller than level 1 by 7x (level 1 barely uses it)
DICT_PAGES = 8  # pages of a site that make its dictionary
DICT_MAX_BYTES = 2_000_000
DICT_CACHE = 16  # dictionaries kept in memory (one per site being written or read)
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac"}
ProgressCallback = Callable[[int, int], None]


def site_key(url: str) -> str:
    """The site a page belongs to, for its dictionary: the host's registrable domain (approximately)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def parse_keep_raw(value: str) -> int | None:
    """``"all"`` → None (keep everything), ``"none"`` → 0, ``"<days>"`` → days. ValueError otherwise."""
    text = str(value).strip().lower()
    if text == "all":
        return None
    if text == "none":
        return 0
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise ValueError(f'keep_raw must be "all", "none" or a number of days, not {value!r}')


def schema_missing(conn: sqlite3.Connection) -> bool:
    """Whether ``ensure_schema`` has anything to add (checked without writing, so opening a
    read-only or busy archive that has it all takes no write lock)."""
    names = {r[0] for r in conn.execute("select name from sqlite_master where name in "
                                         "('raw_dicts', 'idx_raw_dicts_site', 'idx_raw_pages_stored_at')")}
    columns = {row[1] for row in conn.execute("pragma table_info(raw_pages)")}
    return len(names) < 3 or "codec" not in columns


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Add ``raw_dicts``, ``raw_pages.codec`` and the ``stored_at`` index when missing (additive,
    idempotent; call inside a write transaction)."""
    conn.execute(
        "create table if not exists raw_dicts (id integer primary key, site text not null, "
        "created_at text, pages integer, dict blob not null)"
    )
    conn.execute("create index if not exists idx_raw_dicts_site on raw_dicts (site)")
    columns = {row[1] for row in conn.execute("pragma table_info(raw_pages)")}
    if "codec" not in columns:
        conn.execute("alter table raw_pages add column codec text")
    conn.execute("create index if not exists idx_raw_pages_stored_at on raw_pages (stored_at)")


@dataclass(frozen=True)
class Encoded:
    blob: bytes
    codec: str | None


class PageCodec:
    """Compresses and decompresses raw pages; holds the dictionaries (read from the database).

    ``compress`` is thread-safe for a given dictionary set (zstd releases the GIL; a compressor
    is made per call from a precomputed dictionary).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        has_dicts = conn.execute("select 1 from sqlite_master where name = 'raw_dicts'").fetchone()
        self._site_dict: dict[str, int] = {  # an archive opened read-only may predate raw_dicts
            site: int(did) for did, site in conn.execute("select max(id), site from raw_dicts group by site")
        } if has_dicts else {}
        self._dicts: OrderedDict[int, zstandard.ZstdCompressionDict] = OrderedDict()

    def dictionary_for(self, url: str) -> int | None:
        return self._site_dict.get(site_key(url))

    def _dict(self, dict_id: int) -> zstandard.ZstdCompressionDict:
        found = self._dicts.get(dict_id)
        if found is None:
            row = self.conn.execute("select dict from raw_dicts where id = ?", (dict_id,)).fetchone()
            if row is None:
                raise StoreError(f"raw page dictionary {dict_id} is missing from the archive")
            found = zstandard.ZstdCompressionDict(bytes(row[0]), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
            found.precompute_compress(level=LEVEL)
            self._dicts[dict_id] = found
            while len(self._dicts) > DICT_CACHE:
                self._dicts.popitem(last=False)
        self._dicts.move_to_end(dict_id)
        return found

    def preload(self, dict_id: int | None) -> zstandard.ZstdCompressionDict | None:
        """The dictionary object (loaded in this thread: the database is read here, not in a pool)."""
        return self._dict(dict_id) if dict_id is not None else None

    @staticmethod
    def compress_with(raw: bytes, dict_id: int | None, zdict: zstandard.ZstdCompressionDict | None) -> Encoded:
        if zdict is None or dict_id is None:
            return Encoded(zstandard.ZstdCompressor(level=LEVEL).compress(raw), "zstd")
        return Encoded(zstandard.ZstdCompressor(level=LEVEL, dict_data=zdict).compress(raw), f"zstd:{dict_id}")

    def compress(self, url: str, raw: bytes) -> Encoded:
        dict_id = self.dictionary_for(url)
        return self.compress_with(raw, dict_id, self.preload(dict_id))

    def decompress(self, blob: bytes, codec: str | None) -> bytes:
        if not codec:
            return zlib.decompress(blob)
        if codec == "zstd":
            return zstandard.ZstdDecompressor().decompress(blob)
        if codec.startswith("zstd:"):
            return zstandard.ZstdDecompressor(dict_data=self._dict(int(codec[5:]))).decompress(blob)
        raise StoreError(f"raw page stored with an unknown codec {codec!r}")

    # -- dictionaries -------------------------------------------------------------------------

    def train(self, site: str, pages: Sequence[bytes], now: datetime) -> int:
        """Store a dictionary for ``site`` made of ``pages`` (call inside a write transaction)."""
        data = b"".join(pages)[-DICT_MAX_BYTES:]
        cur = self.conn.execute(
            "insert into raw_dicts (site, created_at, pages, dict) values (?, ?, ?, ?)",
            (site, iso(now), len(pages), data),
        )
        dict_id = int(cur.lastrowid or 0)
        self._site_dict[site] = dict_id
        return dict_id


def train_from_ids(
    conn: sqlite3.Connection, codec: PageCodec, site: str, article_ids: Sequence[str], now: datetime
) -> int:
    """Make ``site``'s dictionary from these articles' pages (unless it has one) and recompress
    them with it; call inside a write transaction. Returns the pages recompressed."""
    marks = ",".join("?" * len(article_ids))
    rows = conn.execute(
        f"select rowid, url, raw_zlib, codec from raw_pages where article_id in ({marks}) order by rowid",
        list(article_ids),
    ).fetchall()
    pages = [(int(rowid), url or "", codec.decompress(bytes(blob), old)) for rowid, url, blob, old in rows]
    if not pages:
        return 0
    if codec.dictionary_for(pages[0][1]) is None:
        codec.train(site, [raw for _rowid, _url, raw in pages[:DICT_PAGES]], now)
    updates = []
    for rowid, url, raw in pages:
        encoded = codec.compress(url, raw)
        updates.append((encoded.blob, encoded.codec, rowid))
    conn.executemany("update raw_pages set raw_zlib = ?, codec = ? where rowid = ?", updates)
    return len(updates)


def pages_to_recompress(conn: sqlite3.Connection, after: int, limit: int) -> list[tuple[int, str, bytes, str | None]]:
    """(rowid, url, blob, codec) of pages not on a dictionary, after rowid ``after``."""
    return [
        (int(r[0]), r[1] or "", bytes(r[2]), r[3])
        for r in conn.execute(
            "select rowid, url, raw_zlib, codec from raw_pages where rowid > ? "
            "and (codec is null or codec not like 'zstd:%') order by rowid limit ?",
            (after, limit),
        )
    ]


def compact(
    conn: sqlite3.Connection,
    codec: PageCodec,
    transaction: Callable[[], Any],
    now: datetime,
    on_progress: ProgressCallback | None = None,
    chunk: int = 200,
) -> dict[str, int]:
    """Give every site with at least DICT_PAGES pages a dictionary and recompress its pages with it
    (zlib rows included). One transaction per chunk; safe to interrupt. Returns counts."""
    total = int(
        conn.execute("select count(*) from raw_pages where codec is null or codec not like 'zstd:%'").fetchone()[0]
    )
    waiting: dict[str, list[bytes]] = {}
    after, done, trained, recompressed = 0, 0, 0, 0
    while rows := pages_to_recompress(conn, after, chunk):
        updates: list[tuple[bytes, str | None, int]] = []
        with transaction():
            for rowid, url, blob, old_codec in rows:
                after = rowid
                site = site_key(url)
                raw = codec.decompress(blob, old_codec)
                if codec.dictionary_for(url) is None:
                    sample = waiting.setdefault(site, [])
                    if len(sample) < DICT_PAGES:
                        sample.append(raw)
                    if len(sample) == DICT_PAGES and site:
                        codec.train(site, sample, now)
                        trained += 1
                        waiting.pop(site)
                if codec.dictionary_for(url) is not None:
                    encoded = codec.compress(url, raw)
                    updates.append((encoded.blob, encoded.codec, rowid))
            conn.executemany("update raw_pages set raw_zlib = ?, codec = ? where rowid = ?", updates)
        recompressed += len(updates)
        done += len(rows)
        if on_progress is not None:
            on_progress(done, total)
    if trained:  # pages passed over before their site's dictionary existed: one more pass
        more = compact(conn, codec, transaction, now, None, chunk) if recompressed < total else {}
        recompressed += more.get("recompressed", 0)
        trained += more.get("trained", 0)
    return {"pages": total, "trained": trained, "recompressed": recompressed}


def prune(conn: sqlite3.Connection, keep_days: int | None, now: datetime) -> int:
    """Delete raw pages stored more than ``keep_days`` days before ``now`` (all with 0; none with None)."""
    if keep_days is None:
        return 0
    if keep_days == 0:
        return int(conn.execute("delete from raw_pages").rowcount)
    cutoff = iso(now - timedelta(days=keep_days))
    return int(conn.execute("delete from raw_pages where stored_at < ?", (cutoff,)).rowcount)


def iter_pages(
    conn: sqlite3.Connection,
    codec: PageCodec,
    feed: str | None,
    *,
    chunk: int = 100,
    on_progress: ProgressCallback | None = None,
) -> Iterator[RawPage]:
    """Stored pages (decompressed), optionally of one feed's articles, in storage order.

    Read in chunks by rowid, up to the last page stored when the walk began, so memory stays
    bounded and the caller may store (rewrite pages) between items without a cursor open.
    ``on_progress(pages_done, pages_total)`` after each chunk.
    """
    has_codec = any(row[1] == "codec" for row in conn.execute("pragma table_info(raw_pages)"))
    sql = (  # an archive opened read-only may predate the codec column: all zlib then
        f"select r.rowid, r.article_id, r.url, a.feed, r.raw_zlib, r.charset, {'r.codec' if has_codec else 'null'} "
        "from raw_pages r join articles a on a.id = r.article_id where r.rowid > ? and r.rowid <= ?"
    )
    params: list[Any] = []
    count_sql = "select count(*) from raw_pages r where r.rowid <= ?"
    if feed:
        sql += " and r.article_id in (select article_id from article_feeds where feed = ?)"
        count_sql += " and r.article_id in (select article_id from article_feeds where feed = ?)"
        params.append(feed)
    last = conn.execute("select coalesce(max(rowid), 0) from raw_pages").fetchone()[0]
    total = int(conn.execute(count_sql, [last, *params]).fetchone()[0]) if on_progress else 0
    after, done = 0, 0
    while True:
        rows = conn.execute(sql + " order by r.rowid limit ?", [after, last, *params, chunk]).fetchall()
        if not rows:
            if on_progress is not None:
                on_progress(done, total)
            return
        for rowid, article_id, url, feed_name, blob, charset, page_codec in rows:
            after = rowid
            done += 1
            raw = codec.decompress(blob, page_codec)
            yield RawPage(article_id, url, feed_name, raw, charset)
        if on_progress is not None:
            on_progress(done, total)
