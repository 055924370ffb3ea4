"""Backfill: page back through a feed's history through the same pipeline as a poll.

    checkpoint? ─▶ page source (Sina roll pages | wire cursors (cursor.py) | RFC 5005 archive documents)
                ─▶ per page: items in --since/--until ─▶ changed_items (archive dedup)
                   ─▶ articles_for_items (the poll's fetcher and extraction)
                   ─▶ writer thread (writer.py): store ─▶ checkpoint, in page order, while the loop goes on

Every page's articles are committed before the page is checkpointed, so a kill at any instant
loses nothing committed and a rerun of the same command continues after the last committed page
(a page stored but not yet checkpointed is read again; the archive's dedup drops its items).
A finished run marks its checkpoint done, so the next identical run starts over from the top and,
everything being known, adds nothing.

Where to read next in a Sina roll list that grows while we page is :mod:`jobs.backfill.rollpager`'s job;
here are only I/O, counting and checkpoints.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from archive.errors import ArchiveError
from archive.queries import ItemLookup
from jobs.backfill.pagination import Window, archive_links, item_key, page_size, page_url
from jobs.backfill.progress import PageLine, Progress, Tally
from jobs.backfill.rollpager import RollPager
from jobs.backfill.rolltopup import TopUp
from jobs.backfill.storeproc import PageStore, StoreProcessFailed, store_for_backfill
from jobs.backfill.writer import PageWriter
from jobs.config import FeedConfig
from jobs.pipeline import PollContext, articles_for_items, changed_items, feed_zone
from jobs.wires import wire_source
from scraper.errors import RetryLaterError, ScraperError
from scraper.listing import parse_listing
from scraper.models import FEED_ACCEPT, Article, FeedItem, Listing

logger = logging.getLogger(__name__)

MAX_RESTARTS = 3  # pager searches that may give up before the run is declared failed
DEFAULT_ROLL_NUM = 20  # Sina's page size when the URL gives no num (learned from page 1 anyway)


def checkpoint_key(feed: str) -> str:
    return f"backfill:{feed}"


@dataclass(frozen=True)
class BackfillOptions:
    """What the user asked for: the publication window, a page budget, full text or not."""

    window: Window = field(default_factory=Window)
    max_pages: int | None = None
    full_text: bool | None = None  # None: the feed's own setting
    # How the window was asked for, when that is steadier than the times (a relative "30d"
    # resolves to a new time on every run, yet "the same command" must resume).
    window_key: dict[str, str | None] | None = None


@dataclass(frozen=True)
class BackfillReport:
    """The outcome of one ``newsroll backfill`` invocation (the summary line)."""

    feed: str
    status: str  # "complete" | "no_history" | "stopped" (page budget spent) | "failed"
    tally: Tally
    seconds: float
    error: str | None = None
    resumed: str | None = None  # where a resumed run picked up, e.g. "page 12"

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "failed" else 0

    def line(self) -> str:
        t = self.tally
        counts = (f"{t.pages} pages, {t.items} items seen, {t.new} new, {t.updated} updated, "
                  f"{t.duplicates} duplicates, {t.failed} failed in {self.seconds:.1f}s")
        if self.status == "failed":
            return f"{self.feed}: backfill FAILED ({self.error}); kept what was stored: {counts}; " \
                   "run the same command again to resume"
        if self.status == "stopped":
            return f"{self.feed}: backfill paused after --max-pages: {counts}; run the same command to continue"
        if self.status == "no_history":
            return f"{self.feed}: no history to backfill (the feed offers no archive links); current document: {counts}"
        return f"{self.feed}: backfill complete: {counts}"


class PageFailed(Exception):
    """A listing page could not be fetched or parsed after the fetcher's retries."""


