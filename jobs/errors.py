"""Errors raised by the jobs package; each carries the exit code the CLI gives it.

    JobsError                 exit_code 1 unless a subclass says otherwise
    ├── UsageError            bad command-line input or config (exit 2)
    │   └── ConfigError       config.toml missing, unreadable or invalid (jobs.config; exit 2)
    ├── ArchiveUnusable       the archive cannot be opened or used: corrupt, locked, read-only,
    │                         full disk, a newer schema (exit 2 at start-up, 1 mid-run)
    └── AlreadyRunning        another daemon or backfill holds this archive's lock (exit 2)

Only the CLI (jobs.cli) turns these into a one-line message and an exit code; nothing below it
exits the process. Foreign errors (archive's, OS errors) are translated where jobs meets them.
"""

from __future__ import annotations


class JobsError(Exception):
    """Base of every error raised by jobs; ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(JobsError):
    exit_code = 2


class ArchiveUnusable(JobsError):
    exit_code = 2


class AlreadyRunning(JobsError):
    exit_code = 2
