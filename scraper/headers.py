"""Pure parsing of the HTTP response headers the fetcher cares about.

Nothing here does I/O or reads a clock: ``now`` (epoch seconds) is passed in.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?([0-9]{1,12})\"?", re.IGNORECASE)
_ASCII_DIGITS = re.compile(r"[0-9]{1,12}")
MAX_WAIT = 365 * 86400.0  # no header makes us wait (or compute a date) further than a year


def media_type(content_type: str | None) -> str:
    """``"text/html; charset=GBK"`` → ``"text/html"`` (lower-cased, "" when absent)."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type value, lower-cased and unquoted, or None."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            value = value.strip().strip("\"'").strip().lower()
            return value or None
    return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date), or None.

    A date in the past gives 0.0; garbage gives None (the caller then uses its own backoff).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():  # str.isdigit() is also true for "²" or "٣": only ASCII digits count
        return min(float(value), MAX_WAIT) if _ASCII_DIGITS.fullmatch(value) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive parse means "-0000"
            when = when.replace(tzinfo=UTC)
        return min(max(0.0, when.timestamp() - now), MAX_WAIT)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_max_age(cache_control: str | None) -> float | None:
    """``max-age`` seconds of a Cache-Control value, or None."""
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return min(float(match.group(1)), MAX_WAIT) if match else None


def host_key(url: str) -> str:
    """The politeness key of a URL: ``host:port`` with the scheme's default port filled in."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    return f"{host}:{port}"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL (the scope of one robots.txt)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rsplit('@', 1)[-1]}"
