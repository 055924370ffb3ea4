"""证券时报 快讯 (``kind = "stcn_kuaixun"``): the kx list, JSON when asked with X-Requested-With.

    url = "https://www.stcn.com/article/list.html?type=kx"

Answer: ``{"state": 1, "msg": "操作成功", "data": [{id, url "/article/detail/{id}.html", web_url,
title, source, time (ms), show_time (s), pageTime, isRed, content, tags: [[{name|title}…],
[{name|title, stock_code: "sh688727", code: "SH"}]]}], "page_time", "last_time"}``. ``state`` ≠ 1
is an error payload. Paging back: ``page_time``/``last_time`` from the answer (or, missing those,
the last row's ``pageTime``/``show_time``), passed as query parameters of the same names.
``isRed`` is the wire's importance mark. The row's detail page
(``https://www.stcn.com/article/detail/{id}.html``) is the item's link; the flash text is the body.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from urllib.parse import urljoin

from scraper.errors import SourceAPIError
from scraper.models import FeedItem, Listing
from scraper.sources.base import Source
from scraper.sources.common import codes as stock_codes
from scraper.sources.common import (
    epoch,
    load_json,
    local_time,
    need_dict,
    need_list,
    plain_text,
    require,
    with_params,
)
from scraper.sources.flash import flash_item

WHAT = "证券时报 快讯 (stcn_kuaixun)"
SITE = "https://www.stcn.com/"


def request_url(url: str, cursor: str | None) -> str:
    """The cursor is ``<page_time>|<last_time>``; the newest page omits both."""
    if not cursor:
        return url
    page_time, _, last_time = cursor.partition("|")
    return with_params(url, {"page_time": page_time, "last_time": last_time})


def parse(content: bytes, url: str, zone: tzinfo) -> Listing:
    data = need_dict(load_json(content, WHAT), WHAT, "answer is not a JSON object")
    require("state" in data, WHAT, "no 'state' field")
    if str(data.get("state")) != "1":
        raise SourceAPIError(f"{WHAT}: API error {data.get('state')}: {data.get('msg') or 'no message'}")
    rows = need_list(data.get("data"), WHAT, "'data' is not a list")
    parsed = [(item, row) for row in rows if (item := _item(row, url or SITE, zone)) is not None]
    require(bool(parsed) or not rows, WHAT, f"none of {len(rows)} rows has an id, a text and a time")
    cursor = None
    if parsed:
        last = parsed[-1][1]
        page_time = str(data.get("page_time") or last.get("pageTime") or "")
        last_time = str(data.get("last_time") or last.get("show_time") or "")
        cursor = f"{page_time}|{last_time}" if page_time or last_time else None
    return Listing(items=tuple(item for item, _ in parsed), next_cursor=cursor)


def _item(row: Any, base: str, zone: tzinfo) -> FeedItem | None:
    if not isinstance(row, dict) or not row.get("id"):
        return None
    text = plain_text(row.get("content")) or plain_text(row.get("title"))
    published = (
        epoch(row.get("time")) or epoch(row.get("show_time")) or local_time(row.get("time"), zone)
    )
    if not text or published is None:
        return None
    link = str(row.get("web_url") or row.get("url") or f"/article/detail/{row['id']}.html")
    return flash_item(
        url=urljoin(SITE if not base.startswith("http") else base, link),
        guid=str(row["id"]),
        text=text,
        title=plain_text(row.get("title")),
        published=published,
        important=str(row.get("isRed") or 0) not in ("0", "", "False", "false"),
        stocks=stock_codes(_stock_tags(row.get("tags"))),
        author=str(row.get("source") or "") or None,
    )


def _stock_tags(tags: Any) -> list[Any]:
    """``stock_code`` of every tag, in whichever group it sits."""
    found: list[Any] = []
    for group in tags if isinstance(tags, list) else []:
        for tag in group if isinstance(group, list) else [group]:
            if isinstance(tag, dict) and tag.get("stock_code"):
                found.append(tag["stock_code"])
    return found


SOURCES = (
    Source(
        kind="stcn_kuaixun",
        parse=parse,
        request_url=request_url,
        can_page=True,
        headers={"X-Requested-With": "XMLHttpRequest", "Referer": "https://www.stcn.com/kx/"},
        default_interval=180.0,
        history="paged back by page_time/last_time (unverified; reach not documented)",
        reads="证券时报网 快讯; stocks from tags; isRed → important; article pages read with the stcn rules",
    ),
)
