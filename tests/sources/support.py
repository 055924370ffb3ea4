"""Helpers for the wire tests: fixture bytes and the registry's Source for a kind."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "apis"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
