"""What every command shares: the config it was given and the one way to open the archive."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from jobs.config import Settings, load_settings
from jobs.errors import ArchiveUnusable

if TYPE_CHECKING:
    from archive import Archive


class Ctx:
    """The ``click`` context object: the config path, settings loaded on first use."""

    def __init__(self, config: str | None) -> None:
        self.config_path = Path(config or os.environ.get("NEWSROLL_CONFIG") or "config.toml")
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The validated settings; raises ConfigError (exit 2) on a bad config."""
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings


@contextmanager
def open_archive(settings: Settings) -> Iterator[Archive]:
    """The archive for a command; ArchiveUnusable (one line, exit 2) when it cannot be opened."""
    from archive import Archive
    from archive.errors import ArchiveError

    try:
        archive = Archive(settings.archive.database, settings.archive.posts_dir,
                          post_tags=settings.archive.post_tags)
    except (ArchiveError, OSError) as exc:
        raise ArchiveUnusable(f"cannot open archive {settings.archive.database}: {_reason(exc)}") from exc
    try:
        yield archive
    finally:
        try:
            archive.close()
        except (ArchiveError, OSError) as exc:
            raise ArchiveUnusable(f"archive {settings.archive.database}: {_reason(exc)}", exit_code=1) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
