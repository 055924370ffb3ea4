"""Shared helpers of the wire tests: fixtures under tests/fixtures/apis/ and the wires' zone."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

APIS = Path(__file__).resolve().parent.parent / "fixtures" / "apis"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fixture(name: str) -> bytes:
    return (APIS / name).read_bytes()
