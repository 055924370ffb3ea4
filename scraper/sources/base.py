"""What a source kind is: pure descriptions of how to read one wire's API.

A :class:`Source` holds no state and does no I/O. ``jobs`` asks it for the URL of a page
(paging and signing parameters added to the feed's configured ``url``), fetches that URL, and
hands the bytes back to ``parse``. Where a wire's full text lives elsewhere (a JSON API, an
article page with embedded JSON), ``FeedItem.fetch_url`` says where, and ``parse_article`` reads it.

    config url ─▶ request_url(url, cursor) ─▶ (jobs fetches) ─▶ parse(bytes, url, zone) ─▶ Listing
                                                                   └─ Listing.next_cursor ─▶ request_url(url, cursor) …
    FeedItem.fetch_url ─▶ (jobs fetches) ─▶ parse_article(bytes, url) ─▶ Extracted

Errors: ``parse`` raises :class:`scraper.errors.ParseError` subclasses only —
:class:`~scraper.errors.SourceAPIError` when the wire answered with an error payload (a refused
signature, a rate limit), :class:`~scraper.errors.TemplateChangedError` when the payload no longer
has the shape we know (report it, never store garbage), :class:`~scraper.errors.NotAFeedError`
for an HTML page where JSON was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from scraper.models import Extracted, Listing

ListingParser = Callable[[bytes, str, tzinfo], Listing]
"""(content, the URL it was fetched from, the zone for times written without one) → Listing."""

RequestUrl = Callable[[str, "str | None"], str]
"""(the feed's configured url, a cursor from ``Listing.next_cursor`` or None for the newest page) → URL."""

ArticleParser = Callable[[bytes, str], Extracted]
"""(content fetched from ``FeedItem.fetch_url``, that URL) → Extracted (body sanitized)."""


def same_url(url: str, cursor: str | None) -> str:
    """For sources that cannot page: the configured URL as it is."""
    return url


@dataclass(frozen=True)
class Source:
    """One feed kind (``kind = "..."`` in config.toml)."""

    kind: str
    parse: ListingParser
    request_url: RequestUrl = same_url
    can_page: bool = False  # backfill can follow Listing.next_cursor back in time
    parse_article: ArticleParser | None = None  # None: fetch_url pages go through the HTML extractor
    headers: Mapping[str, str] = field(default_factory=dict)  # polite extra headers (Referer, Origin)
    default_interval: float = 300.0  # seconds, when the feed sets none
    zone: str = "Asia/Shanghai"  # the wire's own zone, for times written without one
    history: str = ""  # README: how far back paging reaches
    reads: str = ""  # README: what the kind reads
