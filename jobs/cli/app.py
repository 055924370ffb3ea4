"""The ``newsroll`` command group: global options, the commands (added explicitly), error mapping.

Every command loads settings, calls one function, and lets errors rise: this group turns them
into one line on stderr and an exit code: 0 ok, 1 a feed/check failed, 2 bad usage, config or an
unusable archive. Nothing below the CLI exits the process.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from typing import Any

import click

from jobs.cli.context import Ctx
from jobs.cli.logs import setup_logging
from jobs.config import ConfigError
from jobs.errors import JobsError

logger = logging.getLogger("jobs.cli")


def one_line(message: str) -> str:
    """A message fit for one line of a terminal: no control characters, no line breaks."""
    return "".join(ch if ch.isprintable() else " " for ch in message).strip()


# Every command, by name: where it lives. A command's module is imported only when that command
# runs (or when --help lists them all), so `newsroll search` never pays for the extractor.
COMMANDS: dict[str, str] = {
    "fetch": "jobs.cli.run:fetch",
    "run": "jobs.cli.run:run",
    "backfill": "jobs.cli.backfill:backfill",
    "search": "jobs.cli.query:search",
    "show": "jobs.cli.query:show",
    "export": "jobs.cli.archive_cmds:export",
    "feeds": "jobs.cli.archive_cmds:feeds",
    "verify": "jobs.cli.archive_cmds:verify",
    "import": "jobs.cli.archive_cmds:import_cmd",
    "reparse": "jobs.cli.archive_cmds:reparse",
    "optimize": "jobs.cli.archive_cmds:optimize",
    "extract": "jobs.cli.extract:extract_cmd",
    "stocks": "jobs.cli.stocks:stocks",
    "serve": "jobs.cli.web:serve",
    "feed": "jobs.cli.web:feed",
    "report": "jobs.cli.web:report",
}


class NewsrollGroup(click.Group):
    """Maps every expected error to ``newsroll: <one line>`` and its exit code.

    Commands come from ``COMMANDS`` and are imported when first asked for.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module_name, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

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


def main() -> None:
    cli(prog_name="newsroll")
