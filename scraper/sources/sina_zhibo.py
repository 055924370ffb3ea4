"""新浪财经 7×24 (``kind = "sina_zhibo"``): the zhibo feed API, paged back with ``page=N``.

    url = "https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&dire=f&dpc=1&pagesize=20&page=1"

Answer: ``{"result": {"status": {"code": 0, "msg": ""}, "data": {"feed": {"list": [...],
"page_info": {"totalPage": N, "page": P}}}}}``; each row ``{id, rich_text (HTML), create_time
"YYYY-MM-DD HH:MM:SS" (Beijing time), tag: [{id, name}], ext: a JSON *string* with
{"stocks": [{"market", "symbol": "sh600519", "key": "贵州茅台"}], "docurl", "docid"}}``.
A row tagged 焦点/重要 is marked important. Each row links to its own 7×24 page
``https://wap.cj.sina.cn/pc/7x24/{id}`` (the related article in ``docurl`` is not this text).
"""

from __future__ import annotations

import json
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
    page_number,
    plain_text,
    require,
    with_params,
)
from scraper.sources.flash import flash_item

WHAT = "新浪 7×24 (sina_zhibo)"
ITEM_URL = "https://wap.cj.sina.cn/pc/7x24/{id}"
IMPORTANT_TAGS = frozenset({"焦点", "重要", "突发"})


def request_url(url: str, cursor: str | None) -> str:
    """The newest page is the configured URL; an older one is the same URL with ``page=<cursor>``."""
    return url if cursor is None else with_params(url, {"page": cursor})


def parse(content: bytes, url: str, zone: tzinfo) -> Listing:
    data = load_json(content, WHAT)
    result = need_dict(data.get("result") if isinstance(data, dict) else None, WHAT, "no 'result' object")
    status = result.get("status")
    if isinstance(status, dict) and str(status.get("code", 0)) not in ("0", ""):
        raise SourceAPIError(f"{WHAT}: API error {status.get('code')}: {status.get('msg') or 'no message'}")
    feed = get_dict(result.get("data"), "feed")
    rows = need_list(feed.get("list"), WHAT, "no result.data.feed.list")
    items = [item for row in rows if (item := _item(row, zone)) is not None]
    require(bool(items) or not rows, WHAT, f"none of {len(rows)} rows has an id, a text and a time")
    page = page_number(url)
    total = get_dict(feed, "page_info").get("totalPage")
    last = isinstance(total, int) and page >= total
    return Listing(items=tuple(items), next_cursor=str(page + 1) if items and not last else None)


def _item(row: Any, zone: tzinfo) -> FeedItem | None:
    if not isinstance(row, dict) or not row.get("id"):
        return None
    text = plain_text(row.get("rich_text"))
    published = local_time(row.get("create_time"), zone)
    if not text or published is None:
        return None
    names = {str(tag.get("name") or "") for tag in get_list(row, "tag") if isinstance(tag, dict)}
    symbols = [_symbol(s) for s in get_list(_ext(row.get("ext")), "stocks") if isinstance(s, dict)]
    return flash_item(
        url=ITEM_URL.format(id=row["id"]),
        guid=str(row["id"]),
        text=text,
        published=published,
        important=bool(names & IMPORTANT_TAGS),
        stocks=stock_codes(symbols),
        author=str(row.get("creator") or "") or None,
    )


def _ext(raw: Any) -> dict[str, Any]:
    """``ext`` is a JSON string (sometimes already an object, sometimes empty or broken)."""
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


SOURCES = (
    Source(
        kind="sina_zhibo",
        parse=parse,
        request_url=request_url,
        can_page=True,
        headers={"Referer": "https://finance.sina.com.cn/7x24/"},
        default_interval=120.0,
        history="paged back by page=N, pagesize rows a page (reach not documented)",
        reads="新浪财经 7×24 直播 by zhibo_id; stocks from ext; 焦点/重要 tags → important",
    ),
)


def _symbol(stock: dict[str, Any]) -> str:
    """A stock of ``ext.stocks`` as a code normalize_code reads: the symbol (``sh600519``), with its
    market when the symbol alone does not say it (``{"market": "us", "symbol": "nvda"}`` → gb_nvda,
    ``{"market": "hk", "symbol": "00700"}`` → hk00700)."""
    symbol, market = str(stock.get("symbol") or ""), str(stock.get("market") or "").lower()
    if market == "us" and symbol.isascii() and symbol.isalpha():
        return f"gb_{symbol}"
    if market == "hk" and symbol.isdigit():
        return f"hk{symbol}"
    return symbol
