"""Everything about incoming articles that needs no database, computed before the transaction.

Identity keys (``g|<feed>|<guid>``, or ``l|<feed>|<url key>|<published>`` when the guid is missing
or repeated within one listing for different links), URL keys, content/version hashes, the
clause sketch, the zlib-compressed page, and ``seq`` (publication
order). Pure functions apart from the optional thread pool for compression.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from archive import identity
from archive.errors import StoreError
from archive.models import iso
from archive.textindex import index_text
from scraper.models import Article

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
    flags: str
    raw_zlib: bytes | None = None  # the compressed page (the column keeps its first codec's name)
    raw_codec: str | None = None  # None: zlib; "zstd" or "zstd:<dictionary id>" (archive.rawpages)
    search: tuple[str, str] | None = None  # the search text (title, body) when computed ahead (TextHints)


PageCompressor = Callable[[Article], Callable[[], tuple[bytes, str | None]]]


def prepare_batch(
    articles: Sequence[Article],
    pool: Executor | None = None,
    compress: PageCompressor | None = None,
    hints: Sequence[TextHints] | None = None,
) -> list[Prepared]:
    """Compute identities, hashes and compressed pages (before the transaction, no database).

    Guids repeated within the batch for different links fall back to link + date. Raw pages are
    compressed on ``pool`` (zlib and zstd release the GIL) while this thread does the rest, by
    ``compress(article)`` when given (archive.rawpages: a zstd dictionary per site; it returns a
    function of no arguments to run on the pool), else by zlib (``compress_page``). ``hints``: each
    article's hashes and sketch when already computed (``text_hints``, say in an import's parsing
    worker), in the order of ``articles``.
    """
    jobs: list[Callable[[], tuple[bytes, str | None]] | None] = []
    for a in articles:
        if a.raw_html is None:
            jobs.append(None)
        elif compress is not None:
            jobs.append(compress(a))
        else:
            jobs.append(partial(_zlib_job, a.raw_html))
    compressing = [(pool.submit(job) if pool else None) if job is not None else None for job in jobs]
    links_per_guid: dict[tuple[str, str], set[str]] = defaultdict(set)
    for article in articles:
        if article.guid:
            links_per_guid[(article.feed, article.guid)].add(identity.url_key(article.url))
    given = list(hints) if hints is not None else [None] * len(articles)
    if len(given) != len(articles):
        raise StoreError(f"{len(given)} text hints for {len(articles)} articles")
    prepared = [
        _prepare(a, len(links_per_guid.get((a.feed, a.guid or ""), ())) > 1, h)
        for a, h in zip(articles, given, strict=True)
    ]
    for i, future in enumerate(compressing):
        job = jobs[i]
        if job is not None:
            blob, codec = future.result() if future else job()
            prepared[i] = replace(prepared[i], raw_zlib=blob, raw_codec=codec)
    return prepared


def _zlib_job(raw: bytes) -> tuple[bytes, str | None]:
    return compress_page(raw), None


def compress_page(raw: bytes) -> bytes:
    """zlib at level 1: 4× smaller than HTML at about a third of the default level's cost."""
    return zlib.compress(raw, RAW_ZLIB_LEVEL)


@dataclass(frozen=True)
class TextHints:
    """What ``_prepare`` computes from an article's title and text, computed ahead (``text_hints``)."""

    content_hash: str
    version_hash: str
    sketch: tuple[int, ...]
    search: tuple[str, str] | None = None  # archive.textindex.index_text of the title and the text


def text_hints(article: Article, *, search: bool = False) -> TextHints:
    """The article's hashes and sketch, and with ``search`` its search text (stored with the row,
    then indexed by archive.indexer without making it again)."""
    content, version = identity.text_hashes(article.title, article.body_text)
    shadow = (index_text(article.title), index_text(article.body_text)) if search else None
    return TextHints(content, version, identity.sketch(article.body_text), shadow)


def _prepare(article: Article, guid_repeated: bool, hints: TextHints | None = None) -> Prepared:
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
    if hints is None:
        hints = text_hints(article)
    return Prepared(
        article=article,
        published=published,
        key=key,
        key_rule=rule,
        guid_key=fallback,
        url_key=ukey,
        url_keys=tuple(k for k in keys if k),
        content_hash=hints.content_hash,
        version_hash=hints.version_hash,
        sketch=hints.sketch,
        search=hints.search,
        flags=json.dumps(sorted(set(article.flags)), ensure_ascii=False) if article.flags else "",
    )


def sketch_text(p: Prepared) -> str | None:
    """The sketch as stored in ``articles.sketch`` (space-separated integers)."""
    return " ".join(map(str, p.sketch)) or None
