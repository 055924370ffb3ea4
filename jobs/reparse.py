"""`newsroll reparse`: re-extract stored raw pages with today's rules, without refetching.

Each stored page goes through the same extraction and normalization as a live poll; the result is
stored like any re-fetch, so a changed body becomes a new revision and an unchanged one writes
nothing. Each article is tagged with its companies again (scraper.stocks), so history gets the
tags of today's list and tagger: tags found in its text that today's tagger no longer finds there
are dropped, tags from the source's data and the page's links are kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from archive import Archive, StoreTally
from archive.models import RawPage, StoredArticle
from jobs.config import FeedConfig, Settings
from jobs.pipeline import feed_identity, stock_directory
from scraper.errors import ExtractError
from scraper.extract import extract
from scraper.models import Article, FeedItem
from scraper.normalize import Fallback, FeedIdentity, build_article
from scraper.stocks import tagged_article

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReparseReport:
    pages: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"reparsed {self.pages} page(s): {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.failed} failed in {self.seconds:.1f}s")


def _identity(settings: Settings, stored: StoredArticle) -> tuple[FeedIdentity, FeedConfig | None]:
    feed = next((f for f in settings.feeds if f.name == stored.feed), None)
    if feed is not None:
        return feed_identity(settings, feed), feed
    return FeedIdentity(stored.feed, stored.site, stored.category, settings.default_image), None


def reparse_archive(
    settings: Settings,
    archive: Archive,
    *,
    feed: str | None = None,
    batch_size: int = 100,
    on_progress: Callable[[int, int], None] | None = None,
) -> ReparseReport:
    """Re-extract every stored page (of one feed), storing in batches; memory stays bounded.
    ``on_progress(pages_read, pages_total)`` as the stored pages are read."""
    started = time.monotonic()
    pages = updated = unchanged = failed = 0
    batch: list[Article] = []

    def flush() -> None:
        nonlocal updated, unchanged
        tally = StoreTally.of(archive.store(batch, now=datetime.now(UTC), retag=True) if batch else [])
        unchanged += tally.unchanged
        updated += tally.stored - tally.unchanged
        batch.clear()

    for page in archive.raw_pages(feed, on_progress=on_progress):
        pages += 1
        article = _reparsed(settings, archive, page)
        if article is None:
            failed += 1
            continue
        batch.append(article)
        if len(batch) >= batch_size:
            flush()
    flush()
    return ReparseReport(pages, updated, unchanged, failed, time.monotonic() - started)


def _reparsed(settings: Settings, archive: Archive, page: RawPage) -> Article | None:
    stored = archive.article(page.id)
    if stored is None:
        return None
    identity, feed_config = _identity(settings, stored)
    try:
        extracted = extract(page.raw, page.url, rules_name=feed_config.rules if feed_config else None,
                            charset=page.charset)
    except ExtractError as exc:
        logger.warning("reparse %s (%s): %s", page.id, page.url, exc)
        return None
    item = FeedItem(url=stored.url, title=stored.title, guid=stored.guid, published=stored.published,
                    updated=stored.updated, author=stored.author)
    flags = tuple(f for f in stored.flags if f not in ("extract_failed", "rules_missed"))
    article = build_article(identity, item, now=datetime.now(UTC), extracted=extracted,
                            fallback=Fallback(text=stored.summary),
                            flags=flags + (("rules_missed",) if extracted.rules_missed else ()),
                            raw_html=page.raw, raw_charset=page.charset)
    # the companies are tagged again with today's list and tagger (store(retag=True) drops stale text tags)
    return tagged_article(article, stock_directory(settings))
