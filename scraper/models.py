"""Frozen records that cross stage boundaries.

    Feed config (jobs) ─▶ FetchResult ─▶ Listing[FeedItem] ─▶ Extracted ─▶ Article ─▶ archive

Nothing here does I/O. Datetimes are timezone-aware (UTC) everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
"""The Accept header of a listing request (feeds and JSON APIs alike)."""


@dataclass(frozen=True)
class HttpSettings:
    """How the fetcher behaves; validated by jobs.config, defaults are the documented ones."""

    user_agent: str = "newsroll/0.1 (+https://github.com/newsroll/newsroll)"
    timeout: float = 20.0
    max_attempts: int = 3
    per_host_concurrency: int = 2
    per_host_interval: float = 0.5
    max_response_bytes: int = 10_000_000
    max_redirects: int = 10
    retry_statuses: tuple[int, ...] = (408, 425, 429, 500, 502, 503, 504)
    retry_after_cap: float = 120.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    obey_robots: bool = True
    robots_ttl: float = 3600.0
    allow_private: bool = True  # False: refuse any hop to a private/loopback/link-local address (SSRF)


@dataclass(frozen=True)
class FetchResult:
    """One HTTP exchange, body fully read and size-checked."""

    url: str
    final_url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    charset: str | None = None  # from the Content-Type header, if any
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    moved_to: str | None = None  # set when a 301/308 moved the resource permanently
    retry_after: float | None = None  # seconds, from a Retry-After header
    max_age: float | None = None  # seconds, from Cache-Control: max-age
    elapsed: float = 0.0


@dataclass(frozen=True)
class FeedItem:
    """One entry of a listing (RSS/Atom/JSON Feed item or a Sina roll row)."""

    url: str
    title: str
    guid: str | None = None
    summary_html: str = ""
    content_html: str = ""  # full content carried by the feed itself (content:encoded), if any
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    image: str | None = None
    # Wire items (scraper.sources): the wire's importance mark, the stock codes its data lists
    # (normalized, e.g. "SH600519"), where the full text is fetched when it is not ``url``
    # (a JSON API on the listing's host), and whether the item is a flash (快讯/电报: no page).
    important: bool | None = None
    stocks: tuple[str, ...] = ()
    fetch_url: str | None = None
    flash: bool = False
    # A date was given but lies outside what newsroll believes (scraper.dates): stored as unknown.
    date_invalid: bool = False


@dataclass(frozen=True)
class Listing:
    """A parsed feed document."""

    items: tuple[FeedItem, ...]
    title: str = ""
    link: str = ""
    ttl_seconds: float | None = None
    prev_archive: str | None = None  # RFC 5005 prev-archive link
    next_page: str | None = None  # RFC 5005 paged feeds ("next")
    total: int | None = None  # Sina roll: result.total
    next_cursor: str | None = None  # wires (scraper.sources): where the next-older page starts


@dataclass(frozen=True)
class Extracted:
    """What the extractor found in one article page (body already sanitized)."""

    title: str | None
    body_html: str
    body_text: str
    author: str | None = None
    source: str | None = None  # original source (来源), kept apart from author
    editor: str | None = None  # 责任编辑
    published: datetime | None = None
    image: str | None = None
    canonical_url: str | None = None
    rules: str = "generic"  # name of the rule set used, or "generic"
    rules_missed: bool = False  # a known site's rules matched the URL but not the page
    # The UTC offset the page wrote ``published`` in (or of the zone assumed for it): for
    # display in the page's own local time; ``published`` itself stays UTC.
    published_offset: timedelta | None = None


@dataclass(frozen=True)
class StockTag:
    """A company an article is about (scraper.stocks): its normalized code, short name, how it was found.

    ``how``, most reliable first: ``source`` (the wire's own stock list), ``link`` (the page links
    the company's quote page), ``code`` (a code written in the text), ``name`` (its name in the text).
    """

    code: str
    name: str = ""
    how: str = "name"


@dataclass(frozen=True)
class Article:
    """A normalized article, ready for the archive."""

    feed: str
    site: str
    category: str
    url: str
    title: str
    published: datetime
    body_html: str
    body_text: str
    guid: str | None = None
    canonical_url: str | None = None
    summary: str = ""
    author: str | None = None
    source: str | None = None
    editor: str | None = None
    updated: datetime | None = None
    image: str | None = None
    flags: tuple[str, ...] = ()  # e.g. "extract_failed", "robots_disallowed", "fetch_failed"
    raw_html: bytes | None = field(default=None, repr=False)
    raw_charset: str | None = None
    rules: str = ""
    item_fingerprint: str = ""  # hash of the feed item as listed; unchanged => no page refetch
    important: bool | None = None  # the wire's importance mark (cls level A/B, 金十 important…)
    stocks: tuple[str, ...] = ()  # normalized stock codes ("SH600519", "HK00700", "US:AAPL")
    stock_tags: tuple[StockTag, ...] = ()  # the same companies with name and how (scraper.stocks.tag_article)
