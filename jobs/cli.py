"""The ``newsroll`` command line.

Each command loads settings, calls one function, and maps expected errors to a one-line message
and an exit code: 0 ok, 1 a feed/check failed, 2 bad usage or config.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from jobs import output
from jobs.config import ConfigError, Settings, load_settings
from jobs.logs import setup_logging

logger = logging.getLogger(__name__)


class Ctx:
    def __init__(self, config: str | None) -> None:
        self.config_path = Path(config or os.environ.get("NEWSROLL_CONFIG") or "config.toml")
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                fail(f"config error: {exc}", 2)
        assert self._settings is not None
        return self._settings


def fail(message: str, code: int = 1) -> None:
    click.echo(f"newsroll: {message}", err=True)
    sys.exit(code)


@contextmanager
def open_archive(settings: Settings) -> Iterator[Any]:
    from archive import Archive
    from archive.errors import ArchiveError

    try:
        archive = Archive(settings.archive.database, settings.archive.posts_dir)
    except (ArchiveError, OSError) as exc:
        fail(f"cannot open archive {settings.archive.database}: {exc}", 2)
    try:
        yield archive
    finally:
        archive.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: $NEWSROLL_CONFIG or ./config.toml).")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option("--log-format", default="text", show_default=True, type=click.Choice(["text", "json"]))
@click.version_option(package_name="newsroll")
@click.pass_context
def cli(ctx: click.Context, config: str | None, log_level: str, log_format: str) -> None:
    """newsroll: archive finance news feeds into SQLite and Hexo-ready posts."""
    setup_logging(log_level, log_format)
    ctx.obj = Ctx(config)


@cli.command()
@click.argument("feeds", nargs=-1)
@click.pass_obj
def fetch(obj: Ctx, feeds: tuple[str, ...]) -> None:
    """Poll every enabled feed (or the named ones) once and archive what is new or changed."""
    from jobs.pipeline import PollContext, poll_feeds
    from scraper.fetch import Fetcher

    settings = obj.settings
    try:
        selected = [settings.feed(n) for n in feeds] if feeds else [f for f in settings.feeds if f.enabled]
    except ConfigError as exc:
        fail(str(exc), 2)
    if not selected:
        fail("no enabled feeds in the config", 2)

    async def run() -> list[Any]:
        with open_archive(settings) as archive:
            async with Fetcher(settings.http) as fetcher:
                return await poll_feeds(PollContext(settings, fetcher, archive), selected)

    reports = asyncio.run(run())
    for report in reports:
        click.echo(report.line())
    sys.exit(0 if all(r.ok for r in reports) else 1)


@cli.command()
@click.argument("query", default="")
@click.option("--feed", default=None, help="Only this feed.")
@click.option("--site", default=None, help="Only this site.")
@click.option("--since", default=None, help="Published on or after (date or ISO 8601 time).")
@click.option("--until", default=None, help="Published before (date or ISO 8601 time).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "jsonl", "csv"]))
@click.pass_obj
def search(obj: Ctx, query: str, feed: str | None, site: str | None, since: str | None, until: str | None,
           limit: int, fmt: str) -> None:
    """Full-text search (Chinese and English); an empty QUERY lists everything, newest first."""
    from archive.errors import ArchiveError

    since_dt, until_dt = output.parse_when(since, "--since"), output.parse_when(until, "--until", end=True)
    with open_archive(obj.settings) as archive:
        try:
            rows = archive.search(query, feed=feed, site=site, since=since_dt, until=until_dt, limit=limit)
        except ArchiveError as exc:
            fail(str(exc), 2)
    output.emit_rows(rows, fmt, columns=("id", "published", "feed", "title"))


@cli.command()
@click.argument("article_id")
@click.option("--revisions", is_flag=True, help="List stored versions with dates and diffs.")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]))
@click.pass_obj
def show(obj: Ctx, article_id: str, revisions: bool, fmt: str) -> None:
    """Print an archived post (or its revisions)."""
    with open_archive(obj.settings) as archive:
        if archive.get(article_id) is None:
            fail(f"no article with id {article_id!r}", 1)
        if revisions:
            revs = archive.revisions(article_id)
            if fmt == "json":
                click.echo(json.dumps(revs, ensure_ascii=False, indent=2, default=str))
                return
            for rev in revs:
                click.echo(f"revision {rev.get('revision')}  {rev.get('created_at') or rev.get('fetched_at')}  "
                           f"{rev.get('title')}")
                if rev.get("diff"):
                    click.echo(rev["diff"])
            return
        if fmt == "json":
            click.echo(json.dumps(archive.get(article_id), ensure_ascii=False, indent=2, default=str))
            return
        click.echo(archive.post_text(article_id), nl=False)


@cli.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", default=None, help="The page's original URL (selects site rules, resolves links).")
@click.option("--rules", "rules_name", default=None, help="Force a site rule set (e.g. sina).")
@click.option("--format", "fmt", default="jsonl", show_default=True, type=click.Choice(["json", "jsonl"]))
def extract_cmd(files: tuple[str, ...], url: str | None, rules_name: str | None, fmt: str) -> None:
    """Show what newsroll extracts from saved HTML pages (one JSON object per file)."""
    from jobs.extract_cmd import extract_files

    records, failed = extract_files(files, url=url, rules_name=rules_name)
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        for record in records:
            click.echo(json.dumps(record, ensure_ascii=False))
    sys.exit(1 if failed else 0)


def main() -> None:
    cli(prog_name="newsroll")


# Commands that live in their own modules register themselves on ``cli`` when imported.
from jobs import commands  # noqa: E402, F401, I001
from jobs import run_cmd  # noqa: E402, F401, I001
from jobs import backfill_cmd  # noqa: E402, F401, I001


if __name__ == "__main__":
    main()
