"""Wire kinds (scraper.sources) in a poll: which Source a feed reads, its listing URL, full texts.

    wire_source(feed) ─▶ Source | None
    listing_url(feed, url, cursor) ─▶ Source.request_url (paging and signing parameters added)
    wire_article(...) ─▶ GET FeedItem.fetch_url with the wire's headers ─▶ Source.parse_article ─▶ Article
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from jobs.config import FeedConfig
from scraper.errors import ExtractError, FetchError, ParseError, TransientFetchError
from scraper.extract import extract
from scraper.models import Article, FeedItem
from scraper.normalize import Fallback, FeedIdentity, build_article
from scraper.sources import Source, get_source, source_kinds

if TYPE_CHECKING:
    from jobs.pipeline import PollContext

logger = logging.getLogger(__name__)


def wire_source(feed: FeedConfig) -> Source | None:
    """The feed's wire (scraper.sources) when its kind is one, else None."""
    return get_source(feed.kind) if feed.kind in source_kinds() else None


def listing_url(feed: FeedConfig, url: str, cursor: str | None = None) -> str:
    """The URL to GET for a listing page: a wire adds its paging and signing parameters."""
    source = wire_source(feed)
    return source.request_url(url, cursor) if source else url


async def wire_article(ctx: PollContext, feed: FeedConfig, source: Source, item: FeedItem,
                       identity: FeedIdentity, base: Fallback) -> tuple[Article, bool]:
    """A wire item whose full text is at ``fetch_url`` (a JSON API, a page with embedded JSON).

    Returns (article, failed). A refused or unreadable full text keeps the listing's summary
    (flag ``fetch_failed`` / ``extract_failed``); the post's source stays the item's public URL.
    """
    now, url = ctx.clock(), item.fetch_url or item.url
    obey = ctx.settings.http.obey_robots if feed.obey_robots is None else feed.obey_robots
    try:
        page = await ctx.fetcher.fetch(url, obey_robots=obey, headers=source.headers)
    except FetchError as exc:
        logger.warning("%s: full text %s failed: %s; keeping the listing's summary", feed.name, url, exc)
        article = build_article(identity, item, now=now, flags=("fetch_failed",), fallback=base)
        if isinstance(exc, TransientFetchError):  # no fingerprint: the next poll tries again
            article = replace(article, item_fingerprint="")
        return article, True
    try:
        if source.parse_article is not None:
            extracted = source.parse_article(page.content, page.final_url)
        else:
            extracted = await asyncio.to_thread(extract, page.content, page.final_url, rules_name=feed.rules,
                                                charset=page.charset)
    except (ParseError, ExtractError) as exc:
        logger.warning("%s: full text of %s unusable (%s); keeping the listing's summary", feed.name, item.url, exc)
        return build_article(identity, item, now=now, flags=("extract_failed",), fallback=base), False
    # no raw page kept: reparse's HTML extractor cannot read a wire's JSON
    return build_article(identity, item, now=now, extracted=extracted, fallback=base), False
