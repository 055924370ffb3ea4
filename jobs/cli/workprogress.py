"""Progress of long archive work (``import``, ``reparse``): the bar ``backfill`` shows on a terminal,
plain periodic lines otherwise (logs, CI). Both go to stderr; stdout keeps only the final summary.

The archive reports ``(done, total)`` through its ``on_progress`` callbacks; this turns them into
a rich bar (done of total, rate, elapsed, ETA) or a line every PLAIN_EVERY seconds and at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichBar

PLAIN_EVERY = 5.0  # seconds between two plain lines


class WorkProgress:
    """Call ``update(done, total)`` as work advances and ``close()`` at the end."""

    def __init__(self, label: str, unit: str, stream: TextIO | None = None, *, plain_every: float = PLAIN_EVERY):
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.plain_every = plain_every
        self._last_line: float | None = None
        self._last: tuple[int, int] | None = None
        self.bar: RichBar | None = None
        if self.stream.isatty():
            self.bar = RichBar(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn(f"{unit} · {{task.fields[rate]}} {unit}/s"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False,
            )
            self.task = self.bar.add_task(label, total=None, rate="0.0")
            self.bar.start()

    def rate(self, done: int) -> float:
        return done / max(time.monotonic() - self.started, 1e-9)

    def update(self, done: int, total: int) -> None:
        self._last = (done, total)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total or None, rate=f"{self.rate(done):.1f}")
            return
        now = time.monotonic()
        if self._last_line is None or now - self._last_line >= self.plain_every or (total and done >= total):
            self._last_line = now
            self._line(done, total)

    def _line(self, done: int, total: int) -> None:
        rate = self.rate(done)
        text = f"{self.label}: {done}/{total} {self.unit}, {rate:.1f} {self.unit}/s"
        if rate > 0 and done < total:
            text += f", ETA {_clock((total - done) / rate)}"
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
        self.stream.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
