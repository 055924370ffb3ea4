"""Publication times: parse what pages print into timezone-aware UTC datetimes.

A time without an offset is read in the *site's* zone (Asia/Shanghai for Chinese sites),
never as UTC. Handles ISO 8601 (``2018-12-28T19:56:29+08:00``, ``...Z``), Chinese forms
(``2018年12月28日 19:55``, ``2019年09月11日01:53``), ``2019-09-26 12:11``, slashes and dots,
RFC 2822 (``Tue, 08 Feb 2022 08:00:05 GMT``) and, last, python-dateutil's parser.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

__all__ = ["parse_datetime", "parse_local", "zone"]

_NUMERIC = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[年/\-.]\s*(?P<m>\d{1,2})\s*[月/\-.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?"
    r"(?:\.\d+)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|GMT|UTC)?)?"
)
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|GMT|UT|UTC|Z)$")
_MIN_YEAR = 1990


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The tzinfo for an IANA zone name; UTC for None or an unknown name (logged)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r in extraction rules; using UTC", name)
        return UTC


def _offset(tz_text: str) -> tzinfo:
    if tz_text in ("Z", "GMT", "UTC"):
        return UTC
    return datetime.strptime(tz_text.replace(":", ""), "%z").tzinfo or UTC


def _plausible(value: datetime) -> datetime | None:
    """``value`` (aware) if its year is believable, in the offset the page wrote it in."""
    if value.year < _MIN_YEAR or value.year > 2100:
        return None
    return value


def _numeric(text: str, site_zone: tzinfo) -> datetime | None:
    match = _NUMERIC.search(text)
    if match is None:
        return None
    parts = match.groupdict()
    try:
        value = datetime(
            int(parts["y"]), int(parts["m"]), int(parts["d"]),
            int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0),
        )
    except ValueError:
        return None
    tz = _offset(parts["tz"]) if parts["tz"] else site_zone
    return _plausible(value.replace(tzinfo=tz))


def parse_datetime(text: str | None, site_zone: str | None = None, formats: tuple[str, ...] = ()) -> datetime | None:
    """Parse a printed date/time; return it in UTC, or None if it is not a date.

    ``formats`` (strptime patterns) are tried first on the stripped text; then ISO 8601,
    numeric and Chinese forms, RFC 2822, and dateutil. Naive results take ``site_zone``.
    """
    value = parse_local(text, site_zone, formats)
    return value.astimezone(UTC) if value is not None else None


def parse_local(text: str | None, site_zone: str | None = None, formats: tuple[str, ...] = ()) -> datetime | None:
    """Like :func:`parse_datetime`, but keep the offset the page wrote (or ``site_zone``'s)."""
    if not text:
        return None
    text = text.strip()
    if not text:
        return None
    tz = zone(site_zone)
    for fmt in formats:
        try:
            value = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return _plausible(value if value.tzinfo else value.replace(tzinfo=tz))
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    else:
        return _plausible(value if value.tzinfo else value.replace(tzinfo=tz))
    found = _numeric(text, tz)
    if found is not None:
        return found
    if text.isdigit() and len(text) in (10, 13):  # epoch seconds / milliseconds
        return _plausible(datetime.fromtimestamp(int(text[:10]), tz))
    if _RFC2822.match(text) is None:
        return _dateutil(text, tz)
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        return _plausible(value if value.tzinfo else value.replace(tzinfo=tz))
    return _dateutil(text, tz)


_TZ_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "HKT": 8, "SGT": 8, "JST": 9, "KST": 9,
}
_LEADING_WORDS = re.compile(r"^(?:published|updated|posted|last updated|date|on)[:\s]+", re.IGNORECASE)
_NO_YEAR = datetime(1, 1, 1)


def _dateutil(text: str, tz: tzinfo) -> datetime | None:
    text = _LEADING_WORDS.sub("", text)
    if len(text) > 64 or not any(ch.isdigit() for ch in text):
        return None
    import warnings

    from dateutil import parser as dateutil_parser  # lazy: only odd English formats get here

    china = getattr(tz, "key", "") in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Hong_Kong", "Asia/Taipei")
    tzinfos = {name: hours * 3600 for name, hours in _TZ_ABBREVIATIONS.items()}
    tzinfos["CST"] = (8 if china else -6) * 3600  # China Standard Time vs US Central
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning: unknown names fall to site zone
            value = dateutil_parser.parse(text, default=_NO_YEAR, tzinfos=tzinfos)
    except (ValueError, OverflowError, TypeError):
        return None
    if value.year == 1:  # no year in the text: refuse to guess (extraction has no clock)
        return None
    return _plausible(value if value.tzinfo else value.replace(tzinfo=tz))
