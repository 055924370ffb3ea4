"""Which URLs from untrusted documents may reach an article: absolute http(s) only.

``javascript:``, ``data:``, ``file:``, ``vbscript:`` and every other scheme are refused wherever a
URL becomes an article's link, image or canonical. :func:`site_of` gives the registrable domain
used to decide whether a page's ``rel=canonical`` may be trusted (same site only).

Pure: no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]+")
# Second-level labels under which registries hand out names (example.com.cn, bbc.co.uk): a small
# list instead of the whole public-suffix list; a miss only makes a canonical check stricter.
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "co", "ac", "or", "ne", "go", "mil", "info"})


def web_url(value: object, base: str = "") -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base``; ``//host`` → https), or None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > 8192:
        return None
    if url.startswith("//"):
        url = "https:" + url
    scheme = _scheme(url)
    if scheme is None and base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
        scheme = _scheme(url)
    if scheme not in ("http", "https"):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        return None
    if not host:
        return None
    return url


def _scheme(url: str) -> str | None:
    # Browsers ignore tabs/newlines/controls inside a scheme ("java\tscript:"): so do we.
    head = _CONTROL_OR_SPACE.sub("", url[:64]).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", head)
    return match.group(1) if match else None


def site_of(url: str) -> str | None:
    """The registrable domain of a URL (``finance.sina.com.cn`` → ``sina.com.cn``), or None."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    if re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        return host  # an IP address is its own site
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url: str, other: str) -> bool:
    """True when both URLs belong to the same registrable domain."""
    site = site_of(url)
    return site is not None and site == site_of(other)
