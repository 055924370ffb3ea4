"""Pure helpers for paging through a source's history: page URLs, item keys, the time window.

No I/O and no clock: everything here is text or records in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from scraper.models import FeedItem, Listing

ItemKey = tuple[str | None, str]
"""An item's identity within a feed: (guid, url), the key ``Archive.known_items`` takes."""

_NUM = re.compile(r"(?:^|&)num=(\d+)(?:&|$)")


def item_key(item: FeedItem) -> ItemKey:
    return (item.guid, item.url)


def page_url(url: str, page: int) -> str:
    """``url`` with its ``page`` query parameter set to ``page`` (replaced if present, else appended).

    Every other parameter keeps its exact spelling and order (``num``, ``callback``, empty ``k=``),
    so the server sees the same request a browser would make.
    """
    if page < 1:
        raise ValueError(f"page numbers start at 1, got {page}")
    parts = urlsplit(url)
    params = [p for p in parts.query.split("&") if p] if parts.query else []
    replaced = False
    for index, param in enumerate(params):
        if param.split("=", 1)[0] == "page":
            params[index] = f"page={page}"
            replaced = True
    if not replaced:
        params.append(f"page={page}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(params), parts.fragment))


def page_size(url: str) -> int | None:
    """The ``num`` (items per page) a roll API URL asks for, or None when it does not say."""
    match = _NUM.search(urlsplit(url).query)
    if not match:
        return None
    value = int(match.group(1))
    return value if value > 0 else None


def archive_links(listing: Listing, base_url: str) -> list[str]:
    """Absolute URLs of the older documents a feed links to: RFC 5005 ``prev-archive``, then ``next``."""
    links = []
    for href in (listing.prev_archive, listing.next_page):
        if href:
            absolute = urljoin(base_url, href.strip())
            if absolute not in links:
                links.append(absolute)
    return links


@dataclass(frozen=True)
class Window:
    """Publication window ``[since, until)``; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def contains(self, item: FeedItem) -> bool:
        """Inside the window. An undated item is inside only when the window is unbounded."""
        when = item.published
        if when is None:
            return not self.bounded
        if self.since is not None and when < self.since:
            return False
        return not (self.until is not None and when >= self.until)

    def older_than_since(self, item: FeedItem) -> bool:
        return self.since is not None and item.published is not None and item.published < self.since

    def describe(self) -> dict[str, str | None]:
        """The window as checkpoint data (a resumed run must have asked for the same window)."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
