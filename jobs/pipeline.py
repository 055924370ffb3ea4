"""One poll of one feed: fetch listing → pick new/changed items → fetch + extract pages → archive.

The composition root of a poll. Per-item failures are logged, flagged and counted; a feed-level
failure is recorded on the feed's state row and reported, never raised to the caller.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from archive import Archive, FeedState, StoreTally
from archive.errors import ArchiveError, StoreError
from jobs.config import FeedConfig, Settings
from jobs.extractpool import ExtractPool, ExtractWorkerDied
from jobs.wires import listing_url, wire_article, wire_source
from scraper.errors import (
    ExtractError,
    FetchError,
    GoneError,
    ParseError,
    RetryLaterError,
    RobotsDisallowedError,
    ScraperError,
    TransientFetchError,
)
from scraper.extract import extract
from scraper.fetch import Fetcher
from scraper.listing import parse_listing
from scraper.models import FEED_ACCEPT, Article, Extracted, FeedItem, Listing
from scraper.normalize import Fallback, FeedIdentity, build_article, item_fallback, item_fingerprint
from scraper.stocks import StockDirectory, load_directory, tagged_article
from scraper.zones import CHINA_ZONE, is_chinese

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

# Untrusted documents are parsed off the event loop and given this long (seconds): a document that
# takes longer fails its feed or item instead of holding up every other one.
PARSE_TIMEOUT = 60.0
EXTRACT_TIMEOUT = 60.0


@dataclass(frozen=True)
class FeedReport:
    """The outcome of one poll of one feed (one summary line)."""

    feed: str
    status: str  # "ok" | "not_modified" | "failed" | "disabled"
    items: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    seconds: float = 0.0
    error: str | None = None
    http_status: int | None = None
    retry_after: float | None = None  # seconds the server asked us to wait
    min_interval: float | None = None  # Cache-Control max-age / feed TTL: do not poll sooner

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "not_modified", "disabled")

    def line(self) -> str:
        if self.status == "failed":
            return (f"{self.feed}: FAILED after {self.seconds:.1f}s: {self.error}")
        if self.status == "disabled":
            return f"{self.feed}: disabled ({self.error})"
        if self.status == "not_modified":
            return f"{self.feed}: not modified (304) in {self.seconds:.1f}s"
        return (f"{self.feed}: {self.items} items, {self.new} new, {self.updated} updated, "
                f"{self.duplicates} duplicates, {self.failed} failed in {self.seconds:.1f}s")


@dataclass
class PollContext:
    settings: Settings
    fetcher: Fetcher
    archive: Archive
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Worker processes (``poll_context(..., workers=True)``): pages extracted in ``extract_pool``
    # (jobs.extractpool), and a backfill's pages stored by a process of its own (jobs.backfill.storeproc).
    extract_pool: ExtractPool | None = None
    store_process: bool = False


@dataclass(frozen=True)
class ResolvedFeed:
    """A feed with every setting worked out once per poll (not once per item)."""

    config: FeedConfig
    identity: FeedIdentity
    zone: ZoneInfo
    obey_robots: bool

    @property
    def name(self) -> str:
        return self.config.name


def resolve_feed(settings: Settings, feed: FeedConfig | ResolvedFeed) -> ResolvedFeed:
    if isinstance(feed, ResolvedFeed):
        return feed
    obey = settings.http.obey_robots if feed.obey_robots is None else feed.obey_robots
    return ResolvedFeed(feed, feed_identity(settings, feed), feed_zone(feed), obey)


def feed_identity(settings: Settings, feed: FeedConfig) -> FeedIdentity:
    return FeedIdentity(feed.name, feed.site, feed.category, feed.default_image or settings.default_image)


def feed_zone(feed: FeedConfig) -> ZoneInfo:
    """The zone for times a source writes without one."""
    if feed.timezone:
        return ZoneInfo(feed.timezone)
    if (source := wire_source(feed)) is not None:
        return ZoneInfo(source.zone)
    if feed.kind == "sina_roll" or is_chinese(feed.site + feed.name):
        return ZoneInfo(CHINA_ZONE)
    return ZoneInfo("UTC")


_directories: dict[tuple[str, float], StockDirectory] = {}
_directories_lock = threading.Lock()  # feeds tag in worker threads at once: build the list once


def stock_directory(settings: Settings) -> StockDirectory:
    """The companies list for tagging: the user's (``newsroll stocks load``) when present, else the
    shipped one; re-read when the user's file changes. A broken file is logged and the shipped list used."""
    from scraper.errors import StockListError
    from scraper.stocks import default_directory

    path = settings.archive.stock_list_path
    try:
        key = (str(path), path.stat().st_mtime) if path.exists() else ("", 0.0)
    except OSError:
        key = ("", 0.0)
    with _directories_lock:
        if key not in _directories:
            try:
                directory = load_directory(path if key[0] else None)
            except StockListError as exc:
                logger.warning("stock list %s unusable (%s); using the shipped list", path, exc)
                directory = default_directory()
            _directories.clear()
            _directories[key] = directory
        return _directories[key]


