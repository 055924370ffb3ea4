"""JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1). Pure.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scraper.dates import checked
from scraper.errors import NotAFeedError, ParseError
from scraper.listingbase import load_json, text, title, translated
from scraper.models import FeedItem, Listing
from scraper.urls import web_url

logger = logging.getLogger(__name__)

def _iso(value: Any) -> tuple[datetime | None, bool]:
    if not isinstance(value, str) or not value or len(value) > 64:
        return None, False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            return None, False
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # "0001-01-01T00:00:00+01:00" falls off datetime's range
        return None, True
    return checked(parsed, value)


def _json_author(entry: dict[str, Any]) -> str | None:
    authors = entry.get("authors")
    if not isinstance(authors, list):
        authors = []
    author = entry.get("author")
    candidates = [*authors, author] if isinstance(author, dict) else authors
    for candidate in candidates:
        if isinstance(candidate, dict) and isinstance(candidate.get("name"), str) and candidate["name"].strip():
            return str(candidate["name"]).strip()
    return None


def _json_item(entry: Any, base: str) -> FeedItem | None:
    if not isinstance(entry, dict):
        return None
    link = entry.get("url") or entry.get("external_url")
    url = web_url(link, base)
    if url is None:
        if link:
            logger.warning("JSON Feed item url %.80r is not an http(s) URL; item dropped", link)
        return None
    published, bad_published = _iso(entry.get("date_published"))
    updated, bad_updated = _iso(entry.get("date_modified"))
    guid = entry.get("id")
    return FeedItem(
        url=url,
        title=title(text(entry.get("title"))),
        guid=str(guid) if isinstance(guid, (str, int)) and not isinstance(guid, bool) else None,
        summary_html=text(entry.get("summary")),
        content_html=text(entry.get("content_html")) or text(entry.get("content_text")),
        published=published,
        updated=updated,
        author=_json_author(entry),
        image=web_url(entry.get("image"), url) or web_url(entry.get("banner_image"), url),
        date_invalid=bad_published or bad_updated,
    )


@translated
def parse_json_feed(content: bytes, url: str = "") -> Listing:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    data = load_json(content)
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise NotAFeedError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    entries = data.get("items")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ParseError(f"JSON Feed 'items' is a {type(entries).__name__}, not a list")
    items = tuple(i for i in (_json_item(e, url) for e in entries) if i is not None)
    return Listing(items=items, title=title(text(data.get("title"))), link=text(data.get("home_page_url")),
                   next_page=web_url(data.get("next_url"), url))
