"""RSS, Atom and RDF through feedparser, behind an XML entity guard. Pure.

A date without a zone is read in the feed's own zone (``default_tz``), never silently as UTC.
"""

from __future__ import annotations

import calendar
import logging
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

import feedparser

from scraper.dates import checked, from_epoch
from scraper.errors import NotAFeedError, ParseError
from scraper.jsonfeed import parse_json_feed
from scraper.listingbase import looks_like_html, title, translated
from scraper.models import FeedItem, Listing
from scraper.urls import web_url

logger = logging.getLogger(__name__)

_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<\w")
_WHITESPACE_RUN = re.compile(rb"\s{2,}")
_GB_ALIASES = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "csgb2312", "euc-cn"}


def _gb_to_gb18030(name: str | None) -> str | None:
    """gb2312/gbk are subsets of gb18030; reading them as gb18030 never loses characters."""
    if name and name.strip().lower() in _GB_ALIASES:
        return "gb18030"
    return name


def _guard_xml(content: bytes) -> bytes:
    # Equivalent to defusedxml's forbid_entities/forbid_external, without a second parse: no feed
    # needs its own entity declarations, and every bomb or XXE probe starts with one.
    if _ENTITY_DECL.search(content):
        raise ParseError("feed declares XML entities in its DOCTYPE; refused (entity-expansion/XXE guard)")
    match = _PROLOG_ENCODING.match(content[:200])
    if match and _gb_to_gb18030(match.group(2).decode("ascii")) == "gb18030":
        content = match.group(1) + b"gb18030" + match.group(3) + content[match.end():]
    # feedparser searches the prolog (what precedes the first element) with ``^\s*<!ENTITY`` in
    # MULTILINE mode: every line of a long run of blank lines rescans the rest of the run
    # (80 KB of whitespace took 70 s). One newline per run reads the same and scans once.
    first = _FIRST_ELEMENT.search(content)
    end = first.start() if first else len(content)
    if _WHITESPACE_RUN.search(content, 0, end):
        content = _WHITESPACE_RUN.sub(b"\n", content[:end]) + content[end:]
    return content


_ZONE_HINT = re.compile(r"([+-]\d{2}:?\d{2}|Z|GMT|UTC|UT|\b[A-Z]{1,4}T)\s*$")


def _to_datetime(value: Any, raw: str | None = None, default_tz: tzinfo | None = None) -> tuple[datetime | None, bool]:
    """feedparser's UTC struct_time → (aware datetime or None, out of range?).

    A date written without a zone (``2005-12-31 10:24:36``) is read in the feed's own zone
    (``default_tz``), never silently as UTC.
    """
    if value is None:
        return None, False
    try:
        parsed = from_epoch(calendar.timegm(value))
    except (TypeError, ValueError, OverflowError):
        return None, False
    if parsed is None:
        return None, True
    if default_tz is not None and raw and not _ZONE_HINT.search(raw.strip()[-24:]):
        try:
            parsed = parsed.replace(tzinfo=default_tz).astimezone(UTC)
        except (OverflowError, ValueError):
            return None, True
    return checked(parsed, raw)


def _entry_image(entry: Any) -> str | None:
    for key in ("media_thumbnail", "media_content"):
        for media in entry.get(key) or []:
            url = web_url(media.get("url"))
            medium = str(media.get("medium") or media.get("type", ""))
            if url and (key == "media_thumbnail" or "image" in medium or medium == ""):
                return url
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            url = web_url(link.get("href"))
            if url:
                return url
    image = entry.get("image")
    if isinstance(image, dict):
        return web_url(image.get("href"))
    return None


def _entry_content(entry: Any) -> str:
    best = ""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if len(value) > len(best):
            best = value
    return best


def _feed_item(entry: Any, default_tz: tzinfo | None = None) -> FeedItem | None:
    link = entry.get("link") or ""
    guid = entry.get("id") or None
    if not link and guid and re.match(r"^https?://", guid):
        link = guid
    if not link:
        return None
    url = web_url(link)
    if url is None:
        logger.warning("feed item link %.80r is not an http(s) URL; item dropped", link)
        return None
    published, bad_published = _to_datetime(entry.get("published_parsed") or entry.get("created_parsed"),
                                            entry.get("published") or entry.get("created"), default_tz)
    # dict.get: FeedParserDict maps a missing updated_* to published_* (with a DeprecationWarning)
    updated, bad_updated = _to_datetime(dict.get(entry, "updated_parsed"), dict.get(entry, "updated"), default_tz)
    return FeedItem(
        url=url,
        title=title(entry.get("title")),
        guid=guid,
        summary_html=entry.get("summary") or "",
        content_html=_entry_content(entry),
        published=published,
        updated=updated,
        author=entry.get("author") or None,
        image=_entry_image(entry),
        date_invalid=bad_published or bad_updated,
    )


def _archive_links(feed: Any) -> tuple[str | None, str | None]:
    prev_archive = next_page = None
    for link in feed.get("links") or []:
        rel = link.get("rel")
        if rel == "prev-archive":
            prev_archive = web_url(link.get("href"))
        elif rel == "next":
            next_page = web_url(link.get("href"))
    return prev_archive, next_page


@translated
def parse_feed(
    content: bytes, url: str = "", *, charset: str | None = None, default_tz: tzinfo | None = None
) -> Listing:
    """Parse an RSS/Atom/RDF or JSON Feed document.

    ``default_tz`` is the zone for dates the feed writes without one (UTC when None).
    """
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return parse_json_feed(content, url)
    if not stripped:
        raise NotAFeedError("empty response where a feed was expected")
    if looks_like_html(stripped):
        raise NotAFeedError("got an HTML page, not a feed (maintenance or anti-bot page?)")
    guarded = _guard_xml(content)
    headers = {"content-location": url} if url else {}
    if charset:
        headers["content-type"] = f"application/xml; charset={_gb_to_gb18030(charset)}"
    parsed = feedparser.parse(guarded, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise NotAFeedError(f"not a feed ({type(reason).__name__ if reason else 'unrecognised format'})")
    if parsed.get("bozo"):
        logger.debug("feed %s is malformed but recovered: %s", url, parsed.get("bozo_exception"))
    items = tuple(i for i in (_feed_item(e, default_tz) for e in parsed.entries) if i is not None)
    feed = parsed.feed
    ttl = feed.get("ttl")
    try:
        ttl_seconds = float(ttl) * 60 if ttl else None
    except (TypeError, ValueError):
        ttl_seconds = None
    prev_archive, next_page = _archive_links(feed)
    return Listing(
        items=items,
        title=str(feed.get("title", "")),
        link=str(feed.get("link", "")),
        ttl_seconds=ttl_seconds,
        prev_archive=prev_archive,
        next_page=next_page,
    )