def new_state(feed: FeedConfig) -> FeedState:
    """The state of a feed never polled (or whose configured URL changed)."""
    return FeedState(name=feed.name, url=feed.url, original_url=feed.url)


async def article_for_item(
    ctx: PollContext, resolved: ResolvedFeed, item: FeedItem, *, full_text: bool | None = None
) -> tuple[Article, bool]:
    """Fetch and extract one item's page (if full text is on). Returns (article, failed)."""
    now, feed, identity = ctx.clock(), resolved.config, resolved.identity
    try:  # the feed's own HTML is untrusted too: cleaned off the event loop, within a bound
        base = await _bounded(EXTRACT_TIMEOUT, ExtractError, f"cleaning the feed's text of {item.url}",
                              asyncio.to_thread(item_fallback, item))
    except ExtractError as exc:
        logger.warning("%s: %s", feed.name, exc)
        base = Fallback()
    if item.flash or not (feed.full_text if full_text is None else full_text):
        return build_article(identity, item, now=now, fallback=base), False
    if item.fetch_url and (source := wire_source(feed)) is not None:
        return await wire_article(ctx, feed, source, item, identity, base)
    try:
        page = await ctx.fetcher.fetch(item.url, obey_robots=resolved.obey_robots)
    except RobotsDisallowedError:
        logger.warning("%s: robots.txt disallows %s; keeping the feed's summary", feed.name, item.url)
        return build_article(identity, item, now=now, flags=("robots_disallowed",), fallback=base), False
    except FetchError as exc:
        logger.warning("%s: page %s failed: %s; keeping the feed's summary", feed.name, item.url, exc)
        article = build_article(identity, item, now=now, flags=("fetch_failed",), fallback=base)
        if isinstance(exc, TransientFetchError):  # no fingerprint: the next poll tries the page again
            article = replace(article, item_fingerprint="")
        return article, True
    try:
        extracted = await _extract(ctx, page.content, page.final_url, feed.rules, page.charset)
    except ExtractError as exc:
        logger.warning("%s: could not extract %s (%s); keeping the feed's summary", feed.name, item.url, exc)
        return build_article(identity, item, now=now, flags=("extract_failed",), raw_html=page.content,
                             raw_charset=page.charset, fallback=base), False
    flags = ("rules_missed",) if extracted.rules_missed else ()
    if extracted.rules_missed:
        logger.warning("%s: site rules %s no longer match %s; used the generic extractor",
                       feed.name, extracted.rules, item.url)
    return build_article(identity, item, now=now, extracted=extracted, flags=flags, raw_html=page.content,
                         raw_charset=page.charset, fallback=base), False


async def _extract(
    ctx: PollContext, content: bytes, url: str, rules: str | None, charset: str | None
) -> Extracted:
    """``extract`` of one page within EXTRACT_TIMEOUT: in the context's worker processes if it has
    them (a page over the limit has its worker killed), else on a thread. Raises ExtractError."""
    what = f"extracting {url}"
    if ctx.extract_pool is None:
        return await _bounded(EXTRACT_TIMEOUT, ExtractError, what, asyncio.to_thread(
            extract, content, url, rules_name=rules, charset=charset))
    try:
        return await ctx.extract_pool.run(EXTRACT_TIMEOUT, extract, content, url, rules_name=rules, charset=charset)
    except TimeoutError as exc:
        raise ExtractError(f"{what} took longer than {EXTRACT_TIMEOUT:.0f}s; given up (its worker was "
                           "stopped)") from exc
    except ExtractWorkerDied as exc:
        raise ExtractError(f"{what}: {exc}") from exc


