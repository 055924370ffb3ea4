"""How a backfill shows its progress: a rich progress bar on a terminal, plain lines otherwise.

Both write to stderr (stdout carries only the final summary, so it can be piped). The bar shows
items, pages, items/s and, when the source says how many items it holds, an ETA; the plain form
writes one line per page, for logs and CI.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichBar


@dataclass
class Tally:
    """Running counts of one backfill invocation."""

    pages: int = 0
    items: int = 0  # distinct items met inside the window
    new: int = 0
    updated: int = 0
    duplicates: int = 0  # already archived (skipped before fetching) or deduplicated on store
    failed: int = 0


@dataclass(frozen=True)
class PageLine:
    """What one page brought."""

    label: str  # "page 7", "top page 1", "archive 2: <url>"
    items: int  # items listed on the page
    inside: int  # of those, first met in this run and inside the window
    new: int
    updated: int
    duplicates: int
    failed: int


class Progress(Protocol):
    def note(self, message: str) -> None:
        """A one-off message (resuming, no history…)."""

    def page(self, line: PageLine, tally: Tally, *, done: int | None = None, total: int | None = None) -> None:
        """One page is committed. ``done``/``total``: items covered of the source's total, when known."""

    def close(self) -> None:
        """Stop drawing."""


class PlainProgress:
    """One line per page on ``stream``."""

    def __init__(self, feed: str, stream: TextIO) -> None:
        self.feed = feed
        self.stream = stream
        self.started = time.monotonic()

    def note(self, message: str) -> None:
        self._write(message)

    def page(self, line: PageLine, tally: Tally, *, done: int | None = None, total: int | None = None) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = tally.items / elapsed
        text = (f"{self.feed}: {line.label}: {line.items} listed, {line.inside} in window, {line.new} new, "
                f"{line.duplicates} duplicates, {line.failed} failed | {tally.pages} pages, {tally.items} items, "
                f"{rate:.1f} items/s")
        if done is not None and total:
            text += f", {min(done, total)}/{total}"
            if rate > 0 and done < total:
                text += f", ETA {_clock((total - done) / rate)}"
        self._write(text)

    def close(self) -> None:
        self.stream.flush()

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


class BarProgress:
    """A rich progress bar: items (of the total when known), pages, items/s, ETA."""

    def __init__(self, feed: str, console: Console) -> None:
        self.feed = feed
        self.started = time.monotonic()
        self.bar = RichBar(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("items · {task.fields[pages]} pages · {task.fields[rate]} items/s · {task.fields[new]} new"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=console, transient=False,
        )
        self.task = self.bar.add_task(feed, total=None, pages=0, rate="0.0", new=0)
        self.bar.start()

    def note(self, message: str) -> None:
        self.bar.console.print(message)

    def page(self, line: PageLine, tally: Tally, *, done: int | None = None, total: int | None = None) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        completed = done if done is not None else tally.items
        self.bar.update(self.task, completed=min(completed, total) if total else completed, total=total or None,
                        pages=tally.pages, rate=f"{tally.items / elapsed:.1f}", new=tally.new)

    def close(self) -> None:
        self.bar.stop()


def make_progress(feed: str, stream: TextIO | None = None) -> Progress:
    """A bar when ``stream`` (default stderr) is a terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return BarProgress(feed, Console(file=stream))
    return PlainProgress(feed, stream)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
