"""金十数据 jin10 快讯 (``jin10_flash``).

Feed ``url``: ``https://flash-api.jin10.com/get_flash_list?channel=-8200&vip=1`` (the API wants the
``x-app-id``/``x-version`` headers, sent from ``headers``). The answer is
``{"status": 200, "message": "", "data": [row, …]}``; a row is
``{id, time: "YYYY-MM-DD HH:mm:ss" (UTC+8), type, important, data: {content, title, vip_title, link, pic, lock}}``.

Economic-calendar rows (``type`` 1: figures, no text) and locked VIP rows (``data.lock``, or a VIP
title without content) are skipped. Paged back by ``max_time`` = the last row's time.
"""

from __future__ import annotations

import html
import re
from datetime import tzinfo
from typing import Any

from scraper.errors import SourceAPIError
from scraper.models import FeedItem, Listing
from scraper.sources.base import Source
from scraper.sources.common import (
    list_at,
    load_json,
    local_time,
    obj,
    query_params,
    require,
    strip_headline,
    text,
    text_html,
    with_query,
)
from scraper.sources.flash import flash_title

WIRE = "jin10"
PUBLIC = "https://flash.jin10.com/detail/{id}"
HEADERS = {
    "x-app-id": "bVBF4FyRTn5NJF5n",
    "x-version": "1.0.0",
    "Referer": "https://www.jin10.com/",
    "Origin": "https://www.jin10.com",
}
CALENDAR = 1
_TAG = re.compile(r"<[^>]+>")


def request_url(url: str, cursor: str | None) -> str:
    if cursor is None:
        return url
    params = query_params(url)
    params["max_time"] = cursor
    return with_query(url, params)


def is_skipped(row: dict[str, Any]) -> bool:
    """Economic-calendar rows and locked VIP rows."""
    if row.get("type") in (CALENDAR, str(CALENDAR)):
        return True
    data = obj(row.get("data"))
    if data.get("lock") not in (None, False, 0, "0", ""):
        return True
    return not text(data.get("content")) and bool(text(data.get("vip_title")) or data.get("vip_level"))


def flash_item(row: dict[str, Any], zone: tzinfo) -> FeedItem | None:
    data = obj(row.get("data"))
    item_id, published = text(row.get("id")), local_time(row.get("time"), zone)
    content = text(data.get("content"))
    if not item_id or published is None or not (content or text(data.get("title"))):
        return None
    title = flash_title(content) if _TAG.sub("", content).lstrip().startswith("【") else ""
    title = title or text(data.get("title")) or text(data.get("vip_title")) or flash_title(content)
    body = text_html(strip_headline(content) if content else text(data.get("title")))
    pic = text(data.get("pic"))
    if pic:
        body += f'<p><img src="{html.escape(pic)}"></p>'
    link = text(data.get("link"))
    return FeedItem(
        url=link if link.startswith("http") else PUBLIC.format(id=item_id),
        title=title,
        guid=f"jin10:{item_id}",
        content_html=body,
        published=published,
        image=pic or None,
        important=str(row.get("important")) == "1",
        flash=True,
    )


def parse_flash(content: bytes, url: str, zone: tzinfo) -> Listing:
    payload = load_json(content, WIRE)
    require(isinstance(payload, dict), WIRE, "top level is not an object")
    status = payload.get("status")
    if status not in (None, 200, "200"):
        raise SourceAPIError(f"{WIRE} API error {status}: {text(payload.get('message')) or 'no message'}")
    rows = list_at(payload, ("data",), WIRE)
    dicts = [r for r in rows if isinstance(r, dict)]
    require(not rows or any("time" in r and "data" in r for r in dicts), WIRE, "rows lack time/data")
    items = tuple(i for i in (flash_item(r, zone) for r in dicts if not is_skipped(r)) if i is not None)
    times = [text(r.get("time")) for r in dicts if local_time(r.get("time"), zone)]
    return Listing(items=items, title="金十数据", link="https://www.jin10.com/",
                   next_cursor=min(times) if times else None)


SOURCES = (
    Source(
        kind="jin10_flash",
        parse=parse_flash,
        request_url=request_url,
        can_page=True,
        headers=HEADERS,
        default_interval=60.0,
        history="paged back by max_time (the last row's time), about 20 rows a page",
        reads="金十 快讯; economic-calendar and locked VIP rows skipped; important flag kept",
    ),
)
