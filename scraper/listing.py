"""Parse listings: RSS/Atom/RDF (feedparser), JSON Feed, and Sina's roll JSON API.

Pure functions: bytes in, ``Listing`` out. Raises ``NotAFeedError`` for documents that are not
feeds at all (an HTML maintenance or anti-bot page) and ``ParseError`` for feeds we refuse
(entity declarations: an XML bomb or an external-entity probe) or cannot read. No other error
escapes: whatever a hostile document makes a library raise (RecursionError on deep nesting,
UnicodeDecodeError, OverflowError on dates) is translated to ``ParseError``.

Hostile input: every pattern here is linear in the input (no nested quantifiers); dates outside
the believable range (scraper.dates) become None with the item's ``date_invalid`` mark; item links,
images and paging links are kept only when they are absolute http(s) URLs (scraper.urls).
"""

from __future__ import annotations

import calendar
import functools
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import feedparser

from scraper.dates import checked, from_epoch
from scraper.errors import NotAFeedError, ParseError, ScraperError
from scraper.models import FeedItem, Listing
from scraper.urls import web_url

logger = logging.getLogger(__name__)

_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<\w")
_WHITESPACE_RUN = re.compile(rb"\s{2,}")
_HTML_TAG = re.compile(rb"<!doctype\s+html|<html|<head|<body|<script|<meta|<title", re.IGNORECASE)
_JSONP_HEAD = re.compile(r"\s*[\w$.]{0,200}\s*\(")
_SPACES = re.compile(r"\s+")
_P = ParamSpec("_P")
_R = TypeVar("_R")
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


def _translated(parse: Callable[_P, _R]) -> Callable[_P, _R]:
    """Only ScraperError leaves a parser: any foreign error a hostile document provokes becomes ParseError."""

    @functools.wraps(parse)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return parse(*args, **kwargs)
        except ScraperError:
            raise
        except RecursionError as exc:
            raise ParseError("document nested too deeply to parse") from exc
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
                LookupError, UnicodeError, AssertionError) as exc:
            logger.debug("%s failed on a hostile document", parse.__name__, exc_info=True)
            raise ParseError(f"unreadable document ({type(exc).__name__}: {str(exc)[:120]})") from exc

    return wrapper


def _looks_like_html(content: bytes) -> bool:
    """An HTML page, possibly after comments? Linear: comments are skipped with ``find``, not a regex
    (``(<!--.*?-->\\s*)*`` backtracked exponentially on a run of ``<!---->``)."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    while head.startswith(b"<!--"):
        end = head.find(b"-->", 4)
        if end < 0:
            return False
        head = head[end + 3:].lstrip()
    return bool(_HTML_TAG.match(head))


def _title(value: Any) -> str:
    return _SPACES.sub(" ", value if isinstance(value, str) else str(value or "")).strip()


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
        title=_title(entry.get("title")),
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


@_translated
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
        title=str(feed.get("title", "")),
        link=str(feed.get("link", "")),
        ttl_seconds=ttl_seconds,
        prev_archive=prev_archive,
        next_page=next_page,
    )


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise ParseError("JSON nested too deeply to parse") from exc


def _jsonp_body(text: str) -> str | None:
    """``callback( ... );`` → the inside, or None. Linear (the old single regex backtracked)."""
    head = _JSONP_HEAD.match(text)
    if head is None:
        return None
    rest = text[head.end():].rstrip()
    rest = rest[:-1].rstrip() if rest.endswith(";") else rest
    if not rest.endswith(")"):
        return None
    return rest[:-1]


def _load_json(content: bytes) -> Any:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030", errors="strict")
        except UnicodeDecodeError as exc:
            raise NotAFeedError(f"listing is neither UTF-8 nor GB18030 text (bad byte at {exc.start})") from exc
    try:
        return _loads(text)
    except ValueError:  # JSONDecodeError, or an integer past Python's digit limit
        body = _jsonp_body(text)
        if body is not None:
            try:
                return _loads(body)
            except json.JSONDecodeError as exc:
                raise NotAFeedError(f"invalid JSONP: {exc.msg} at char {exc.pos}") from exc
            except ValueError as exc:
                raise NotAFeedError(f"invalid JSONP: {exc}") from exc
        if _looks_like_html(content):
            raise NotAFeedError("got an HTML page, not JSON (maintenance or anti-bot page?)") from None
        raise NotAFeedError("response is neither JSON nor JSONP") from None


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


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


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
        title=_title(_text(entry.get("title"))),
        guid=str(guid) if isinstance(guid, (str, int)) and not isinstance(guid, bool) else None,
        summary_html=_text(entry.get("summary")),
        content_html=_text(entry.get("content_html")) or _text(entry.get("content_text")),
        published=published,
        updated=updated,
        author=_json_author(entry),
        image=web_url(entry.get("image"), url) or web_url(entry.get("banner_image"), url),
        date_invalid=bad_published or bad_updated,
    )


@_translated
def parse_json_feed(content: bytes, url: str = "") -> Listing:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    data = _load_json(content)
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise NotAFeedError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    entries = data.get("items")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ParseError(f"JSON Feed 'items' is a {type(entries).__name__}, not a list")
    items = tuple(i for i in (_json_item(e, url) for e in entries) if i is not None)
    return Listing(items=items, title=_title(_text(data.get("title"))), link=_text(data.get("home_page_url")),
                   next_page=web_url(data.get("next_url"), url))


def _epoch(value: Any) -> tuple[datetime | None, bool]:
    try:
        seconds = int(str(value).strip()[:32])
    except (TypeError, ValueError):
        return None, False
    if seconds <= 0:
        return None, False
    moment = from_epoch(seconds)
    if moment is None:
        return None, True
    return checked(moment, value)


@_translated
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
    items = [item for item in (_sina_item(row, url) for row in rows) if item is not None]
    total = result.get("total")
    try:
        total_int = int(total) if total is not None else None
    except (TypeError, ValueError):
        total_int = None
    return Listing(items=tuple(items), total=total_int)


def _sina_item(row: Any, base: str) -> FeedItem | None:
    if not isinstance(row, dict) or not row.get("url"):
        return None
    url = web_url(str(row["url"]), base)
    if url is None:
        logger.warning("Sina roll row url %.80r is not an http(s) URL; row dropped", row["url"])
        return None
    intime, bad_intime = _epoch(row.get("intime"))
    ctime, bad_ctime = _epoch(row.get("ctime"))
    published = intime or ctime
    updated, bad_updated = _epoch(row.get("mtime"))
    image = None
    images = row.get("images") or row.get("img")
    if isinstance(images, list) and images and isinstance(images[0], dict):
        image = images[0].get("u") or images[0].get("url")
    elif isinstance(images, dict):
        image = images.get("u") or images.get("url")
    return FeedItem(
        url=url,
        title=_title(row.get("title")),
        guid=str(row["docid"]) if row.get("docid") else None,
        summary_html=str(row.get("intro") or row.get("summary") or ""),
        published=published,
        updated=updated if updated and published and updated > published else None,
        author=str(row.get("media_name") or row.get("author") or "") or None,
        image=web_url(image, url),
        date_invalid=(published is None and (bad_intime or bad_ctime)) or bad_updated,
    )


@_translated
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