async def articles_for_items(
    ctx: PollContext, feed: FeedConfig | ResolvedFeed, items: Sequence[FeedItem], *, full_text: bool | None = None
) -> tuple[list[Article], int]:
    """Build articles for items concurrently (the fetcher enforces per-host limits)."""
    resolved = resolve_feed(ctx.settings, feed)
    results = await asyncio.gather(
        *(article_for_item(ctx, resolved, item, full_text=full_text) for item in items), return_exceptions=True)
    articles: list[Article] = []
    failed = 0
    tagged_items: list[FeedItem] = []
    for item, result in zip(items, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result
            logger.warning("%s: item %s skipped: %s", resolved.name, item.url, result)
            failed += 1
            continue
        article, item_failed = result
        articles.append(article)
        tagged_items.append(item)
        failed += int(item_failed)
    # off the event loop: the first call builds the company list, and tagging is CPU work
    return await asyncio.to_thread(tag_stocks, ctx.settings, articles, tagged_items), failed


def tag_stocks(settings: Settings, articles: Sequence[Article], items: Sequence[FeedItem]) -> list[Article]:
    """Each article with its companies (scraper.stocks): the item's codes, the page's links, the text."""
    directory = stock_directory(settings)
    return [tagged_article(article, directory, item.stocks) for article, item in zip(articles, items, strict=True)]


class KnownItems(Protocol):
    """What the archive holds of a feed's items (an Archive, or its ``item_lookup()``)."""

    def known_items(
        self, feed: str, keys: Sequence[tuple[str | None, str]]
    ) -> dict[tuple[str | None, str], str]: ...


def changed_items(archive: KnownItems, feed: FeedConfig, items: Sequence[FeedItem]) -> list[FeedItem]:
    """Items that are new or whose listing changed since they were archived (deduped by identity)."""
    unique: dict[tuple[str | None, str], FeedItem] = {}
    for item in items:
        unique.setdefault((item.guid, item.url), item)
    known = archive.known_items(feed.name, list(unique))
    return [item for key, item in unique.items() if known.get(key) != item_fingerprint(item)]


def store_articles(archive: Archive, articles: Sequence[Article], now: datetime) -> StoreTally:
    """Store a batch in one transaction; if one article is refused, store the others one by one."""
    if not articles:
        return StoreTally()
    try:
        return StoreTally.of(archive.store(articles, now=now))
    except StoreError as batch_error:
        logger.warning("batch refused (%s); storing its %d articles one by one", batch_error, len(articles))
    tally = StoreTally()
    for article in articles:
        try:
            tally += StoreTally.of(archive.store([article], now=now))
        except StoreError as exc:
            logger.warning("%s: item %s not stored: %s", article.feed, article.url, exc)
            tally += StoreTally(refused=1)
    return tally


async def _bounded(seconds: float, error: type[ScraperError], what: str, work: Awaitable[_T]) -> _T:
    """``work`` (a thread) within ``seconds``, else ``error``; the thread is left to finish on its own."""
    try:
        return await asyncio.wait_for(work, timeout=seconds)
    except TimeoutError as exc:
        raise error(f"{what} took longer than {seconds:.0f}s; given up") from exc


async def fetch_listing(
    ctx: PollContext, feed: ResolvedFeed, state: FeedState
) -> tuple[Listing | None, FeedState, float | None]:
    """Conditional GET + parse. Returns (listing or None when not modified, new state, min interval)."""
    source = wire_source(feed.config)
    result = await ctx.fetcher.fetch(
        listing_url(feed.config, state.url), etag=state.etag, last_modified=state.last_modified,
        accept=FEED_ACCEPT, headers=source.headers if source else None)
    state = replace(state, status=result.status)
    if result.moved_to and result.moved_to != state.url:
        logger.warning("%s: feed moved permanently from %s to %s", feed.name, state.url, result.moved_to)
        state = replace(state, moved_from=state.url, url=result.moved_to)
    min_interval = result.max_age
    if result.not_modified:
        return None, state, min_interval
    listing = await _bounded(PARSE_TIMEOUT, ParseError, "parsing the listing", asyncio.to_thread(
        parse_listing, feed.config.kind, result.content, result.final_url, charset=result.charset,
        default_tz=feed.zone))
    if listing.ttl_seconds:
        min_interval = max(min_interval or 0.0, listing.ttl_seconds)
    state = replace(state, etag=result.etag, last_modified=result.last_modified)
    return listing, state, min_interval


@dataclass(frozen=True)
class PollResult:
    """One poll's outcome: the report, and the feed's state after it (for the caller to save once)."""

    report: FeedReport
    state: FeedState


async def poll(ctx: PollContext, feed: FeedConfig, state: FeedState | None) -> PollResult:
    """Poll one feed once, from its stored ``state`` (None: never polled) to its next state.

    Reads and writes no feed state: the caller saves ``PollResult.state`` once. Never raises for
    an expected failure (a feed's fault is in the report and the state); the articles found are
    stored as the poll goes.
    """
    started = time.monotonic()
    now = ctx.clock()
    if state is None or state.original_url != feed.url:  # new, or the user changed the URL: start afresh
        state = new_state(feed)
    if state.disabled:
        return PollResult(FeedReport(feed.name, "disabled", error=state.disabled_reason or "disabled"), state)
    resolved = resolve_feed(ctx.settings, feed)
    state = replace(state, last_attempt=now)
    try:
        listing, state, min_interval = await fetch_listing(ctx, resolved, state)
        if listing is None:
            state = replace(state, last_success=now, error=None, consecutive_failures=0)
            return PollResult(FeedReport(feed.name, "not_modified", seconds=time.monotonic() - started,
                                         http_status=304, min_interval=min_interval), state)
        todo = changed_items(ctx.archive, feed, listing.items)
        articles, failed = await articles_for_items(ctx, resolved, todo)
        counts = store_articles(ctx.archive, articles, ctx.clock())
        failed += counts.refused
    except (ScraperError, ArchiveError, OSError) as exc:
        return _failed(feed, state, exc, started)
    except Exception as exc:  # a defect on hostile input: this feed fails, the others go on
        logger.debug("%s: unexpected error", feed.name, exc_info=True)
        return _failed(feed, state, RuntimeError(f"unexpected {type(exc).__name__}: {exc}"), started)
    state = replace(state, last_success=now, error=None, consecutive_failures=0)
    missed = sum("rules_missed" in a.flags for a in articles if a.rules)
    if missed:
        state = replace(state, rules_missed=state.rules_missed + missed)
    return PollResult(FeedReport(feed.name, "ok", items=len(listing.items), failed=failed,
                                 seconds=time.monotonic() - started, http_status=state.status,
                                 min_interval=min_interval, new=counts.new, updated=counts.updated,
                                 unchanged=counts.unchanged, duplicates=counts.duplicates), state)


def _failed(feed: FeedConfig, state: FeedState, exc: Exception, started: float) -> PollResult:
    message = str(exc) or type(exc).__name__
    status = getattr(exc, "status", None)
    retry_after = getattr(exc, "retry_after", None) if isinstance(exc, TransientFetchError) else None
    state = replace(state, error=message, status=status if status is not None else state.status,
                    consecutive_failures=state.consecutive_failures + 1)
    if isinstance(exc, GoneError):
        state = replace(state, disabled=True, disabled_reason=f"410 Gone at {state.url}: feed disabled; "
                        "change its url in the config to enable it again")
        message = state.disabled_reason or message
    if isinstance(exc, RetryLaterError):
        message = f"{message} (server asked to wait {retry_after:.0f}s; will come back after it)"
    logger.warning("%s: poll failed: %s", feed.name, message)
    return PollResult(FeedReport(feed.name, "failed", seconds=time.monotonic() - started, error=message,
                                 http_status=status, retry_after=retry_after), state)


def save_state(archive: Archive, result: PollResult) -> PollResult:
    """Save a poll's state; a database that refuses it turns the report into a failure, not a crash."""
    if result.report.status == "disabled":
        return result
    try:
        archive.save_feed_state(result.state)
    except ArchiveError as exc:
        logger.warning("%s: could not save the feed's state: %s", result.report.feed, exc)
        report = replace(result.report, status="failed", error=f"state not saved: {exc}")
        return PollResult(report, result.state)
    return result


async def poll_feed(ctx: PollContext, feed: FeedConfig) -> FeedReport:
    """Poll one feed once and save its state (``fetch``): one read, one write of the state."""
    result = await poll(ctx, feed, ctx.archive.feed_state(feed.name))
    return save_state(ctx.archive, result).report


async def poll_feeds(ctx: PollContext, feeds: Sequence[FeedConfig]) -> list[FeedReport]:
    """Poll several feeds concurrently; one slow or failing feed never costs another its report."""
    results = await asyncio.gather(*(poll_feed(ctx, feed) for feed in feeds), return_exceptions=True)
    reports: list[FeedReport] = []
    for feed, result in zip(feeds, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result
            logger.error("%s: poll crashed: %s", feed.name, result, exc_info=result)
            reports.append(FeedReport(feed.name, "failed", error=f"{type(result).__name__}: {result}"))
        else:
            reports.append(result)
    return reports
