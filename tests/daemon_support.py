"""Helpers for the daemon tests and the soak benchmark: generated feeds, configs, a fake clock.

The feeds are generated RSS 2.0 documents (constructed, not saved from a site): the daemon tests
need listings that change from one poll to the next, which a saved file cannot do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

EPOCH = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)


def rss_feed(base_url: str, feed: str, ids: Sequence[int], *, ttl_minutes: int | None = None) -> bytes:
    """An RSS 2.0 feed with one item per id (newest first); links point under ``base_url``."""
    items = []
    for number in sorted(ids, reverse=True):
        when = format_datetime(EPOCH + timedelta(minutes=number), usegmt=True)
        items.append(
            f"<item><title>{escape(feed)} story {number}</title>"
            f"<link>{base_url}/{feed}/story-{number}.html</link>"
            f"<guid isPermaLink=\"false\">{feed}-{number}</guid><pubDate>{when}</pubDate>"
            f"<description>&lt;p&gt;Summary of story {number} of {escape(feed)}, long enough to keep."
            f"&lt;/p&gt;</description></item>")
    ttl = f"<ttl>{ttl_minutes}</ttl>" if ttl_minutes else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(feed)}</title>'
            f"<link>{base_url}/</link><description>generated</description>{ttl}{''.join(items)}"
            f"</channel></rss>").encode()


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _table(name: str, values: Mapping[str, Any]) -> str:
    return f"[{name}]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items())


def write_config(folder: Path, feeds: Sequence[Mapping[str, Any]], *, schedule: Mapping[str, Any] | None = None,
                 http: Mapping[str, Any] | None = None) -> Path:
    """A config.toml in ``folder`` (archive under ``folder/data``), fast HTTP settings by default."""
    http_values = {"timeout": 5.0, "max_attempts": 1, "per_host_interval": 0.0, "per_host_concurrency": 4,
                   "obey_robots": False, **(http or {})}
    parts = [_table("archive", {"database": "data/archive.db", "posts_dir": "data/posts"}),
             _table("http", http_values)]
    if schedule:
        parts.append(_table("schedule", schedule))
    for feed in feeds:
        values = {"site": "Test", "category": "金融", "kind": "feed", "full_text": False, **feed}
        parts.append("[[feeds]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items()))
    path = folder / "config.toml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


class FakeClock:
    """An injectable wall clock (aware UTC) that only moves when told to."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = max(self.now, moment)
        return self.now


ROOT = Path(__file__).resolve().parent.parent


def cli_env() -> dict[str, str]:
    """The environment for a CLI subprocess: this checkout importable, whatever the cwd."""
    import os

    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


class DaemonProcess:
    """A real ``newsroll run`` subprocess with its stderr in a file (no pipe to fill up)."""

    def __init__(self, config: Path, *args: str, log_format: str = "json", log_level: str | None = "INFO") -> None:
        import subprocess
        import sys

        self.log_path = config.parent / f"daemon-{id(self)}.log"
        self._log = self.log_path.open("wb")
        level = ["--log-level", log_level] if log_level else []  # None: the daemon's own default (INFO)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jobs", "--config", str(config), *level,
             "--log-format", log_format, "run", *args],
            stdout=subprocess.DEVNULL, stderr=self._log, env=cli_env())

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def records(self) -> list[dict[str, Any]]:
        """The JSON log records written so far (a half-written last line is skipped)."""
        import json

        out = []
        for line in self.log().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def wait_for(self, predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
        """Wait until ``predicate()`` is true; fail with the log if the daemon dies or time runs out."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited ({self.proc.returncode}) before {what}:\n{self.log()}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log()}")

    def wait_started(self, timeout: float = 15.0) -> None:
        self.wait_for(lambda: "daemon started" in self.log(), timeout, "start-up")

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def wait(self, timeout: float = 15.0) -> int:
        code = self.proc.wait(timeout)
        self._log.close()
        return code

    def close(self) -> None:
        """Make sure nothing outlives the test."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


def run_cli(config: Path, *args: str, timeout: float = 30.0) -> Any:
    """Run ``newsroll --config CONFIG ARGS`` to completion (stdout and stderr captured as text)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "jobs", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=timeout, env=cli_env())
