"""Deciding what an incoming article is (dedup layers) and writing it, inside one transaction.

Layers, in order, each decision written to ``audit`` with its rule and time:

1. ``guid``: the feed's guid (per feed). When an item has no guid, or its guid is repeated
   within one listing for different links, its identity is ``link_date`` (URL key + published).
   A known identity key → the same article: ``unchanged`` or, if title/body changed since that
   source last showed it, ``updated`` (the old version goes to ``revisions``).
2. ``url``: an article of *another* feed with the same URL key (tracking stripped, http/https,
   Sina mobile/desktop, the page's rel=canonical) → ``merged`` (this feed is added to it).
   Articles of the *same* feed sharing a link are distinct (distinct guids, or distinct dates).
3. ``content_hash``: the same text from another feed → ``merged`` (for a short flash text, only
   within hours: "三大指数集体收涨" on two days is two stories); from the same feed → stored as its
   own article flagged ``duplicate_of``.
4. ``same_story``: a short flash text (快讯) from another feed telling the same story in other
   words (archive.samestory: same figures, subject and session, within hours) → ``merged``.
5. ``minhash``: a near-identical text (clause sets resembling ≥ 0.7) → stored, ``duplicate_of``.
6. otherwise ``new``.

Every merge keeps the merged feed's own version in ``article_sources`` (archive.sources).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from archive import identity, sources
from archive.files import post_path
from archive.models import Status, StoreResult, iso
from archive.prepare import SEQ_SLOTS, Prepared, seq_base, sketch_text

logger = logging.getLogger(__name__)
BUCKET_DEPTH = 50  # newest rows read per sketch value: a boilerplate clause must not fan out
TOP_CANDIDATES = 8  # candidates compared per article: those sharing the most sketch values
KEY_COLUMNS = ("key", "article_id", "rule", "version_hash", "item_fingerprint", "url_key")


class BatchWriter:
    """Applies prepared articles to the database; call inside one transaction.

    ``to_render`` collects the ids whose post file must be (re)written after the commit.
    """

    def __init__(self, db: sqlite_utils.Database, now: datetime) -> None:
        self.conn = db.conn
        self.now = iso(now)
        self.to_render: list[str] = []
        self._rendering: set[str] = set()
        self.resemblance_checks = 0  # sketches compared by the near-duplicate layer (bounded per article)

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def _insert_row(self, table: str, row: dict[str, Any], verb: str = "insert") -> None:
        self.conn.execute(
            f"{verb} into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))})", list(row.values())
        )

    # -- lookups ------------------------------------------------------------------------------

    def _key_row(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute(f"select {', '.join(KEY_COLUMNS)} from article_keys where key = ?", (key,)).fetchone()
        return dict(zip(KEY_COLUMNS, row, strict=True)) if row else None

    def _redated(self, p: Prepared) -> dict[str, Any] | None:
        row = self.conn.execute(
            f"select {', '.join(KEY_COLUMNS)} from article_keys where feed = ? and url_key = ? and version_hash = ? "
            "and key like 'l|%' limit 1",
            (p.article.feed, p.url_key, p.version_hash),
        ).fetchone()
        return dict(zip(KEY_COLUMNS, row, strict=True)) if row else None

    def _listed_in(self, article_id: str, feed: str) -> bool:
        return self._one("select 1 from article_feeds where article_id = ? and feed = ?", (article_id, feed)) is not None

    def _url_candidates(self, url_keys: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(url_keys))
        sql = (
            "select distinct u.article_id from article_urls u join articles a on a.id = u.article_id "
            f"where u.url_key in ({marks}) order by a.seq"
        )
        return [r[0] for r in self.conn.execute(sql, tuple(url_keys))]

    def _near_duplicate(self, sketch: tuple[int, ...]) -> str | None:
        """The article whose clauses resemble ``sketch`` most (≥ identity.NEAR_DUPLICATE), earliest on ties.

        The work is bounded whatever the archive holds (see ``near_candidates``): at most
        BUCKET_DEPTH rows read per sketch value, at most TOP_CANDIDATES resemblance computations.
        """
        best: tuple[float, int] | None = None
        for seq, stored in near_candidates(self.conn, sketch):
            self.resemblance_checks += 1
            score = identity.resemblance(sketch, tuple(int(v) for v in (stored or "").split()))
            if score >= identity.NEAR_DUPLICATE and (best is None or (score, -seq) > (best[0], -best[1])):
                best = (score, seq)
        return self._one("select id from articles where seq = ?", (best[1],)) if best else None

    # -- decisions ----------------------------------------------------------------------------

    def apply(self, p: Prepared) -> StoreResult:
        """Store one article (see the module docstring for the order of the layers)."""
        key_row = self._key_row(p.key)
        if key_row is None and p.guid_key:
            guid_row = self._key_row(p.guid_key)
            if guid_row and guid_row["url_key"] == p.url_key:
                key_row = guid_row
        if key_row is None and p.key_rule == "link_date":
            # a guid-less item whose date moved but whose text did not (feeds that re-date items
            # on every build): the same article, not a new one
            key_row = self._redated(p)
        if key_row is not None:
            return self._known(p, key_row)
        feed = p.article.feed
        for candidate in self._url_candidates(p.url_keys) if p.url_keys else []:
            if not self._listed_in(candidate, feed):
                return self._merge(p, candidate, "url")
        duplicate_of, rule = None, "new"
        if p.content_hash:
            same_text = [r[0] for r in self.conn.execute(
                "select id from articles where content_hash = ? order by seq", (p.content_hash,))]
            same_text = [c for c in same_text if sources.close_enough(self.conn, c, p)]
            for candidate in same_text:
                if not self._listed_in(candidate, feed):
                    return self._merge(p, candidate, "content_hash")
            if same_text:
                duplicate_of, rule = same_text[0], "content_hash"
        if duplicate_of is None:
            story = sources.same_story_candidate(self.conn, p)
            if story is not None:
                return self._merge(p, story, "same_story")
        if duplicate_of is None and p.sketch:
            duplicate_of = self._near_duplicate(p.sketch)
            rule = "minhash" if duplicate_of else rule
        return self._insert(p, duplicate_of, rule)

    def _known(self, p: Prepared, key_row: dict[str, Any]) -> StoreResult:
        article_id = key_row["article_id"]
        row = self.conn.execute("select version_hash, path, revisions from articles where id = ?", (article_id,)).fetchone()
        if row is None:  # a key left behind by a removed article: store as new
            self.conn.execute("delete from article_keys where key = ?", (key_row["key"],))
            return self.apply(p)
        current_hash, path, revisions = row
        source_changed = key_row["version_hash"] != p.version_hash
        if source_changed or (key_row["item_fingerprint"] or "") != p.article.item_fingerprint:
            self.conn.execute(
                "update article_keys set item_fingerprint = ?, version_hash = ? where key = ?",
                (p.article.item_fingerprint, p.version_hash, key_row["key"]),
            )
        # unchanged: what this source showed before, or what the article already shows (another source)
        if not source_changed or p.version_hash == current_hash:
            return StoreResult(article_id, "unchanged", path, key_row["rule"])
        if key_row["rule"] == "same_story":  # another wire's wording edited: that source's version only
            sources.record(self.conn, article_id, p, key_row["rule"], self.now)
            self._audit(article_id, "updated", key_row["rule"], p, None, f"source version of {p.article.feed}")
            return StoreResult(article_id, "updated", path, key_row["rule"])
        self._revise(article_id, p, revisions)
        self._audit(article_id, "updated", key_row["rule"], p, None, f"revision {revisions + 1}")
        self._pending(article_id)
        return StoreResult(article_id, "updated", path, key_row["rule"])

    def _revise(self, article_id: str, p: Prepared, revisions: int) -> None:
        self.conn.execute(
            "insert into revisions (article_id, rev, title, body_html, body_text, published, updated, version_hash, "
            "stored_at, feed) select id, ?, title, body_html, body_text, published, updated, version_hash, "
            "last_changed, feed from articles where id = ?",
            (revisions, article_id),
        )
        a = p.article
        changes = {
            "title": a.title, "body_html": a.body_html, "body_text": a.body_text, "summary": a.summary,
            "image": a.image or "", "updated": iso(a.updated) if a.updated else self.now, "flags": p.flags,
            "rules": a.rules, "content_hash": p.content_hash, "version_hash": p.version_hash,
            "sketch": sketch_text(p), "revisions": revisions + 1, "last_changed": self.now,
            # the search text is the index stage's (archive.indexer): null until it indexes the
            # new version; setting it here takes the old one out of the index (trigger articles_au)
            "search_title": None, "search_body": None,
        }
        changes |= {k: v for k, v in (("author", a.author), ("source", a.source), ("editor", a.editor)) if v}
        if a.important is not None:
            changes["important"] = int(a.important)
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.conn.execute(f"update articles set {assignments} where id = ?", [*changes.values(), article_id])
        self._sketch(article_id, p.sketch, replace=True)
        self._urls(article_id, p.url_keys)
        self._raw(article_id, p)

    def _merge(self, p: Prepared, article_id: str, rule: str) -> StoreResult:
        self.conn.execute(
            "insert or ignore into article_feeds (article_id, feed, first_seen) values (?, ?, ?)",
            (article_id, p.article.feed, self.now),
        )
        if p.article.important:  # one wire marking the story important marks it
            self.conn.execute("update articles set important = 1 where id = ?", (article_id,))
        self._key(p, article_id, rule)
        self._urls(article_id, p.url_keys)
        sources.record(self.conn, article_id, p, rule, self.now)
        self._audit(article_id, "merged", rule, p, None, p.article.url)
        self._pending(article_id)
        return StoreResult(article_id, "merged", self._one("select path from articles where id = ?", (article_id,)), rule)

    def _insert(self, p: Prepared, duplicate_of: str | None, rule: str) -> StoreResult:
        a = p.article
        article_id = identity.article_id(p.key)
        salt = 0
        while self._one("select 1 from articles where id = ?", (article_id,)):
            salt += 1
            article_id = identity.article_id(f"{p.key}#{salt}")
        path = post_path(article_id, a.published)
        seq = self._free_seq(a.published)
        self._insert_row("articles", {
            "seq": seq, "id": article_id, "feed": a.feed, "site": a.site,
            "category": a.category, "title": a.title, "url": a.url,
            "canonical_url": identity.clean_url(a.canonical_url or a.url), "guid": a.guid,
            "published": p.published, "updated": iso(a.updated) if a.updated else None, "author": a.author,
            "source": a.source, "editor": a.editor, "image": a.image or "", "summary": a.summary,
            "body_html": a.body_html, "body_text": a.body_text, "flags": p.flags, "rules": a.rules,
            "important": None if a.important is None else int(a.important),
            "content_hash": p.content_hash, "version_hash": p.version_hash, "sketch": sketch_text(p),
            "duplicate_of": duplicate_of, "path": path, "revisions": 1, "first_seen": self.now,
            "last_changed": self.now,
            # the search text: when computed ahead (an import's worker), else by archive.indexer
            **({"search_title": p.search[0], "search_body": p.search[1]} if p.search is not None else {}),
        })
        self._insert_row("article_feeds", {"article_id": article_id, "feed": a.feed, "first_seen": self.now})
        self._key(p, article_id, p.key_rule)
        self._urls(article_id, p.url_keys)
        self.conn.executemany("insert into minhash (h, seq) values (?, ?)", [(h, seq) for h in p.sketch])
        self._raw(article_id, p)
        status: Status = "duplicate" if duplicate_of else "new"
        self._audit(article_id, status, rule, p, duplicate_of, a.url)
        self._pending(article_id)
        return StoreResult(article_id, status, path, rule, duplicate_of)

    def _free_seq(self, published: datetime) -> int:
        """The first free ``seq`` at or after ``seq_base(published)`` (SEQ_SLOTS per second)."""
        base = seq_base(published)
        while True:
            top = self._one("select max(seq) from articles where seq between ? and ?", (base, base + SEQ_SLOTS - 1))
            if top is None:
                return base
            if top < base + SEQ_SLOTS - 1:
                return int(top) + 1
            base += SEQ_SLOTS

    # -- small writes -------------------------------------------------------------------------

    def _key(self, p: Prepared, article_id: str, rule: str) -> None:
        a = p.article
        self._insert_row("article_keys", {
            "key": p.key, "article_id": article_id, "feed": a.feed, "guid": a.guid, "url_key": p.url_key,
            "rule": rule, "item_fingerprint": a.item_fingerprint, "version_hash": p.version_hash,
            "first_seen": self.now,
        }, verb="insert or replace")

    def _urls(self, article_id: str, url_keys: Sequence[str]) -> None:
        self.conn.executemany(
            "insert or ignore into article_urls (url_key, article_id) values (?, ?)", [(k, article_id) for k in url_keys]
        )

    def _sketch(self, article_id: str, sketch: tuple[int, ...], *, replace: bool) -> None:
        seq = self._one("select seq from articles where id = ?", (article_id,))
        if replace:
            self.conn.execute("delete from minhash where seq = ?", (seq,))
        self.conn.executemany("insert into minhash (h, seq) values (?, ?)", [(h, seq) for h in sketch])

    def _raw(self, article_id: str, p: Prepared) -> None:
        if p.raw_zlib is not None:
            self._insert_row("raw_pages", {
                "article_id": article_id, "url": p.article.url, "charset": p.article.raw_charset,
                "raw_zlib": p.raw_zlib, "codec": p.raw_codec, "stored_at": self.now,
            }, verb="insert or replace")

    def _audit(self, article_id: str, action: str, rule: str, p: Prepared, other: str | None, detail: str) -> None:
        self._insert_row("audit", {
            "at": self.now, "article_id": article_id, "action": action, "rule": rule, "feed": p.article.feed,
            "key": p.key, "other_id": other, "detail": detail,
        })

    def _pending(self, article_id: str) -> None:
        if article_id not in self._rendering:
            self.conn.execute(
                "insert or replace into pending_files (article_id, owner) values (?, ?)", (article_id, os.getpid())
            )
            self._rendering.add(article_id)
            self.to_render.append(article_id)


def near_candidates(conn: Any, sketch: Sequence[int]) -> list[tuple[int, str | None]]:
    """(seq, stored sketch) of the articles most likely to resemble ``sketch``, in one statement.

    Each sketch value is a bucket; the newest BUCKET_DEPTH rows of each bucket are read (a clause
    that thousands of templated texts share costs no more than a rare one), candidates sharing at
    least two values are ranked by how many they share, and the TOP_CANDIDATES first (earliest on
    ties) are returned with their sketches. Resemblance is at most shared values / sketch size,
    so the best match is among the most-sharing candidates unless TOP_CANDIDATES others share more.
    """
    if not sketch:
        return []
    per_value = f"select seq from (select seq from minhash where h = ? order by rowid desc limit {BUCKET_DEPTH})"
    sql = (
        f"with hits(seq) as ({' union all '.join([per_value] * len(sketch))}), "
        "ranked(seq, shared) as (select seq, count(*) from hits group by seq having count(*) >= 2 "
        f"order by count(*) desc, seq limit {TOP_CANDIDATES}) "
        "select r.seq, a.sketch from ranked r join articles a on a.seq = r.seq order by r.shared desc, r.seq"
    )
    return [(int(seq), stored) for seq, stored in conn.execute(sql, tuple(sketch))]
