"""财联社 cls.cn 深度 (``cls_depth``): the depth list, full text from the article page's ``__NEXT_DATA__``.

Feed ``url``: ``https://www.cls.cn/v3/depth/list/1000?app=CailianpressWeb&os=web&sv=8.4.6``
(1000 头条, 1003 股市, 1135 港股, 1007 环球, 1005 公司 …). Paged back by ``last_time``
(milliseconds; the last row's ``ctime`` × 1000), signed as the telegraph is.

The full text is at ``/detail/{id}`` on the listing URL's host (``fetch_url``): an HTML page whose
``script#__NEXT_DATA__`` JSON holds ``props.pageProps.articleDetail`` (older pages:
``props.initialState.detail.articleDetail``). The post's source stays the public
``https://www.cls.cn/detail/{id}``.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.errors import TemplateChangedError
from scraper.models import Extracted, FeedItem, Listing
from scraper.sanitize import clean_html, html_to_text
from scraper.sources.base import Source
from scraper.sources.cls import HEADERS, PUBLIC, base_params, check_errno, is_paid, signed_url
from scraper.sources.common import epoch, list_at, load_json, origin, require, text, text_html

WIRE = "cls.cn depth"


def request_url(url: str, cursor: str | None) -> str:
    params = base_params(url)
    if cursor is not None:
        params["last_time"] = cursor
    return signed_url(url, params)


def _item(row: dict[str, Any], listing_url: str) -> FeedItem | None:
    item_id = row.get("id")
    published = epoch(row.get("ctime"))
    if isinstance(item_id, bool) or not str(item_id or "").strip().isdigit() or published is None:
        return None
    brief = text(row.get("brief"))
    return FeedItem(
        url=PUBLIC.format(id=item_id),
        title=text(row.get("title")) or brief[:60],
        guid=f"cls:{item_id}",
        summary_html=text_html(brief) if brief else "",
        published=published,
        image=text(row.get("image")) or None,
        fetch_url=f"{origin(listing_url)}/detail/{item_id}",
    )


def parse_depth(content: bytes, url: str, zone: tzinfo) -> Listing:
    """``{"errno": 0, "data": [{id, title, brief, ctime, source, image}, …]}`` → items to fetch."""
    data = load_json(content, WIRE)
    check_errno(data)
    rows = list_at(data, ("data",), WIRE)
    dicts = [r for r in rows if isinstance(r, dict)]
    require(not rows or any("id" in r and "ctime" in r for r in dicts), WIRE, "data rows lack id/ctime")
    items = tuple(i for i in (_item(r, url) for r in dicts if not is_paid(r)) if i is not None)
    times = [t for t in (epoch(r.get("ctime")) for r in dicts) if t is not None]
    cursor = str(int(min(times).timestamp()) * 1000) if times else None
    return Listing(items=items, title="财联社深度", link="https://www.cls.cn/depth", next_cursor=cursor)


def _detail(next_data: Any) -> dict[str, Any] | None:
    for path in (("props", "pageProps", "articleDetail"), ("props", "initialState", "detail", "articleDetail")):
        node = next_data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node
    return None


def parse_article(content: bytes, url: str) -> Extracted:
    """The article from the page's ``__NEXT_DATA__``; TemplateChangedError when it is not there."""
    tree = LexborHTMLParser(content.decode("utf-8", errors="replace"))
    script = tree.css_first("script#__NEXT_DATA__")
    if script is None:
        raise TemplateChangedError(f"{WIRE}: {url}: no __NEXT_DATA__ script in the article page")
    try:
        detail = _detail(json.loads(script.text()))
    except json.JSONDecodeError as exc:
        raise TemplateChangedError(f"{WIRE}: {url}: __NEXT_DATA__ is not JSON") from exc
    if detail is None or not text(detail.get("content")):
        raise TemplateChangedError(f"{WIRE}: {url}: __NEXT_DATA__ has no articleDetail.content")
    public = PUBLIC.format(id=text(detail.get("id"))) if text(detail.get("id")).isdigit() else url
    body_html = clean_html(text_html(text(detail.get("content"))), public)
    author = detail.get("author")
    images = detail.get("images")
    return Extracted(
        title=text(detail.get("title")) or None,
        body_html=body_html,
        body_text=html_to_text(body_html),
        author=text(author.get("name")) if isinstance(author, dict) and text(author.get("name")) else None,
        source=text(detail.get("source")) or "财联社",
        published=epoch(detail.get("ctime")),
        image=images[0] if isinstance(images, list) and images and isinstance(images[0], str) else None,
        canonical_url=public,
        rules="cls_depth",
    )


SOURCES = (
    Source(
        kind="cls_depth",
        parse=parse_depth,
        request_url=request_url,
        can_page=True,
        parse_article=parse_article,
        headers=HEADERS,
        default_interval=900.0,
        history="paged back by last_time (ms), about 20 articles a page",
        reads="财联社 深度 list by category; full text from the article page's embedded JSON",
    ),
)
