"""华尔街见闻 wallstreetcn: 快讯 (``wallstreetcn_live``) and articles (``wallstreetcn_news``).

Feed ``url``s:
``https://api-one.wallstcn.com/apiv1/content/lives?channel=global-channel&limit=100`` and
``https://api-one.wallstcn.com/apiv1/content/information-flow?channel=global-channel&accept=article&limit=25``.
Both answer ``{"code": 20000, "message": "OK", "data": {"items": [...], "next_cursor": …}}`` and page
back with ``cursor=<next_cursor>``.

Lives are flashes (``score`` ≥ 2 → important). Articles are read in full from
``/apiv1/content/articles/{id}?extract=0`` on the listing URL's host (``fetch_url``); the post's
source is ``https://wallstreetcn.com/articles/{id}``. Paid items (premium/member URIs, ``is_paid``,
``is_priced``, VIP flags, a ``product_id`` or ``membership_uri``) are skipped.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from scraper.errors import SourceAPIError
from scraper.models import Extracted, FeedItem, Listing
from scraper.sanitize import clean_html, html_to_text
from scraper.sources.base import Source
from scraper.sources.common import (
    arr,
    codes,
    dict_at,
    epoch,
    list_at,
    load_json,
    origin,
    query_params,
    require,
    strip_headline,
    text,
    text_html,
    with_query,
)
from scraper.sources.flash import flash_title

WIRE = "wallstreetcn"
OK = 20000
LIVE_URL = "https://wallstreetcn.com/livenews/{id}"
ARTICLE_URL = "https://wallstreetcn.com/articles/{id}"
_PAID_URI = re.compile(r"/(premium|member)/")
_PAID_FLAGS = ("is_paid", "is_priced", "is_in_vip_privilege", "is_trial", "is_need_pay", "is_vip")


def request_url(url: str, cursor: str | None) -> str:
    """The configured URL, with ``cursor=<next_cursor>`` for an older page."""
    if cursor is None:
        return url
    params = query_params(url)
    params["cursor"] = cursor
    return with_query(url, params)


def is_paid(entry: dict[str, Any]) -> bool:
    if _PAID_URI.search(text(entry.get("uri"))):
        return True
    if any(entry.get(flag) is True for flag in _PAID_FLAGS):
        return True
    return entry.get("product_id") not in (None, "", 0) or bool(text(entry.get("membership_uri")))


def payload(content: bytes) -> dict[str, Any]:
    """The ``data`` object; SourceAPIError for a code other than 20000."""
    data = load_json(content, WIRE)
    require(isinstance(data, dict) and "code" in data, WIRE, "no code in the response")
    if data.get("code") not in (OK, str(OK)):
        message = text(data.get("message")) or "no message"
        raise SourceAPIError(f"{WIRE} API error {data.get('code')}: {message}")
    return dict_at(data, ("data",), WIRE)


def _cursor(data: dict[str, Any], has_items: bool) -> str | None:
    cursor = text(data.get("next_cursor"))
    return cursor if has_items and cursor and cursor != "0" else None


def _symbols(entry: dict[str, Any]) -> tuple[str, ...]:
    raw = arr(entry.get("symbols"))
    values = [s if isinstance(s, str) else next((s.get(k) for k in ("key", "symbol", "code") if isinstance(s, dict)
                                                 and isinstance(s.get(k), str)), None) for s in raw]
    return codes(v for v in values if v)


def _image(entry: dict[str, Any]) -> str | None:
    uris = entry.get("image_uris")
    if isinstance(uris, list) and uris and isinstance(uris[0], str):
        return uris[0]
    images = entry.get("images")
    if isinstance(images, list) and images and isinstance(images[0], dict):
        return text(images[0].get("uri")) or None
    image = entry.get("image")
    return text(image.get("uri")) or None if isinstance(image, dict) else None


def _author(entry: dict[str, Any]) -> str | None:
    author = entry.get("author")
    return text(author.get("display_name")) or None if isinstance(author, dict) else None


def live_item(entry: dict[str, Any]) -> FeedItem | None:
    item_id, published = text(entry.get("id")), epoch(entry.get("display_time"))
    body = text(entry.get("content")) or text_html(text(entry.get("content_text")))
    more = text(entry.get("content_more"))
    if not item_id or published is None or not (body or more):
        return None
    score = entry.get("score")
    title = text(entry.get("title")) or flash_title(text(entry.get("content_text")) or body)
    uri = text(entry.get("uri"))
    return FeedItem(
        url=uri if uri.startswith("http") else LIVE_URL.format(id=item_id),
        title=title,
        guid=f"wallstreetcn:live:{item_id}",
        content_html=strip_headline(body) + more,
        published=published,
        author=_author(entry),
        image=_image(entry),
        important=isinstance(score, int) and not isinstance(score, bool) and score >= 2,
        stocks=_symbols(entry),
        flash=True,
    )


def parse_lives(content: bytes, url: str, zone: tzinfo) -> Listing:
    data = payload(content)
    rows = list_at(data, ("items",), WIRE)
    dicts = [r for r in rows if isinstance(r, dict)]
    require(not rows or any("id" in r and "display_time" in r for r in dicts), WIRE,
            "live items lack id/display_time")
    items = tuple(i for i in (live_item(r) for r in dicts if not is_paid(r)) if i is not None)
    return Listing(items=items, title="华尔街见闻 7x24", link="https://wallstreetcn.com/live",
                   next_cursor=_cursor(data, bool(rows)))


def news_item(resource: dict[str, Any], listing_url: str) -> FeedItem | None:
    item_id, published = text(resource.get("id")), epoch(resource.get("display_time"))
    if not item_id.isdigit() or published is None:
        return None
    summary = text(resource.get("content_short")) or text(resource.get("content_text"))
    return FeedItem(
        url=ARTICLE_URL.format(id=item_id),
        title=text(resource.get("title")) or flash_title(summary),
        guid=f"wallstreetcn:article:{item_id}",
        summary_html=text_html(summary) if summary else "",
        published=published,
        author=_author(resource) or text(resource.get("source_name")) or None,
        image=_image(resource),
        stocks=_symbols(resource),
        fetch_url=f"{origin(listing_url)}/apiv1/content/articles/{item_id}?extract=0",
    )


def parse_news(content: bytes, url: str, zone: tzinfo) -> Listing:
    data = payload(content)
    rows = list_at(data, ("items",), WIRE)
    dicts = [r for r in rows if isinstance(r, dict)]
    require(not rows or any(isinstance(r.get("resource"), dict) for r in dicts), WIRE,
            "information-flow items lack resource")
    articles = [r["resource"] for r in dicts
                if text(r.get("resource_type")) == "article" and isinstance(r.get("resource"), dict)]
    items = tuple(i for i in (news_item(a, url) for a in articles if not is_paid(a)) if i is not None)
    return Listing(items=items, title="华尔街见闻", link="https://wallstreetcn.com/news/global",
                   next_cursor=_cursor(data, bool(rows)))


def parse_article(content: bytes, url: str) -> Extracted:
    """``/apiv1/content/articles/{id}``: SourceAPIError for a deleted one (60301), paid or empty ones."""
    data = payload(content)
    item_id = text(data.get("id"))
    public = ARTICLE_URL.format(id=item_id) if item_id.isdigit() else url
    if is_paid(data):
        raise SourceAPIError(f"{WIRE}: {public} is a paid article; skipped")
    raw = text(data.get("content")) + text(data.get("content_more"))
    if not raw:
        raw = text_html(text(data.get("content_text")))
    require(bool(raw), WIRE, f"article {item_id or url} has no content")
    body_html = clean_html(raw, public)
    return Extracted(
        title=text(data.get("title")) or None,
        body_html=body_html,
        body_text=html_to_text(body_html),
        author=_author(data),
        source=text(data.get("source_name")) or None,
        published=epoch(data.get("display_time")),
        image=_image(data),
        canonical_url=public,
        rules="wallstreetcn",
    )


SOURCES = (
    Source(
        kind="wallstreetcn_live",
        parse=parse_lives,
        request_url=request_url,
        can_page=True,
        default_interval=60.0,
        history="paged back by next_cursor, up to 100 items a page",
        reads="华尔街见闻 7×24 快讯 by channel; score ≥ 2 → important",
    ),
    Source(
        kind="wallstreetcn_news",
        parse=parse_news,
        request_url=request_url,
        can_page=True,
        parse_article=parse_article,
        default_interval=600.0,
        history="paged back by next_cursor, 25 articles a page",
        reads="华尔街见闻 articles by channel, full text from the articles API; paid ones skipped",
    ),
)
