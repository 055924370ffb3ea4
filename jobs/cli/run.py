"""Polling commands: ``fetch`` (every feed now) and ``run [--once]`` (the daemon, or one pass over the due feeds).

Exit codes: 0 stopped cleanly (or every polled feed ok with ``--once``); 1 a feed failed
(``--once``); 2 bad config, or another daemon already holds this archive; 128 + signal when a
second SIGTERM/SIGINT forces an immediate exit.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import click
from click.core import ParameterSource

from jobs.cli.context import Ctx
from jobs.cli.logs import setup_logging
from jobs.compose import poll_context
from jobs.config import ConfigError
from jobs.errors import AlreadyRunning, ArchiveUnusable, UsageError
from jobs.lock import ArchiveLock, LockedError, lock_path_for

logger = logging.getLogger(__name__)


@click.command()
@click.argument("feeds", nargs=-1)
@click.pass_obj
def fetch(obj: Ctx, feeds: tuple[str, ...]) -> None:
    """Poll every enabled feed (or the named ones) once and archive what is new or changed."""
    from jobs.pipeline import FeedReport, poll_feeds

    settings = obj.settings
    try:
        selected = [settings.feed(n) for n in feeds] if feeds else [f for f in settings.feeds if f.enabled]
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if not selected:
        raise UsageError("no enabled feeds in the config")

    async def go() -> list[FeedReport]:
        async with poll_context(settings) as ctx:
            return await poll_feeds(ctx, selected)

    reports = asyncio.run(go())
    for report in reports:
        click.echo(report.line())
    sys.exit(0 if all(r.ok for r in reports) else 1)


def _default_to_info(ctx: click.Context) -> None:
    """A daemon's log is its output: INFO (one line per feed run) unless --log-level was given."""
    parent = ctx.parent
    if parent is not None and parent.get_parameter_source("log_level") == ParameterSource.DEFAULT:
        setup_logging("INFO", parent.params.get("log_format", "text"))


@click.command()
@click.option("--once", is_flag=True, help="Poll every due feed once, then exit (for cron).")
@click.pass_context
def run(click_ctx: click.Context, once: bool) -> None:
    """Run the scheduler in the foreground: each feed on its own interval or cron, until SIGTERM.

    SIGHUP reloads the config. One daemon per archive.
    """
    obj: Ctx = click_ctx.obj
    settings = obj.settings
    if not any(feed.enabled for feed in settings.feeds):
        raise UsageError("no enabled feeds in the config")
    lock = ArchiveLock(lock_path_for(settings.archive.database))
    try:
        lock.acquire()
    except LockedError as exc:
        raise AlreadyRunning(str(exc)) from exc
    except OSError as exc:
        raise ArchiveUnusable(f"cannot lock the archive: {exc.strerror or exc}") from exc
    try:
        if once:
            code = _run_once(obj)
        else:
            _default_to_info(click_ctx)
            code = _run_daemon(obj)
    finally:
        lock.release()
    sys.exit(code)


def _run_daemon(obj: Ctx) -> int:
    from jobs.daemon.service import run_daemon

    return asyncio.run(run_daemon(obj.settings, config_path=obj.config_path))


def _run_once(obj: Ctx) -> int:
    from jobs.daemon.feedrun import RunResult
    from jobs.daemon.once import Skipped, run_once

    settings = obj.settings

    async def go() -> tuple[list[RunResult], list[Skipped]]:
        async with poll_context(settings) as ctx:
            return await run_once(settings, ctx)

    results, skipped = asyncio.run(go())
    for result in results:
        click.echo(result.report.line())
    for skip in skipped:
        click.echo(skip.line())
    return 0 if all(result.report.ok for result in results) else 1
