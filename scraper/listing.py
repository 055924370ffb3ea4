"""Parse listings: RSS/Atom/RDF (feedparser), JSON Feed, and Sina's roll JSON API.

Pure functions: bytes in, ``Listing`` out. Raises ``NotAFeedError`` for documents that are not
feeds at all (an HTML maintenance or anti-bot page) and ``ParseError`` for feeds we refuse
(entity declarations: an XML bomb or an external-entity probe) or cannot read.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import feedparser

from scraper.errors import NotAFeedError, ParseError
from scraper.models import FeedItem, Listing

logger = logging.getLogger(__name__)

_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body|<script|<meta|<title)",
                         re.IGNORECASE | re.DOTALL)
_JSONP = re.compile(r"^\s*[\w$.]*\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.DOTALL)
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
    return content


def _looks_like_html(content: bytes) -> bool:
    head = content[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head))


_ZONE_HINT = re.compile(r"([+-]\d{2}:?\d{2}|Z|GMT|UTC|UT|\b[A-Z]{1,4}T)\s*$")


def _to_datetime(value: Any, raw: str | None = None, default_tz: tzinfo | None = None) -> datetime | None:
    """feedparser's UTC struct_time → aware datetime.

    A date written without a zone (``2005-12-31 10:24:36``) is read in the feed's own zone
    (``default_tz``), never silently as UTC.
    """
    if value is None:
        return None
    try:
        parsed = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    if default_tz is not None and raw and not _ZONE_HINT.search(raw.strip()):
        parsed = parsed.replace(tzinfo=default_tz).astimezone(UTC)
    return parsed


def _entry_image(entry: Any) -> str | None:
    for key in ("media_thumbnail", "media_content"):
        for media in entry.get(key) or []:
            url = media.get("url")
            medium = media.get("medium") or media.get("type", "")
            if url and (key == "media_thumbnail" or "image" in medium or medium == ""):
                return str(url)
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href"))
    image = entry.get("image")
    if isinstance(image, dict) and image.get("href"):
        return str(image["href"])
    return None


def _entry_content(entry: Any) -> str:
    best = ""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if len(value) > len(best):
            best = value
    return best


def _feed_item(entry: Any, default_tz: tzinfo | None = None) -> FeedItem | None:
    url = entry.get("link") or ""
    guid = entry.get("id") or None
    if not url and guid and re.match(r"^https?://", guid):
        url = guid
    if not url:
        return None
    title = re.sub(r"\s+", " ", entry.get("title") or "").strip()
    author = entry.get("author") or None
    return FeedItem(
        url=url,
        title=title,
        guid=guid,
        summary_html=entry.get("summary") or "",
        content_html=_entry_content(entry),
        published=_to_datetime(entry.get("published_parsed") or entry.get("created_parsed"),
                               entry.get("published") or entry.get("created"), default_tz),
        # dict.get: FeedParserDict maps a missing updated_* to published_* (with a DeprecationWarning)
        updated=_to_datetime(dict.get(entry, "updated_parsed"), dict.get(entry, "updated"), default_tz),
        author=author,
        image=_entry_image(entry),
    )


def _archive_links(feed: Any) -> tuple[str | None, str | None]:
    prev_archive = next_page = None
    for link in feed.get("links") or []:
        rel = link.get("rel")
        if rel == "prev-archive":
            prev_archive = link.get("href")
        elif rel == "next":
            next_page = link.get("href")
    return prev_archive, next_page


def parse_feed(
    content: bytes, url: str = "", *, charset: str | None = None, default_tz: tzinfo | None = None
) -> Listing:
    """Parse an RSS/Atom/RDF or JSON Feed document.

    ``default_tz`` is the zone for dates the feed writes without one (UTC when None).
    """
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return parse_json_feed(content)
    if not stripped:
        raise NotAFeedError("empty response where a feed was expected")
    if _looks_like_html(stripped):
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
        title=feed.get("title", ""),
        link=feed.get("link", ""),
        ttl_seconds=ttl_seconds,
        prev_archive=prev_archive,
        next_page=next_page,
    )


def _load_json(content: bytes) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="strict")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        match = _JSONP.match(text)
        if match:
            try:
                return json.loads(match.group(1))
            except json.JSONDecodeError as exc:
                raise NotAFeedError(f"invalid JSONP: {exc.msg} at char {exc.pos}") from exc
        if _looks_like_html(content):
            raise NotAFeedError("got an HTML page, not JSON (maintenance or anti-bot page?)") from None
        raise NotAFeedError("response is neither JSON nor JSONP") from None


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def parse_json_feed(content: bytes) -> Listing:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    data = _load_json(content)
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise NotAFeedError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = []
    for entry in data.get("items") or []:
        if not isinstance(entry, dict):
            continue
        url = entry.get("url") or entry.get("external_url") or ""
        if not url:
            continue
        authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
        items.append(FeedItem(
            url=str(url),
            title=re.sub(r"\s+", " ", str(entry.get("title") or "")).strip(),
            guid=str(entry["id"]) if entry.get("id") is not None else None,
            summary_html=str(entry.get("summary") or ""),
            content_html=str(entry.get("content_html") or entry.get("content_text") or ""),
            published=_iso(entry.get("date_published")),
            updated=_iso(entry.get("date_modified")),
            author=str(authors[0].get("name")) if authors and isinstance(authors[0], dict) else None,
            image=entry.get("image") or entry.get("banner_image"),
        ))
    return Listing(items=tuple(items), title=str(data.get("title") or ""), link=str(data.get("home_page_url") or ""),
                   next_page=data.get("next_url"))


def _epoch(value: Any) -> datetime | None:
    try:
        seconds = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def parse_sina_roll(content: bytes, url: str = "") -> Listing:
    """Sina's roll API: ``{"result": {"status": {"code": 0}, "total": N, "data": [...]}}``, JSON or JSONP."""
    data = _load_json(content)
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        raise NotAFeedError("Sina roll response has no 'result' object")
    status = result.get("status") or {}
    if isinstance(status, dict) and status.get("code") not in (None, 0, "0"):
        raise ParseError(f"Sina roll API error {status.get('code')}: {status.get('msg') or 'no message'}")
    rows = result.get("data")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise NotAFeedError("Sina roll response: result.data is not a list")
    items = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("url"):
            continue
        published = _epoch(row.get("intime")) or _epoch(row.get("ctime"))
        updated = _epoch(row.get("mtime"))
        image = None
        images = row.get("images") or row.get("img")
        if isinstance(images, list) and images and isinstance(images[0], dict):
            image = images[0].get("u") or images[0].get("url")
        elif isinstance(images, dict):
            image = images.get("u") or images.get("url")
        items.append(FeedItem(
            url=str(row["url"]).strip(),
            title=re.sub(r"\s+", " ", str(row.get("title") or "")).strip(),
            guid=str(row["docid"]) if row.get("docid") else None,
            summary_html=str(row.get("intro") or row.get("summary") or ""),
            published=published,
            updated=updated if updated and published and updated > published else None,
            author=str(row.get("media_name") or row.get("author") or "") or None,
            image=str(image) if image else None,
        ))
    total = result.get("total")
    try:
        total_int = int(total) if total is not None else None
    except (TypeError, ValueError):
        total_int = None
    return Listing(items=tuple(items), total=total_int)


def parse_listing(
    kind: str, content: bytes, url: str = "", *, charset: str | None = None, default_tz: tzinfo | None = None
) -> Listing:
    """Dispatch on the feed's configured kind; wire kinds go to their ``scraper.sources`` parser.

    For a wire, ``default_tz`` None means the wire's own zone (``Source.zone``).
    """
    if kind == "sina_roll":
        return parse_sina_roll(content, url)
    if kind == "feed":
        return parse_feed(content, url, charset=charset, default_tz=default_tz)
    from scraper.sources import get_source, source_kinds  # sources import this module

    if kind in source_kinds():
        source = get_source(kind)
        return source.parse(content, url, default_tz or ZoneInfo(source.zone))
    raise ParseError(f"unknown feed kind {kind!r}")
