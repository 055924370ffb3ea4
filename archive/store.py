"""Deciding what an incoming article is (dedup layers) and writing it, inside one transaction.

Layers, in order, each decision written to ``audit`` with its rule and time:

1. ``guid``: the feed's guid (per feed). When an item has no guid, or its guid is repeated
   within one listing for different links, its identity is ``link_date`` (URL key + published).
   A known identity key → the same article: ``unchanged`` or, if title/body changed since that
   source last showed it, ``updated`` (the old version goes to ``revisions``).
2. ``url``: an article of *another* feed with the same URL key (tracking stripped, http/https,
   Sina mobile/desktop, the page's rel=canonical) → ``merged`` (this feed is added to it).
   Articles of the *same* feed sharing a link are distinct (distinct guids, or distinct dates).
3. ``content_hash``: the same text from another feed → ``merged``; from the same feed →
   stored as its own article flagged ``duplicate_of``.
4. ``minhash``: a near-identical text (clause sets resembling ≥ 0.7) → stored, ``duplicate_of``.
5. otherwise ``new``.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlite_utils

from archive import identity
from archive.errors import StoreError
from archive.files import post_path
from archive.models import Status, StoreResult, iso
from archive.textindex import index_text
from scraper.models import Article

logger = logging.getLogger(__name__)

RAW_ZLIB_LEVEL = 1
SEQ_SLOTS = 4096


def seq_base(published: datetime) -> int:
    """``articles.seq`` orders articles by publication time: epoch seconds × 4096 (+ a slot number).

    The FTS index is keyed by seq, so "newest first" and since/until filters are rowid order and
    rowid ranges that FTS5 can serve without visiting every match.
    """
    return int(published.timestamp()) * SEQ_SLOTS


@dataclass(frozen=True)
class Prepared:
    """Everything about one incoming article that needs no database (computed before the transaction)."""

    article: Article
    published: str
    key: str  # identity key
    key_rule: str  # "guid" | "link_date"
    guid_key: str | None  # the guid key when a repeated guid forced the link_date fallback
    url_key: str
    url_keys: tuple[str, ...]
    content_hash: str
    version_hash: str
    sketch: tuple[int, ...]
    search_title: str
    search_body: str
    flags: str
    raw_zlib: bytes | None = None


def prepare_batch(articles: Sequence[Article], pool: Executor | None = None) -> list[Prepared]:
    """Compute identities, hashes and compressed pages (before the transaction, no database).

    Guids repeated within the batch for different links fall back to link + date. Raw pages are
    compressed on ``pool`` (zlib releases the GIL) while this thread does the rest.
    """
    compressing = [
        (pool.submit(compress_page, a.raw_html) if pool else None) if a.raw_html is not None else None
        for a in articles
    ]
    links_per_guid: dict[tuple[str, str], set[str]] = defaultdict(set)
    for article in articles:
        if article.guid:
            links_per_guid[(article.feed, article.guid)].add(identity.url_key(article.url))
    prepared = [_prepare(a, len(links_per_guid.get((a.feed, a.guid or ""), ())) > 1) for a in articles]
    for i, future in enumerate(compressing):
        raw = articles[i].raw_html
        if raw is not None:
            prepared[i] = replace(prepared[i], raw_zlib=future.result() if future else compress_page(raw))
    return prepared


def compress_page(raw: bytes) -> bytes:
    """zlib at level 1: 4× smaller than HTML at about a third of the default level's cost."""
    return zlib.compress(raw, RAW_ZLIB_LEVEL)