@dataclass
class Run:
    """One invocation's shared state: context, feed, options, progress, counts, checkpoint args."""

    ctx: PollContext
    feed: FeedConfig
    options: BackfillOptions
    progress: Progress
    args: dict[str, Any]
    tally: Tally = field(default_factory=Tally)
    started: float = field(default_factory=time.monotonic)
    writer: PageWriter = field(default_factory=PageWriter)
    lookup: ItemLookup | None = None
    store: PageStore | None = None  # None: the loop's archive (ArchiveStore), made on first use

    def _page_store(self) -> PageStore:
        if self.store is None:
            self.store = store_for_backfill(self.ctx.archive, self.ctx.settings.archive,
                                            process=self.ctx.store_process)
        return self.store

    def budget_left(self) -> bool:
        return self.options.max_pages is None or self.tally.pages < self.options.max_pages

    async def listing(self, url: str) -> Listing:
        """Fetch and parse one listing document. Raises PageFailed."""
        source = wire_source(self.feed)
        if source is not None and not source.can_page:  # e.g. rsshub: ?format=json
            url = source.request_url(url, None)
        try:
            result = await self.ctx.fetcher.fetch(url, accept=FEED_ACCEPT,
                                                  headers=source.headers if source else None)
            listing = parse_listing(self.feed.kind, result.content, result.final_url, charset=result.charset,
                                    default_tz=feed_zone(self.feed))
        except RetryLaterError as exc:
            wait = f"; the server asked to wait {exc.retry_after:.0f}s" if exc.retry_after else ""
            raise PageFailed(f"{url}: {exc}{wait}") from exc
        except ScraperError as exc:
            raise PageFailed(f"{url}: {exc}") from exc
        self.tally.pages += 1
        return listing

    async def take(self, label: str, page_items: int, fresh: Sequence[FeedItem], *,
                   progress_done: int | None = None, progress_total: int | None = None) -> None:
        """Archive the ``fresh`` items inside the window (unknown or changed ones only).

        The page's articles are fetched here; they are stored (and counted) by the writer thread,
        in page order, while the loop goes on with the next page."""
        inside = [i for i in fresh if self.options.window.contains(i)]
        todo = changed_items(self._lookup(), self.feed, inside)
        articles, failed = await articles_for_items(self.ctx, self.feed, todo, full_text=self.options.full_text)
        await self.writer.submit(self._store, label, page_items, len(inside), len(todo), articles, failed,
                                 progress_done, progress_total)

    def _store(self, label: str, page_items: int, inside: int, todo: int, articles: Sequence[Article],
               failed: int, progress_done: int | None, progress_total: int | None) -> None:
        """(writer thread) Store one page's articles, count them, show the page's line."""
        try:
            stored = self._page_store().store(articles, self.ctx.clock())
        except (ArchiveError, OSError, StoreProcessFailed) as exc:
            raise PageFailed(f"{label}: storing failed: {exc}") from exc
        line = PageLine(  # a backfill's "duplicates": everything the archive already had
            label=label, items=page_items, inside=inside, new=stored.new, updated=stored.updated,
            duplicates=inside - todo + stored.unchanged + stored.duplicates,
            failed=failed + stored.refused,
        )
        t = self.tally
        t.items += line.inside
        t.new, t.updated, t.duplicates, t.failed = (t.new + line.new, t.updated + line.updated,
                                                     t.duplicates + line.duplicates, t.failed + line.failed)
        logger.info("%s: backfill %s: %d items, %d new, %d duplicates, %d failed", self.feed.name, label,
                    page_items, line.new, line.duplicates, line.failed)
        self.progress.page(line, t, done=progress_done, total=progress_total)

    def _lookup(self) -> ItemLookup:
        """What the archive holds, read on a connection of the loop's own while the writer stores:
        it sees the pages committed. A roll page's fresh items are never on the page being stored;
        elsewhere an item listed on two pages in a row may be fetched twice, and the archive's
        dedup keeps it once (counted as a duplicate)."""
        if self.lookup is None:
            self.lookup = self.ctx.archive.item_lookup()
        return self.lookup

    async def checkpoint(self, state: dict[str, Any]) -> None:
        """Save ``state`` (as it is now) once everything submitted before is stored."""
        await self.writer.submit(self._save_checkpoint, copy.deepcopy(state))

    def _save_checkpoint(self, state: dict[str, Any]) -> None:
        self._page_store().set_checkpoint(checkpoint_key(self.feed.name), {"args": self.args, **state},
                                          self.ctx.clock())

    async def finish(self, status: str, *, error: str | None = None, resumed: str | None = None) -> BackfillReport:
        """Wait for the writer (its error makes the run fail: PageFailed), then mark a finished run."""
        if status in ("complete", "no_history"):
            await self.checkpoint({"done": True, "finished_at": self.ctx.clock().isoformat()})
        try:
            await self.writer.drain()
        except PageFailed as exc:
            if status != "failed":
                raise
            logger.warning("%s: %s", self.feed.name, exc)  # a page stored before the failure failed too
        return BackfillReport(self.feed.name, status, self.tally, time.monotonic() - self.started,
                              error=error, resumed=resumed)

    def close(self) -> None:
        """Let the writer finish every page submitted (also on Ctrl-C), close the page store (a
        writer process finishes its search index and ends), then close the lookup."""
        try:
            self.writer.close()
        except (PageFailed, ArchiveError, OSError, StoreProcessFailed) as exc:
            logger.warning("%s: backfill stopped: %s", self.feed.name, exc)
        finally:
            try:
                if self.store is not None:
                    self.store.close()
            except (ArchiveError, OSError, StoreProcessFailed) as exc:
                logger.warning("%s: closing the archive writer: %s", self.feed.name, exc)
            finally:
                if self.lookup is not None:
                    self.lookup.close()
                    self.lookup = None


