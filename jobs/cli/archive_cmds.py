"""Archive-facing commands: feeds, export, verify, import, reparse."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from archive.models import iso
from jobs.cli import output
from jobs.cli.context import Ctx
from jobs.compose import open_archive
from jobs.errors import UsageError

# articles per transaction when import builds the search index: with the index stage's 64 MB of
# FTS5 memory (archive.indexer.BULK_HASHSIZE) one transaction of Chinese articles writes about one
# segment (benchmarks/bench_fts_build.py: ~25% less CPU than 1,000 a transaction); a Ctrl-C loses
# at most one chunk of index work (the queue keeps it), never a stored post
INDEX_CHUNK = 5000


def _iso(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def feed_rows(obj: Ctx) -> list[dict[str, Any]]:
    from jobs.daemon.health import feed_health

    settings = obj.settings
    with open_archive(settings, read_only_ok=True) as archive:
        return [feed_health(settings, archive, feed) for feed in settings.feeds]


@click.command()
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]))
@click.pass_obj
def feeds(obj: Ctx, fmt: str) -> None:
    """Show each feed's state: last attempt/success, status, errors, validators, URL, health."""
    rows = feed_rows(obj)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=_iso))
        return
    output.table([{k: _iso(v) for k, v in row.items()} for row in rows],
                 ("name", "status", "last_success", "failures", "articles_24h", "next_run", "backoff", "url", "error",
                  "warning"))


@click.command()
@click.argument("query", default="")
@click.option("--feed", default=None)
@click.option("--site", default=None)
@click.option("--since", default=None)
@click.option("--until", default=None)
@click.option("--stock", default=None, help="Only articles about this company (code or name).")
@click.option("--format", "fmt", default="jsonl", show_default=True, type=click.Choice(["jsonl", "csv", "json"]))
@click.pass_obj
def export(obj: Ctx, query: str, feed: str | None, site: str | None, since: str | None, until: str | None,
           stock: str | None, fmt: str) -> None:
    """Stream archived articles out (all fields, body included)."""
    from archive.errors import QueryError

    since_dt, until_dt = output.parse_when(since, "--since"), output.parse_when(until, "--until", end=True)
    from jobs.cli.stocks import resolve_stock

    with open_archive(obj.settings, read_only_ok=True) as archive:
        code = resolve_stock(stock, obj.settings, archive) if stock else None
        try:
            output.emit_rows(archive.export(query=query, feed=feed, site=site, since=since_dt, until=until_dt,
                                            stock=code), fmt, columns=())
        except QueryError as exc:
            raise UsageError(str(exc)) from exc


@click.command()
@click.option("--repair", is_flag=True, help="Re-render files from the database and remove temp files.")
@click.pass_obj
def verify(obj: Ctx, repair: bool) -> None:
    """Check the database and that every post file matches it; exit 1 on any mismatch."""
    with open_archive(obj.settings) as archive:
        report = archive.verify(repair=repair)
    for problem in report.problems:
        click.echo(problem)
    if repair:
        for message in report.repaired:
            click.echo(f"repaired: {message}")
        for orphan in report.orphans:
            click.echo(f"orphan (not in the database, left in place): {orphan}")
        click.echo(f"repaired {len(report.repaired)}; {len(report.orphans)} orphan(s)")
    click.echo("ok" if report.ok else f"{len(report.problems)} problem(s)")
    sys.exit(0 if report.ok else 1)


@click.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.pass_obj
def import_cmd(obj: Ctx, directory: str) -> None:
    """Import a Hexo posts tree written by the system newsroll replaces."""
    from jobs.cli.workprogress import WorkProgress
    from scraper.normalize import clean_article  # imported posts get the same cleaning as fetched ones

    progress = WorkProgress("import", "files")
    indexing: WorkProgress | None = None
    try:
        with open_archive(obj.settings) as archive:
            report = archive.import_tree(Path(directory), now=datetime.now(UTC), clean=clean_article,
                                         on_progress=progress.update, workers=1)
            stored = progress.elapsed()
            progress.close()
            # the search index of what was stored, as its own phase (its own progress lines)
            indexing = WorkProgress("search index", "articles")
            indexed = archive.index_pending(chunk=INDEX_CHUNK, on_progress=indexing.update)
            if not indexed:  # all indexed already, by the archive's background indexer
                indexing.update(0, 0)
    finally:
        progress.close()
        if indexing is not None:
            indexing.close()
    for path, reason in report.skipped:
        click.echo(f"skipped {path}: {reason}")
    seconds = progress.elapsed()
    files = len(report.imported) + len(report.skipped)
    click.echo(f"stored {len(report.imported)} posts in {stored:.1f}s; "
               f"search index of {indexed} articles built in {seconds - stored:.1f}s")
    click.echo(f"imported {len(report.imported)}, skipped {len(report.skipped)} "
               f"in {seconds:.1f}s ({files / max(seconds, 1e-9):.0f} files/s)")


@click.command()
@click.option("--feed", default=None, help="Only this feed's articles.")
@click.pass_obj
def reparse(obj: Ctx, feed: str | None) -> None:
    """Re-extract stored raw pages with today's rules (no refetch)."""
    from jobs.cli.workprogress import WorkProgress
    from jobs.reparse import reparse_archive

    progress = WorkProgress("reparse", "pages")
    try:
        with open_archive(obj.settings) as archive:
            report = reparse_archive(obj.settings, archive, feed=feed, on_progress=progress.update)
    finally:
        progress.close()
    click.echo(report.line())
    sys.exit(1 if report.failed else 0)


@click.command()
@click.pass_obj
def optimize(obj: Ctx) -> None:
    """Compact the archive: raw pages onto their site's dictionary, keep_raw pruning, search index merged."""
    from jobs.cli.workprogress import WorkProgress

    progress = WorkProgress("optimize", "pages")
    try:
        with open_archive(obj.settings) as archive:
            counts = archive.optimize(on_progress=progress.update)
    finally:
        progress.close()
    click.echo(f"raw pages: {counts['recompressed']} recompressed, {counts['pruned']} pruned, "
               f"{counts['trained']} site dictionaries made; search index merged")
