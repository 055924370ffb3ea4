"""The command line: ``newsroll`` (``python -m jobs``).

    app.py           the group, global options, error → one line + exit code, every command added
    context.py       Ctx (config path, settings loaded once)
    run.py           fetch, run [--once]          poll feeds now / the daemon
    backfill.py      backfill FEED                page back through a feed's history
    query.py         search, show                 read the archive
    archive_cmds.py  feeds, export, verify, import, reparse
    extract.py       extract FILE…                what the extractor makes of saved pages
    web.py           serve, feed, report          Datasette, feeds out, the feed health page
    output.py        tables, JSON/CSV rows, --since/--until parsing
    logs.py          text or JSON log lines on stderr
"""

from jobs.cli.app import cli, main

__all__ = ["cli", "main"]
