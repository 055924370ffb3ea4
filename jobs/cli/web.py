"""The archive for other tools: ``serve`` (Datasette), ``feed`` (Atom/RSS/JSON Feed), ``report`` (health page)."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from jobs.cli import output
from jobs.cli.context import Ctx
from jobs.compose import open_archive
from jobs.errors import UsageError

FEED_FORMATS = ("atom", "rss", "json")


def _write(target: str | None, data: bytes) -> None:
    """To standard output, or atomically to ``target`` (a web server never serves half a file)."""
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from archive.files import write_atomic

    write_atomic(Path(target), data.decode("utf-8"))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.pass_obj
def serve(obj: Ctx, host: str, port: int) -> None:
    """Browse and search the archive in Datasette, read-only (needs the web extra)."""
    try:
        from datasette.cli import cli as datasette_cli
    except ImportError as exc:
        raise UsageError('serve needs Datasette: pip install "newsroll[web]"') from exc
    database = obj.settings.archive.database
    if not database.is_file():
        raise UsageError(f"no archive at {database}: fetch or import something first")
    from archive.errors import ArchiveError

    with open_archive(obj.settings, read_only_ok=True) as archive:
        try:  # Datasette reads only: index what was stored but not indexed yet, so search finds it
            if not archive.read_only:
                archive.index_pending()
        except (sqlite3.Error, ArchiveError) as exc:
            click.echo(f"newsroll: {archive.pending_index()} articles not searchable yet ({exc})", err=True)
    datasette_cli.main(
        ["serve", str(database), "--host", host, "--port", str(port),
         "--setting", "sql_time_limit_ms", "5000"],
        prog_name="newsroll serve",
    )


@click.command("feed")
@click.argument("query", default="")
@click.option("--feed", "feed_name", default=None, help="Only articles this feed listed.")
@click.option("--site", default=None, help="Only this site.")
@click.option("--since", default=None, help="Published on or after (date, ISO 8601 time, or 7d/12h).")
@click.option("--until", default=None, help="Published before (date or ISO 8601 time).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1, max=1000, clamp=True),
              help="The newest this many matching articles.")
@click.option("--format", "fmt", default="atom", show_default=True, type=click.Choice(FEED_FORMATS))
@click.option("--output", "target", default=None, type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of standard output.")
@click.option("--self-url", default=None, help="The URL the feed will be served at (its self link).")
@click.pass_obj
def feed(obj: Ctx, query: str, feed_name: str | None, site: str | None, since: str | None, until: str | None,
         limit: int, fmt: str, target: str | None, self_url: str | None) -> None:
    """Write an Atom 1.0, RSS 2.0 or JSON Feed 1.1 of the newest articles matching QUERY, with
    their full text; entries keep their ids across runs, so readers see each article once."""
    from archive.errors import QueryError
    from archive.web.feedquery import FeedQuery, build_feed

    since_dt, until_dt = output.parse_when(since, "--since"), output.parse_when(until, "--until", end=True)
    request = FeedQuery(
        query=query, feed=feed_name, site=site, limit=limit,
        since=since_dt.isoformat() if since_dt else None, until=until_dt.isoformat() if until_dt else None,
    )
    with open_archive(obj.settings, read_only_ok=True) as archive:
        try:
            data = build_feed(archive.reader(), request, fmt, now=datetime.now(UTC), self_url=self_url)
        except QueryError as exc:
            raise UsageError(str(exc)) from exc
    _write(target, data)


@click.command()
@click.option("--output", "target", default=None, type=click.Path(dir_okay=False),
              help="Write the page to this file (atomically) instead of standard output.")
@click.option("--hours", default=72, show_default=True, type=click.IntRange(min=1, max=24 * 90),
              help="How many hours the charts cover, up to now.")
@click.pass_obj
def report(obj: Ctx, target: str | None, hours: int) -> None:
    """Write the feed health page: one HTML file, each feed's status and articles per hour (SVG charts)."""
    from archive.web.health import gather
    from archive.web.healthpage import render_health

    with open_archive(obj.settings, read_only_ok=True) as archive:
        health = gather(archive.reader(), now=datetime.now(UTC), hours=hours)
    _write(target, render_health(health).encode("utf-8"))
