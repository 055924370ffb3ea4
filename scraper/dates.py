"""The range of dates newsroll believes, and the checks every parsed date goes through.

A source's date is believed only between :data:`EARLIEST` (1900-01-01 UTC) and ``now`` plus
:data:`FUTURE_SLACK` (two days: clocks and zones drift, nothing is published next week). Parsers,
which have no clock, apply the clock-free part (:func:`within_bounds`: 1900 to :data:`LATEST`);
``build_article``, which gets ``now``, applies the whole range (:func:`plausible`). A date outside
the range is reported (a log line, the item's ``date_invalid`` mark, the article's ``date_invalid``
flag) and the article is stored with an unknown date (the fetch time), never with a year that other
code cannot read back.

Pure: no clock, no I/O.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

logger = logging.getLogger(__name__)

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # clock-free upper bound for parsers
FUTURE_SLACK = timedelta(days=2)


def within_bounds(moment: datetime | None) -> bool:
    """True for an aware datetime between EARLIEST and LATEST (the parsers' clock-free range)."""
    if moment is None or moment.tzinfo is None:
        return False
    try:
        return EARLIEST <= moment < LATEST
    except (OverflowError, ValueError):  # an offset that pushes the moment past datetime's range
        return False


def plausible(moment: datetime | None, now: datetime) -> bool:
    """True when ``moment`` is a date a source may really carry: EARLIEST ≤ moment ≤ now + 2 days."""
    if not within_bounds(moment):
        return False
    assert moment is not None
    return moment <= now + FUTURE_SLACK


def checked(moment: datetime | None, raw: object = None, *, where: str = "") -> tuple[datetime | None, bool]:
    """(moment in UTC, False) when within bounds; (None, True) when a date was given but is out of range.

    ``(None, False)`` when there was no date at all. Out-of-range dates are logged with ``raw``.
    """
    if moment is None:
        return None, False
    if not within_bounds(moment):
        logger.warning("%sdate %r is out of range (%s to %s); stored as unknown",
                       f"{where}: " if where else "", raw if raw is not None else moment,
                       EARLIEST.date(), LATEST.date())
        return None, True
    return moment.astimezone(UTC), False


def from_epoch(seconds: float) -> datetime | None:
    """An epoch timestamp (seconds) as an aware UTC datetime, or None when it cannot be one."""
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError, TypeError):  # past datetime's range, nan, inf
        return None