async def backfill_feed(ctx: PollContext, feed: FeedConfig, options: BackfillOptions,
                        progress: Progress) -> BackfillReport:
    """Backfill ``feed`` into ``ctx.archive``. Never raises for expected failures (see the report).

    A checkpoint left by an unfinished run with the same feed URL and window is resumed; any
    other checkpoint (finished, or for other arguments) is replaced by a fresh start.
    """
    args = {"kind": feed.kind, "url": feed.url, **(options.window_key or options.window.describe())}
    run = Run(ctx, feed, options, progress, args)
    saved = ctx.archive.get_checkpoint(checkpoint_key(feed.name))
    if saved and not saved.get("done") and saved.get("args") != args:
        progress.note(f"{feed.name}: an unfinished backfill with other arguments ({_describe(saved)}) "
                      "is replaced by this one")
    state = saved if saved and not saved.get("done") and saved.get("args") == args else None
    try:
        try:
            if feed.kind == "sina_roll":
                return await _backfill_roll(run, state)
            if (source := wire_source(feed)) is not None and source.can_page:
                from jobs.backfill.cursor import backfill_cursor  # imports this module

                return await backfill_cursor(run, state)
            return await _backfill_archives(run, state)
        except PageFailed as exc:
            logger.warning("%s: backfill stopped: %s", feed.name, exc)
            return await run.finish("failed", error=str(exc))
    finally:
        run.close()


def _describe(saved: dict[str, Any]) -> str:
    args = saved.get("args") or {}
    window = ", ".join(f"{k} {v}" for k, v in (("since", args.get("since")), ("until", args.get("until"))) if v)
    return window or "no window"


# -- Sina roll: numbered pages, newest first ----------------------------------------------------
async def _backfill_roll(run: Run, state: dict[str, Any] | None) -> BackfillReport:
    window, feed = run.options.window, run.feed
    asked = page_size(feed.url)
    resumed = None
    if state:
        try:
            pager, phase = RollPager.from_dict(state["pager"]), str(state["phase"])
        except (KeyError, TypeError, ValueError) as exc:
            run.progress.note(f"{feed.name}: the saved backfill checkpoint is unreadable ({exc}); starting over")
            state = None
        else:
            resumed = f"page {pager.next_page()}" if phase == "main" else "the top-up pass"
            run.progress.note(f"{feed.name}: resuming an unfinished backfill at {resumed}")
    if not state:
        pager, phase = RollPager(asked or DEFAULT_ROLL_NUM, until=window.until), "main"
    total: int | None = None
    while phase == "main":
        if not run.budget_left():
            return await run.finish("stopped", resumed=resumed)
        page = pager.next_page()
        listing = await run.listing(page_url(feed.url, page))
        total = listing.total if listing.total is not None else total
        if page == 1:
            pager.learn_page_size(len(listing.items), listing.total, asked=asked is not None)
        verdict = pager.observe(page, listing.items, listing.total)
        if verdict.kind == "restart":
            run.progress.note(f"{feed.name}: could not tell where page {page} belongs; reading again from page 1 "
                              "(archived items are skipped)")
            if pager.restarts > MAX_RESTARTS:
                raise PageFailed("the roll list keeps reordering; gave up locating the position")
        finished = verdict.kind == "end" or (verdict.kind == "continue" and (
            pager.reached(total) or any(window.older_than_since(i) for i in listing.items)))
        if finished:
            phase = "top" if window.until is None else "done"
        await run.take(f"page {page}", len(listing.items), verdict.fresh,
                       progress_done=pager.position, progress_total=None if window.bounded else total)
        await run.checkpoint({"phase": phase, "pager": pager.to_dict()})
    if phase == "top" and not await _top_up(run, pager):
        return await run.finish("stopped", resumed=resumed)
    return await run.finish("complete", resumed=resumed)


async def _top_up(run: Run, pager: RollPager) -> bool:
    """Read what arrived at the top while we paged back. False if the page budget ran out first."""
    top_up = TopUp(pager)
    while run.budget_left():
        page = top_up.next_page()
        listing = await run.listing(page_url(run.feed.url, page))
        verdict = top_up.observe(page, listing.items)
        await run.take(f"top page {page}", len(listing.items), verdict.fresh, progress_done=pager.position)
        if verdict.kind == "end":
            return True
    return False


# -- RFC 5005 archived and paged feeds ------------------------------------------------------------
async def _backfill_archives(run: Run, state: dict[str, Any] | None) -> BackfillReport:
    feed, window = run.feed, run.options.window
    queue: list[str] = list(state["queue"]) if state else [feed.url]
    visited: list[str] = list(state["visited"]) if state else []
    resumed = queue[0] if state and queue else None
    if resumed:
        run.progress.note(f"{feed.name}: resuming an unfinished backfill at {resumed}")
    no_history = False
    while queue:
        if not run.budget_left():
            return await run.finish("stopped", resumed=resumed)
        url = queue[0]
        listing = await run.listing(url)
        links = archive_links(listing, url)
        if url == feed.url and not visited and not links:
            no_history = True  # said in the summary line
        seen = set(visited)
        fresh = list({item_key(i): i for i in listing.items}.values())
        await run.take(_doc_label(url, len(visited)), len(listing.items), fresh)
        visited.append(url)
        queue.pop(0)
        # Archive documents go back in time: once one is wholly older than --since, stop there.
        if not (listing.items and all(window.older_than_since(i) for i in listing.items)):
            queue.extend(link for link in links if link not in seen and link != url and link not in queue)
        await run.checkpoint({"queue": queue, "visited": visited})
    return await run.finish("no_history" if no_history else "complete", resumed=resumed)


def _doc_label(url: str, index: int) -> str:
    return "current document" if index == 0 else f"archive {index}: {url}"
