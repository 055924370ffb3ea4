"""Backfill: page back through a feed's history into the archive, resumable.

    run.py         backfill_feed(): page source → items in the window → the poll's pipeline → checkpoint
    pagination.py  pure: page URLs, item keys, the --since/--until window
    rollpager.py   pure: where to read next in a Sina roll list that grows while we page
    rolltopup.py   pure: re-reading the top of the roll list after a long run
    cursor.py      wires that page by cursor (scraper.sources, Source.can_page)
    writer.py      one thread storing the pages (and their checkpoints) in order while the loop fetches
    progress.py    the progress bar (rich) or plain periodic lines when not on a terminal
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobs.backfill.run import BackfillOptions, BackfillReport, backfill_feed, checkpoint_key

__all__ = ["BackfillOptions", "BackfillReport", "backfill_feed", "checkpoint_key"]


def __getattr__(name: str) -> Any:
    """The run's names, imported on first use: the pure modules here (the window, the pagers)
    load without the whole pipeline, so ``backfill`` answers a usage error at once."""
    if name in __all__:
        from jobs.backfill import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
