"""The ``newsroll`` command group: global options, the commands (added explicitly), error mapping.

Every command loads settings, calls one function, and lets errors rise: this group turns them
into one line on stderr and an exit code: 0 ok, 1 a feed/check failed, 2 bad usage, config or an
unusable archive. Nothing below the CLI exits the process.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import click

from jobs.cli.archive_cmds import export, feeds, import_cmd, optimize, reparse, verify
from jobs.cli.backfill import backfill
from jobs.cli.context import Ctx
from jobs.cli.extract import extract_cmd
from jobs.cli.logs import setup_logging
from jobs.cli.query import search, show
from jobs.cli.run import fetch, run
from jobs.cli.stocks import stocks
from jobs.cli.web import feed, report, serve
from jobs.config import ConfigError
from jobs.errors import JobsError

logger = logging.getLogger("jobs.cli")


def one_line(message: str) -> str:
    """A message fit for one line of a terminal: no control characters, no line breaks."""
    return "".join(ch if ch.isprintable() else " " for ch in message).strip()


class NewsrollGroup(click.Group):
    """Maps every expected error to ``newsroll: <one line>`` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from archive.errors import ArchiveError

        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            _exit(ctx, f"config error: {exc}", exc.exit_code, exc)
        except JobsError as exc:
            _exit(ctx, str(exc), exc.exit_code, exc)
        except ArchiveError as exc:
            _exit(ctx, f"archive error: {exc}", 1, exc)
        except sqlite3.Error as exc:  # last resort: archive translates what it expects
            _exit(ctx, f"archive database error: {exc}", 1, exc)
        except OSError as exc:
            _exit(ctx, f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}", 1, exc)
        except RecursionError as exc:
            _exit(ctx, "input too deeply nested", 1, exc)


def _exit(ctx: click.Context, message: str, code: int, exc: BaseException) -> None:
    logger.debug("exiting with %d", code, exc_info=exc)
    click.echo(f"newsroll: {one_line(message)}", err=True)
    ctx.exit(code)


@click.group(cls=NewsrollGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


for _command in (fetch, run, backfill, search, show, export, feeds, verify, import_cmd, reparse, optimize, extract_cmd,
                 stocks, serve, feed, report):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="newsroll")
