"""Fixtures shared by the whole suite: a local HTTP server, a temporary archive, a fake clock.

Tests never reach the network (the server listens on 127.0.0.1), never touch ../shared, and never
sleep where a clock can be injected (``fake_clock``).
"""

from __future__ import annotations

import compileall
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import Archive
from tests.daemon_support import FakeClock
from tests.httpserver import TestServer, serve

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile newsroll's packages once, before any test starts a ``newsroll`` process.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on the machines this project is built on) Python writes no
    ``__pycache__``, and every CLI subprocess a test starts compiled all of newsroll's modules
    again: about a quarter of a second of CPU each, hundreds of times a run. Up-to-date files are
    left alone; a read-only checkout only loses the saving.
    """
    for package in ("scraper", "archive", "jobs"):
        compileall.compile_dir(ROOT / package, quiet=2)


@pytest.fixture
def server() -> Iterator[TestServer]:
    """A real HTTP server on 127.0.0.1 with no routes yet (``server.routes[path] = Reply(...)``)."""
    with serve() as running:
        yield running


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A real archive (SQLite file and posts folder) in the test's temporary folder."""
    with Archive(tmp_path / "archive.db", tmp_path / "posts") as opened:
        yield opened


@pytest.fixture
def fake_clock() -> FakeClock:
    """An injectable clock (aware UTC) that moves only when the test says."""
    return FakeClock()