def _prepare(article: Article, guid_repeated: bool) -> Prepared:
    if article.published.tzinfo is None:
        raise StoreError(f"article {article.url!r}: published is a naive datetime")
    published = iso(article.published)
    ukey = identity.url_key(article.url)
    keys = [ukey]
    if article.canonical_url:
        ckey = identity.url_key(article.canonical_url)
        if ckey and ckey not in keys:
            keys.append(ckey)
    guid = (article.guid or "").strip()
    guid_key = f"g|{article.feed}|{guid}" if guid else None
    if guid_key and not guid_repeated:
        key, rule, fallback = guid_key, "guid", None
    else:
        key, rule, fallback = f"l|{article.feed}|{ukey}|{published}", "link_date", guid_key
    return Prepared(
        article=article,
        published=published,
        key=key,
        key_rule=rule,
        guid_key=fallback,
        url_key=ukey,
        url_keys=tuple(k for k in keys if k),
        content_hash=identity.content_hash(article.title, article.body_text),
        version_hash=identity.version_hash(article.title, article.body_text),
        sketch=identity.sketch(article.body_text),
        search_title=index_text(article.title),
        search_body=index_text(article.body_text),
        flags=json.dumps(sorted(set(article.flags)), ensure_ascii=False) if article.flags else "",
    )


def _sketch_text(p: Prepared) -> str | None:
    return " ".join(map(str, p.sketch)) or None


