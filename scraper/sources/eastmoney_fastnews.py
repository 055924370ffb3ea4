"""东方财富 7×24 快讯 (``kind = "eastmoney_fastnews"``): getFastNewsList, paged back with ``sortEnd``.

    url = "https://np-weblist.eastmoney.com/comm/web/getFastNewsList?client=web&biz=web_724&fastColumn=102&sortEnd=&pageSize=50&req_trace="

Answer: ``{"code": "1", "message": "success", "data": {"fastNewsList": [{code, title, summary,
showTime "YYYY-MM-DD HH:MM:SS" (Beijing time), realSort, stockList: ["1.601068"], image: [...],
titleColor}]}}``. Any other ``code`` is an error payload. The next-older page is
``sortEnd=<realSort of the last row>``. ``req_trace`` is reportedly required (403 without it): an
empty one is filled with a trace id derived from the request (pure: no clock, no randomness).
A red title (``titleColor`` ≠ 0) is the wire's importance mark. Link:
``https://finance.eastmoney.com/a/{code}.html``.
"""

from __future__ import annotations

import hashlib
from datetime import tzinfo
from typing import Any

from scraper.errors import SourceAPIError
from scraper.models import FeedItem, Listing
from scraper.sources.base import Source
from scraper.sources.common import codes as stock_codes
from scraper.sources.common import (
    get_dict,
    get_list,
    load_json,
    local_time,
    need_dict,
    need_list,
    plain_text,
    query_param,
    require,
    with_params,
)
from scraper.sources.flash import flash_item

WHAT = "东方财富 快讯 (eastmoney_fastnews)"
ITEM_URL = "https://finance.eastmoney.com/a/{code}.html"


def request_url(url: str, cursor: str | None) -> str:
    """``sortEnd`` = the cursor ('' for the newest page); an empty ``req_trace`` gets a trace id."""
    params = {"sortEnd": cursor or ""}
    if not query_param(url, "req_trace"):
        params["req_trace"] = hashlib.sha1(f"{url}|{cursor}".encode()).hexdigest()[:32]
    return with_params(url, params)


def parse(content: bytes, url: str, zone: tzinfo) -> Listing:
    data = need_dict(load_json(content, WHAT), WHAT, "answer is not a JSON object")
    require("code" in data, WHAT, "no 'code' field")
    if str(data.get("code")) != "1":
        raise SourceAPIError(f"{WHAT}: API error {data.get('code')}: {data.get('message') or 'no message'}")
    rows = need_list(get_dict(data, "data").get("fastNewsList"), WHAT, "no data.fastNewsList")
    parsed = [(item, row) for row in rows if (item := _item(row, zone)) is not None]
    require(bool(parsed) or not rows, WHAT, f"none of {len(rows)} rows has a code, a text and a time")
    cursor = str(parsed[-1][1].get("realSort") or "") if parsed else ""
    return Listing(items=tuple(item for item, _ in parsed), next_cursor=cursor or None)


def _item(row: Any, zone: tzinfo) -> FeedItem | None:
    if not isinstance(row, dict) or not row.get("code"):
        return None
    title = plain_text(row.get("title"))
    text = plain_text(row.get("summary")) or title
    published = local_time(row.get("showTime"), zone)
    if not text or published is None:
        return None
    images = get_list(row, "image")
    return flash_item(
        url=ITEM_URL.format(code=row["code"]),
        guid=str(row["code"]),
        text=text,
        title=title,
        published=published,
        important=str(row.get("titleColor") or 0) not in ("0", ""),
        stocks=stock_codes(get_list(row, "stockList")),
        image=next((str(i) for i in images if isinstance(i, str) and i.startswith("http")), None),
    )


SOURCES = (
    Source(
        kind="eastmoney_fastnews",
        parse=parse,
        request_url=request_url,
        can_page=True,
        headers={"Referer": "https://kuaixun.eastmoney.com/"},
        default_interval=120.0,
        history="paged back by sortEnd (the last row's realSort), pageSize rows a page (reach not documented)",
        reads="东方财富 7×24 快讯 (fastColumn 102); stocks from stockList; red title → important",
    ),
)
