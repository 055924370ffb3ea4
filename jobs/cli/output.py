"""Formatting rows for the terminal and for machines (table, json, jsonl, csv)."""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from dateutil import parser as dateparser


def parse_when(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """'2024-05-01', '2024-05-01T08:00:00+08:00', '7d', '12h' → aware UTC datetime.

    A bare date used as ``--until`` means the end of that day (exclusive bound at next midnight).
    Naive times are read as UTC.
    """
    if not value:
        return None
    relative = re.fullmatch(r"(\d{1,12})\s*([dhm])", value.strip())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        try:
            delta = {"d": timedelta(days=amount), "h": timedelta(hours=amount),
                     "m": timedelta(minutes=amount)}[unit]
            return datetime.now(UTC) - delta
        except OverflowError:
            return EARLIEST  # further back than any date: everything
    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        raise click.BadParameter(f"expected a date like 2024-05-01 or an ISO 8601 time, got {value!r}",
                                 param_hint=option) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        if end and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            parsed += timedelta(days=1)
        return max(EARLIEST, min(LATEST, parsed.astimezone(UTC)))
    except OverflowError:  # the first or last representable day
        return LATEST if parsed.year > 1 else EARLIEST


EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe for a terminal: escape sequences, NUL and bidi overrides become spaces."""
    return (_CONTROL if keep_newlines else _CONTROL_NL).sub(" ", text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return printable(",".join(str(v) for v in value))
    return printable(str(value))


def emit_rows(rows: Iterable[dict[str, Any]], fmt: str, *, columns: Sequence[str]) -> None:
    out = sys.stdout
    if fmt == "json":
        out.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        writer: csv.DictWriter[str] | None = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in row.items()})
    else:
        table(list(rows), columns)


def _width(text: str) -> int:
    """Terminal columns: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    if not rows:
        click.echo("(no results)")
        return
    cells = [[_cell(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    widths = [min(60, max(_width(c), *(_width(line[i]) for line in cells))) for i, c in enumerate(columns)]
    click.echo("  ".join(_fit(c, w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for line in cells:
        click.echo("  ".join(_fit(text, w) for text, w in zip(line, widths, strict=True)).rstrip())
