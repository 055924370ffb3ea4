"""Any RSSHub route (``rsshub``): ``url`` is the full route URL, e.g. ``http://localhost:1200/cls/telegraph``.

We ask for RSSHub's JSON Feed (``?format=json``) and read whatever comes back: JSON Feed, or
RSS/Atom from an instance or route that ignores the format. Most finance routes carry the whole
text in the item. RSSHub cuts long titles to a byte budget and appends "..."; the full title is
recovered from the body's leading 【…】 or its first sentence when either starts with the cut title.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import tzinfo

from scraper.listing import parse_feed
from scraper.models import FeedItem, Listing
from scraper.sanitize import html_to_text
from scraper.sources.base import Source
from scraper.sources.common import query_params, with_query
from scraper.sources.flash import flash_title

_CUT = re.compile(r"\s*(\.\.\.|…)\s*$")
_HEADLINE = re.compile(r"^\s*【([^【】]{2,200})】")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
MAX_RECOVERED = 200  # characters; a "sentence" longer than this is not a title


def request_url(url: str, cursor: str | None) -> str:
    """The route URL with ``format=json`` unless the user chose a format."""
    params = query_params(url)
    if "format" in params:
        return url
    params["format"] = "json"
    return with_query(url, params)


def full_title(title: str, body_html: str) -> str:
    """The title, with an RSSHub "..." cut replaced by the body's headline or first sentence."""
    cut = _CUT.search(title)
    if not cut and title:
        return title
    plain = html_to_text(body_html) if "<" in body_html else body_html.strip()
    if not title:
        return flash_title(plain)
    prefix = title[: cut.start()].strip() if cut else title
    candidates = []
    if match := _HEADLINE.match(plain):
        candidates.append(match.group(1).strip())
    end = _SENTENCE_END.search(plain)
    candidates.append((plain[: end.start()] if end else plain).strip())
    for candidate in candidates:
        if len(candidate) > len(prefix) and candidate.startswith(prefix) and len(candidate) <= MAX_RECOVERED:
            return candidate
    return title


def _fixed(item: FeedItem) -> FeedItem:
    body = item.content_html or item.summary_html
    title = full_title(item.title, body)
    return item if title == item.title else replace(item, title=title)


def parse(content: bytes, url: str, zone: tzinfo) -> Listing:
    """JSON Feed or RSS/Atom (NotAFeedError for an HTML error page); titles made whole."""
    listing = parse_feed(content, url, default_tz=zone)
    return replace(listing, items=tuple(_fixed(i) for i in listing.items))


SOURCES = (
    Source(
        kind="rsshub",
        parse=parse,
        request_url=request_url,
        default_interval=600.0,
        zone="Asia/Shanghai",
        history="what the route lists (no paging)",
        reads="any RSSHub route (JSON Feed, else RSS/Atom); cut titles made whole from the body",
    ),
)