class BatchWriter:
    """Applies prepared articles to the database; call inside one transaction.

    ``to_render`` collects the ids whose post file must be (re)written after the commit.
    """

    def __init__(self, db: sqlite_utils.Database, now: datetime) -> None:
        self.conn = db.conn
        self.now = iso(now)
        self.to_render: list[str] = []
        self._rendering: set[str] = set()

    # -- lookups ------------------------------------------------------------------------------

    def _key_row(self, key: str) -> dict[str, Any] | None:
        cur = self.conn.execute(
            "select key, article_id, rule, version_hash, item_fingerprint, url_key from article_keys where key = ?",
            (key,),
        )
        row = cur.fetchone()
        if row is None:
            return None
        return dict(
            zip(
                ("key", "article_id", "rule", "version_hash", "item_fingerprint", "url_key"), row, strict=True
            )
        )

    def _listed_in(self, article_id: str, feed: str) -> bool:
        return (
            self.conn.execute(
                "select 1 from article_feeds where article_id = ? and feed = ?", (article_id, feed)
            ).fetchone()
            is not None
        )

    def _url_candidates(self, url_keys: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(url_keys))
        rows = self.conn.execute(
            f"select distinct u.article_id from article_urls u join articles a on a.id = u.article_id "
            f"where u.url_key in ({marks}) order by a.seq",
            tuple(url_keys),
        ).fetchall()
        return [r[0] for r in rows]

    def _near_duplicate(self, sketch: tuple[int, ...]) -> str | None:
        """The earliest article whose clauses resemble ``sketch`` enough (see identity.NEAR_DUPLICATE)."""
        shared: dict[int, int] = defaultdict(int)
        for value in sketch:
            rows = self.conn.execute(
                "select seq from minhash where h = ? order by rowid desc limit 50", (value,)
            ).fetchall()
            for (seq,) in rows:
                shared[seq] += 1
        best: tuple[float, int] | None = None
        for seq, count in shared.items():
            if count < 2:
                continue
            row = self.conn.execute("select sketch from articles where seq = ?", (seq,)).fetchone()
            other = tuple(int(v) for v in row[0].split()) if row and row[0] else ()
            score = identity.resemblance(sketch, other)
            if score >= identity.NEAR_DUPLICATE and (best is None or (score, -seq) > (best[0], -best[1])):
                best = (score, seq)
        if best is None:
            return None
        found = self.conn.execute("select id from articles where seq = ?", (best[1],)).fetchone()
        return str(found[0]) if found else None

    # -- decisions ----------------------------------------------------------------------------

    def apply(self, p: Prepared) -> StoreResult:
        key_row = self._key_row(p.key)
        if key_row is None and p.guid_key:
            guid_row = self._key_row(p.guid_key)
            if guid_row and guid_row["url_key"] == p.url_key:
                key_row = guid_row
        if key_row is not None:
            return self._known(p, key_row)
        feed = p.article.feed
        for candidate in self._url_candidates(p.url_keys) if p.url_keys else []:
            if not self._listed_in(candidate, feed):
                return self._merge(p, candidate, "url")
        duplicate_of, rule = None, "new"
        if p.content_hash:
            rows = self.conn.execute(
                "select id from articles where content_hash = ? order by seq", (p.content_hash,)
            ).fetchall()
            for (candidate,) in rows:
                if not self._listed_in(candidate, feed):
                    return self._merge(p, candidate, "content_hash")
            if rows:
                duplicate_of, rule = rows[0][0], "content_hash"
        if duplicate_of is None and p.sketch:
            duplicate_of = self._near_duplicate(p.sketch)
            if duplicate_of:
                rule = "minhash"
        return self._insert(p, duplicate_of, rule)

    def _known(self, p: Prepared, key_row: dict[str, Any]) -> StoreResult:
        article_id = key_row["article_id"]
        row = self.conn.execute(
            "select version_hash, path, revisions from articles where id = ?", (article_id,)
        ).fetchone()
        if row is None:  # a key left behind by a removed article: treat as new
            self.conn.execute("delete from article_keys where key = ?", (key_row["key"],))
            return self.apply(p)
        current_hash, path, revisions = row
        if p.version_hash in (key_row["version_hash"], current_hash):
            if (key_row["item_fingerprint"] or "") != p.article.item_fingerprint or (
                key_row["version_hash"] != p.version_hash
            ):
                self.conn.execute(
                    "update article_keys set item_fingerprint = ?, version_hash = ? where key = ?",
                    (p.article.item_fingerprint, p.version_hash, key_row["key"]),
                )
            return StoreResult(article_id, "unchanged", path, key_row["rule"])
        self._revise(article_id, p, revisions)
        self.conn.execute(
            "update article_keys set item_fingerprint = ?, version_hash = ? where key = ?",
            (p.article.item_fingerprint, p.version_hash, key_row["key"]),
        )
        self._audit(article_id, "updated", key_row["rule"], p, None, f"revision {revisions + 1}")
        self._pending(article_id)
        return StoreResult(article_id, "updated", path, key_row["rule"])

    def _revise(self, article_id: str, p: Prepared, revisions: int) -> None:
        self.conn.execute(
            "insert into revisions (article_id, rev, title, body_html, body_text, published, updated, "
            "version_hash, stored_at, feed) select id, ?, title, body_html, body_text, published, updated, "
            "version_hash, last_changed, feed from articles where id = ?",
            (revisions, article_id),
        )
        a = p.article
        self.conn.execute(
            "update articles set title = ?, body_html = ?, body_text = ?, summary = ?, image = ?, updated = ?, "
            "author = coalesce(?, author), source = coalesce(?, source), editor = coalesce(?, editor), "
            "flags = ?, rules = ?, content_hash = ?, version_hash = ?, sketch = ?, revisions = ?, "
            "last_changed = ?, search_title = ?, search_body = ? where id = ?",
            (
                a.title,
                a.body_html,
                a.body_text,
                a.summary,
                a.image or "",
                iso(a.updated) if a.updated else self.now,
                a.author,
                a.source,
                a.editor,
                p.flags,
                a.rules,
                p.content_hash,
                p.version_hash,
                _sketch_text(p),
                revisions + 1,
                self.now,
                p.search_title,
                p.search_body,
                article_id,
            ),
        )
        self._sketch(article_id, p.sketch, replace=True)
        self._urls(article_id, p.url_keys)
        self._raw(article_id, p)

    def _merge(self, p: Prepared, article_id: str, rule: str) -> StoreResult:
        self.conn.execute(
            "insert or ignore into article_feeds (article_id, feed, first_seen) values (?, ?, ?)",
            (article_id, p.article.feed, self.now),
        )
        self._key(p, article_id, rule)
        self._urls(article_id, p.url_keys)
        path = self.conn.execute("select path from articles where id = ?", (article_id,)).fetchone()[0]
        self._audit(article_id, "merged", rule, p, None, p.article.url)
        self._pending(article_id)
        return StoreResult(article_id, "merged", path, rule)

    def _insert(self, p: Prepared, duplicate_of: str | None, rule: str) -> StoreResult:
        a = p.article
        article_id = identity.article_id(p.key)
        salt = 0
        while self.conn.execute("select 1 from articles where id = ?", (article_id,)).fetchone():
            salt += 1
            article_id = identity.article_id(f"{p.key}#{salt}")
        path = post_path(article_id, a.published)
        canonical = identity.clean_url(a.canonical_url) if a.canonical_url else identity.clean_url(a.url)
        seq = self._free_seq(a.published)
        self.conn.execute(
            "insert into articles (seq, id, feed, site, category, title, url, canonical_url, guid, published, "
            "updated, author, source, editor, image, summary, body_html, body_text, flags, rules, "
            "content_hash, version_hash, sketch, duplicate_of, path, revisions, first_seen, last_changed, "
            "search_title, search_body) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                seq,
                article_id,
                a.feed,
                a.site,
                a.category,
                a.title,
                a.url,
                canonical,
                a.guid,
                p.published,
                iso(a.updated) if a.updated else None,
                a.author,
                a.source,
                a.editor,
                a.image or "",
                a.summary,
                a.body_html,
                a.body_text,
                p.flags,
                a.rules,
                p.content_hash,
                p.version_hash,
                _sketch_text(p),
                duplicate_of,
                path,
                1,
                self.now,
                self.now,
                p.search_title,
                p.search_body,
            ),
        )
        self.conn.execute(
            "insert into article_feeds (article_id, feed, first_seen) values (?, ?, ?)",
            (article_id, a.feed, self.now),
        )
        self._key(p, article_id, p.key_rule)
        self._urls(article_id, p.url_keys)
        self._sketch(article_id, p.sketch, replace=False)
        self._raw(article_id, p)
        status: Status = "duplicate" if duplicate_of else "new"
        self._audit(article_id, status, rule, p, duplicate_of, a.url)
        self._pending(article_id)
        return StoreResult(article_id, status, path, rule, duplicate_of)

    def _free_seq(self, published: datetime) -> int:
        """The first free ``seq`` at or after ``seq_base(published)`` (4096 slots per second)."""
        base = seq_base(published)
        while True:
            top = self.conn.execute(
                "select max(seq) from articles where seq between ? and ?", (base, base + SEQ_SLOTS - 1)
            ).fetchone()[0]
            if top is None:
                return base
            if top < base + SEQ_SLOTS - 1:
                return int(top) + 1
            base += SEQ_SLOTS

    # -- small writes -------------------------------------------------------------------------

    def _key(self, p: Prepared, article_id: str, rule: str) -> None:
        a = p.article
        self.conn.execute(
            "insert or replace into article_keys (key, article_id, feed, guid, url_key, rule, item_fingerprint, "
            "version_hash, first_seen) values (?,?,?,?,?,?,?,?,?)",
            (
                p.key,
                article_id,
                a.feed,
                a.guid,
                p.url_key,
                rule,
                a.item_fingerprint,
                p.version_hash,
                self.now,
            ),
        )

    def _urls(self, article_id: str, url_keys: Sequence[str]) -> None:
        self.conn.executemany(
            "insert or ignore into article_urls (url_key, article_id) values (?, ?)",
            [(k, article_id) for k in url_keys],
        )

    def _sketch(self, article_id: str, sketch: tuple[int, ...], *, replace: bool) -> None:
        seq = self.conn.execute("select seq from articles where id = ?", (article_id,)).fetchone()[0]
        if replace:
            self.conn.execute("delete from minhash where seq = ?", (seq,))
        self.conn.executemany("insert into minhash (h, seq) values (?, ?)", [(h, seq) for h in sketch])

    def _raw(self, article_id: str, p: Prepared) -> None:
        if p.raw_zlib is None:
            return
        self.conn.execute(
            "insert or replace into raw_pages (article_id, url, charset, raw_zlib, stored_at) values (?,?,?,?,?)",
            (article_id, p.article.url, p.article.raw_charset, p.raw_zlib, self.now),
        )

    def _audit(
        self, article_id: str, action: str, rule: str, p: Prepared, other: str | None, detail: str
    ) -> None:
        self.conn.execute(
            "insert into audit (at, article_id, action, rule, feed, key, other_id, detail) values (?,?,?,?,?,?,?,?)",
            (self.now, article_id, action, rule, p.article.feed, p.key, other, detail),
        )

    def _pending(self, article_id: str) -> None:
        if article_id not in self._rendering:
            self.conn.execute("insert or ignore into pending_files (article_id) values (?)", (article_id,))
            self._rendering.add(article_id)
            self.to_render.append(article_id)
