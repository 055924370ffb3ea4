"""Companies in the archive: ``stocks`` (the most mentioned), ``stocks load FILE``, and the
``--stock`` filter's resolution (a code in any form, or a company name)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING

import click

from jobs.cli import output
from jobs.cli.context import Ctx
from jobs.compose import open_archive
from jobs.config import Settings
from jobs.errors import UsageError

if TYPE_CHECKING:
    from archive import Archive


def resolve_stock(value: str, settings: Settings, archive: Archive) -> str:
    """The normalized code ``--stock`` means: a code in any form (600519, sh600519, 00700.HK), or a
    company name from the stock list or from the archive's tags; else the text itself (a name)."""
    from jobs.pipeline import stock_directory
    from scraper.stocks import normalize_code

    text = value.strip()
    code = normalize_code(text)
    if code is None and text[:3].upper() == "US:":
        code = normalize_code(text[3:])
    if code:
        return code
    found = stock_directory(settings).code_for(text)
    if found:
        return found
    stored = archive.stock_codes(text)
    return stored[0] if stored else text


@click.group(invoke_without_command=True)
@click.option("--since", default=None, help="Only articles published since (7d, 12h, a date or ISO time).")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(min=1, max=1_000_000, clamp=True))
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]))
@click.pass_context
def stocks(ctx: click.Context, since: str | None, limit: int, fmt: str) -> None:
    """The most-mentioned companies (code, name, articles), most first; ``stocks load FILE`` replaces
    the list of company names the tagger uses."""
    if ctx.invoked_subcommand is not None:
        return
    obj: Ctx = ctx.obj
    since_dt: datetime | None = output.parse_when(since, "--since")
    from jobs.pipeline import stock_directory

    directory = stock_directory(obj.settings)
    with open_archive(obj.settings, read_only_ok=True) as archive:
        rows = archive.top_stocks(since=since_dt, limit=limit, names=dict(directory.names))
    output.emit_rows(rows, fmt, columns=("code", "name", "count"))


@stocks.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
def load(obj: Ctx, file: str) -> None:
    """Use FILE (a CSV of code,name rows, e.g. ``600519,贵州茅台``) as the list of companies the
    tagger finds by name, instead of the shipped one. Checked first: a bad file changes nothing."""
    from pathlib import Path

    from archive.files import write_atomic
    from scraper.errors import StockListError
    from scraper.stocks import read_stock_list

    try:
        rows = read_stock_list(Path(file))
    except StockListError as exc:
        raise UsageError(str(exc)) from exc
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", "name", "listed"])
    writer.writerows((code, name, "" if not listed else "y") for code, name, listed in rows)
    target = obj.settings.archive.stock_list_path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, buffer.getvalue())
    click.echo(f"loaded {len(rows)} companies into {target}")
