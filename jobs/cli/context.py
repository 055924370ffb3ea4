"""What every command shares: the config it was given, its settings loaded once."""

from __future__ import annotations

import os
from pathlib import Path

from jobs.config import Settings, load_settings

__all__ = ["Ctx"]


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
