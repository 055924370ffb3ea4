"""财联社 cls.cn 电报 (``cls_telegraph``): the roll list, signed, paged back by ``last_time``.

Feed ``url``: the listing endpoint with its parameters, e.g.
``https://www.cls.cn/v1/roll/get_roll_list?app=CailianpressWeb&category=red&os=web&sv=8.4.6``
(categories: watch, announcement, red, remind, fund, hk, hk_us; none = everything) or
``https://www.cls.cn/api/cache?appName=CailianpressWeb&name=telegraph&os=web&sv=7.7.5``.
We add ``last_time`` for paging and the ``sign`` over every parameter (``sign_params``).

Items are flashes: the text is the body, the title its leading 【…】 (or the item's own title);
``level`` A/B marks the important ones, ``stock_list[].StockID`` the stocks. VIP products
(``type`` ≥ 20000, a "vip" share image) and ads are skipped.
"""

from __future__ import annotations

import hashlib
from datetime import tzinfo
from typing import Any
from urllib.parse import urlencode, urlsplit

from scraper.errors import SourceAPIError
from scraper.models import FeedItem, Listing
from scraper.sources.base import Source
from scraper.sources.common import (
    arr,
    codes,
    epoch,
    list_at,
    load_json,
    query_params,
    require,
    text,
    text_html,
    with_query,
)
from scraper.sources.flash import flash_title, strip_title_prefix

WIRE = "cls.cn"
PUBLIC = "https://www.cls.cn/detail/{id}"
ROLL_PATH = "/v1/roll/get_roll_list"
BASE_PARAMS = {"app": "CailianpressWeb", "os": "web", "sv": "8.4.6"}
HEADERS = {"Referer": "https://www.cls.cn/telegraph", "Origin": "https://www.cls.cn"}
VIP_TYPES_FROM = 20000  # type -1 is a normal item; 20015, 20026… are paid products


def sign_params(params: dict[str, str]) -> str:
    """cls.cn's request signature: md5_hex(sha1_hex(sorted form-encoded query without ``sign``)).

    Commas are hashed raw (the server signs ``a,b``, not ``a%2Cb``).
    """
    query = urlencode(sorted((k, v) for k, v in params.items() if k != "sign")).replace("%2C", ",")
    return hashlib.md5(hashlib.sha1(query.encode()).hexdigest().encode()).hexdigest()


def signed_url(url: str, params: dict[str, str], *, path: str | None = None) -> str:
    """``url`` with ``params`` sorted, signed and ``sign`` appended last."""
    clean = {k: v for k, v in sorted(params.items()) if k != "sign"}
    clean["sign"] = sign_params(clean)
    return with_query(url, clean, path=path)


def base_params(url: str) -> dict[str, str]:
    params = query_params(url)
    if "app" not in params and "appName" not in params:
        params["app"] = BASE_PARAMS["app"]
    for key in ("os", "sv"):
        params.setdefault(key, BASE_PARAMS[key])
    return params


def request_url(url: str, cursor: str | None) -> str:
    """The signed URL of the newest page (``cursor`` None) or of the page older than ``cursor``."""
    params = base_params(url)
    if cursor is None:
        return signed_url(url, params)
    params.pop("lastTime", None)
    params["last_time"] = cursor
    if urlsplit(url).path.rstrip("/").endswith("/api/cache"):  # the cache endpoint cannot page
        params.pop("name", None)
        params.setdefault("category", "")
        params.setdefault("refresh_type", "1")
        params.setdefault("rn", "20")
        return signed_url(url, params, path=ROLL_PATH)
    return signed_url(url, params)


def check_errno(data: Any) -> None:
    """SourceAPIError (one line) when cls.cn answered with ``errno`` ≠ 0 (a refused signature…)."""
    if isinstance(data, dict) and data.get("errno") not in (None, 0, "0"):
        message = text(data.get("msg") or data.get("message") or data.get("error")) or "no message"
        raise SourceAPIError(f"{WIRE} API error {data.get('errno')}: {message}")


def is_paid(row: dict[str, Any]) -> bool:
    kind = text(row.get("type"))
    if kind.isdigit() and int(kind) >= VIP_TYPES_FROM:
        return True
    return "vip" in text(row.get("share_img")).lower() or bool(row.get("is_ad"))


def _numeric_id(row: dict[str, Any]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return str(value).strip()
    return None


def _image(row: dict[str, Any]) -> str | None:
    for key in ("images", "imgs"):
        values = row.get(key)
        if isinstance(values, list) and values and isinstance(values[0], str) and values[0]:
            return values[0]
    return text(row.get("img")) or None


def telegraph_item(row: dict[str, Any]) -> FeedItem | None:
    """One roll_data row as a flash item; None for rows without an id, a time or any text."""
    item_id, published = _numeric_id(row), epoch(row.get("ctime"))
    content, brief = text(row.get("content")), text(row.get("brief"))
    raw = content if content.strip("…. ") else brief  # excerpts elide content as "……"
    if item_id is None or published is None or not raw.strip("…. "):
        return None
    title = text(row.get("title")) or flash_title(raw)
    updated = epoch(row.get("modified_time"))
    stocks = arr(row.get("stock_list"))
    return FeedItem(
        url=PUBLIC.format(id=item_id),
        title=title,
        guid=f"cls:{item_id}",
        content_html=text_html(strip_title_prefix(raw)),
        published=published,
        updated=updated if updated and updated > published else None,
        author=text(row.get("author")) or None,
        image=_image(row),
        important=text(row.get("level")).upper() in ("A", "B"),
        stocks=codes(s.get("StockID") for s in stocks if isinstance(s, dict)),
        flash=True,
    )


def parse_telegraph(content: bytes, url: str, zone: tzinfo) -> Listing:
    """``{"errno": 0, "data": {"roll_data": [...]}}`` → flash items, cursor = last row's ``ctime``."""
    data = load_json(content, WIRE)
    check_errno(data)
    rows = list_at(data, ("data", "roll_data"), WIRE)
    dicts = [r for r in rows if isinstance(r, dict)]
    require(not rows or any("ctime" in r and "id" in r for r in dicts), WIRE, "roll_data rows lack id/ctime")
    items = tuple(i for i in (telegraph_item(r) for r in dicts if not is_paid(r)) if i is not None)
    times = [t for t in (epoch(r.get("ctime")) for r in dicts) if t is not None]
    cursor = str(int(min(times).timestamp())) if times else None
    return Listing(items=items, title="财联社电报", link="https://www.cls.cn/telegraph", next_cursor=cursor)


SOURCES = (
    Source(
        kind="cls_telegraph",
        parse=parse_telegraph,
        request_url=request_url,
        can_page=True,
        headers=HEADERS,
        default_interval=60.0,
        history="paged back by last_time, 20 rows a page (reach not documented by cls.cn)",
        reads="财联社 电报 roll list (signed), with its categories; level A/B → important",
    ),
)
