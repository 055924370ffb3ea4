"""``newsroll backfill FEED``: archive a feed's history."""

from __future__ import annotations

import asyncio
import hashlib
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobs.backfill.pagination import Window
from jobs.cli import output
from jobs.cli.context import Ctx
from jobs.compose import poll_context
from jobs.config import ConfigError, FeedConfig, Settings
from jobs.errors import AlreadyRunning, ArchiveUnusable, UsageError
from jobs.lock import ArchiveLock, LockedError

if TYPE_CHECKING:  # the pipeline's imports are heavy: load them only when the command runs
    from jobs.backfill import BackfillOptions

INTERRUPTED = 130  # the shell's code for a Ctrl-C
_RELATIVE = re.compile(r"\d+\s*[dhm]")  # jobs.cli.output.parse_when's relative form ("30d")


@click.command()
@click.argument("feed_name", metavar="FEED")
@click.option("--since", default=None, help="Oldest publication time to archive (date or ISO 8601 time).")
@click.option("--until", default=None, help="Archive only items published before this (a bare date: its end).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Stop after this many listing pages; the same command continues later.")
@click.option("--full-text/--no-full-text", default=None,
              help="Fetch and extract each article page (default: the feed's full_text setting).")
@click.pass_obj
def backfill(obj: Ctx, feed_name: str, since: str | None, until: str | None, max_pages: int | None,
             full_text: bool | None) -> None:
    """Page back through FEED's history (Sina roll pages, wire cursors, RFC 5005 feed archives) into the archive.

    Resumable: progress is checkpointed after every page; run the same command again after a
    Ctrl-C or a crash and it continues. Running it again after it finished adds nothing.
    Exit 0 done, 1 a page failed after retries (what was stored is kept), 2 bad usage.
    """
    settings = obj.settings
    try:
        feed = settings.feed(feed_name)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    window = Window(output.parse_when(since, "--since"), output.parse_when(until, "--until", end=True))
    if window.since and window.until and window.since >= window.until:
        raise click.BadParameter("--since must be earlier than --until", param_hint="--since")
    described = window.describe()
    window_key = {name: text if text and _RELATIVE.fullmatch(text.strip()) else described[name]
                  for name, text in (("since", since), ("until", until))}
    from jobs.backfill import BackfillOptions

    options = BackfillOptions(window=window, max_pages=max_pages, full_text=full_text, window_key=window_key)
    # Two backfills of one feed would overwrite each other's checkpoint: one at a time.
    lock = ArchiveLock(_lock_path(settings.archive.database, feed.name))
    try:
        lock.acquire()
    except LockedError as exc:
        raise AlreadyRunning(f"another backfill of {feed.name!r} is running on this archive; "
                             "let it finish or stop it") from exc
    except OSError as exc:
        raise ArchiveUnusable(f"cannot lock the archive for the backfill: {exc.strerror or exc}") from exc
    try:
        _run(settings, feed, options)
    finally:
        lock.release()


def _lock_path(database: Path, feed: str) -> Path:
    digest = hashlib.sha1(feed.encode("utf-8")).hexdigest()[:12]
    return database.with_name(f"{database.name}.backfill-{digest}.lock")


def _run(settings: Settings, feed: FeedConfig, options: BackfillOptions) -> None:
    from jobs.backfill import BackfillReport, backfill_feed
    from jobs.backfill.progress import make_progress

    progress = make_progress(feed.name)

    async def run() -> BackfillReport:
        async with poll_context(settings, workers=True) as ctx:
            return await backfill_feed(ctx, feed, options, progress)

    try:
        report = asyncio.run(run())
    except KeyboardInterrupt:
        progress.close()
        click.echo(f"{feed.name}: backfill interrupted; progress is saved: run the same command again to "
                   "continue", err=True)
        sys.exit(INTERRUPTED)
    progress.close()
    click.echo(report.line())
    sys.exit(report.exit_code)
