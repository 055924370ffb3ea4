"""Reading the archive: ``search`` and ``show``."""

from __future__ import annotations

import json

import click

from jobs.cli import output
from jobs.cli.context import Ctx
from jobs.cli.stocks import resolve_stock
from jobs.compose import open_archive
from jobs.errors import JobsError, UsageError


@click.command()
@click.argument("query", default="")
@click.option("--feed", default=None, help="Only this feed.")
@click.option("--site", default=None, help="Only this site.")
@click.option("--since", default=None, help="Published on or after (date or ISO 8601 time).")
@click.option("--until", default=None, help="Published before (date or ISO 8601 time).")
@click.option("--stock", default=None, help="Only articles about this company: a code (SH600519, 600519, 00700.HK) or a name (贵州茅台).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1, max=1_000_000, clamp=True))
@click.option("--important", is_flag=True, help="Only items a wire marked important (cls A/B, 金十, 见闻 score…).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "jsonl", "csv"]))
@click.pass_obj
def search(obj: Ctx, query: str, feed: str | None, site: str | None, since: str | None, until: str | None,
           stock: str | None, limit: int, important: bool, fmt: str) -> None:
    """Full-text search (Chinese and English); an empty QUERY lists everything, newest first."""
    from archive.errors import QueryError

    since_dt, until_dt = output.parse_when(since, "--since"), output.parse_when(until, "--until", end=True)
    with open_archive(obj.settings, read_only_ok=True) as archive:
        code = resolve_stock(stock, obj.settings, archive) if stock else None
        try:
            rows = archive.search(query, feed=feed, site=site, since=since_dt, until=until_dt, limit=limit,
                                  stock=code, important=important)
        except QueryError as exc:
            raise UsageError(str(exc)) from exc
        except RecursionError as exc:  # hundreds of nested parentheses
            raise UsageError("search query too deeply nested") from exc
    output.emit_rows(rows, fmt, columns=("id", "published", "feed", "title"))


@click.command()
@click.argument("article_id")
@click.option("--revisions", is_flag=True, help="List stored versions with dates and diffs.")
@click.option("--format", "fmt", default="text", type=click.Choice(["text", "json"]))
@click.pass_obj
def show(obj: Ctx, article_id: str, revisions: bool, fmt: str) -> None:
    """Print an archived post (or its revisions)."""
    with open_archive(obj.settings, read_only_ok=True) as archive:
        row = archive.get(article_id)
        if row is None:
            raise JobsError(f"no article with id {article_id!r}")
        if revisions:
            revs = archive.revisions(article_id)
            if fmt == "json":
                click.echo(json.dumps(revs, ensure_ascii=False, indent=2, default=str))
                return
            for rev in revs:
                click.echo(output.printable(
                    f"revision {rev.get('revision')}  {rev.get('created_at') or rev.get('fetched_at')}  "
                    f"{rev.get('title')}"))
                if rev.get("diff"):
                    click.echo(output.printable(rev["diff"], keep_newlines=True))
            return
        if fmt == "json":
            click.echo(json.dumps(row, ensure_ascii=False, indent=2, default=str))
            return
        click.echo(output.printable(archive.post_text(article_id), keep_newlines=True), nl=False)
