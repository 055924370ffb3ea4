"""第一财经 正在 (``kind = "yicai_brief"``): the brief list API, paged back with ``page=N``.

    url = "https://www.yicai.com/api/ajax/getbrieflist?type=0&page=1&pagesize=50"

Answer: a JSON array of ``{id?, indexTitle, newcontent (HTML), datekey "YYYY.MM.DD", hm "HH:mm",
url "/brief/{id}.html"}`` (Beijing time). Another shape seen in public code (endpoint version
unclear) is read too: ``{LiveID, LiveTitle, LiveContent, CreateDate "2026-09-30T16:38:05",
IsImportant, url}``. An object in place of the array is an error payload when it carries an
error code or message, a template change otherwise.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

from scraper.errors import SourceAPIError, TemplateChangedError
from scraper.models import FeedItem, Listing
from scraper.sources.base import Source
from scraper.sources.common import (
    load_json,
    local_time,
    need_list,
    page_number,
    plain_text,
    require,
    with_params,
)
from scraper.sources.flash import flash_item

WHAT = "第一财经 正在 (yicai_brief)"
SITE = "https://www.yicai.com/"
_BRIEF_ID = re.compile(r"/brief/(\d+)")
_ERROR_KEYS = ("code", "errcode", "msg", "message", "error", "status")


def request_url(url: str, cursor: str | None) -> str:
    """The newest page is the configured URL; an older one is the same URL with ``page=<cursor>``."""
    return url if cursor is None else with_params(url, {"page": cursor})


def parse(content: bytes, url: str, zone: tzinfo) -> Listing:
    data = load_json(content, WHAT)
    if isinstance(data, dict):
        rows = data.get("data") if isinstance(data.get("data"), list) else None
        if rows is None:
            if any(key in data for key in _ERROR_KEYS):
                code = next((data[k] for k in ("code", "errcode", "status") if k in data), "?")
                message = data.get("msg") or data.get("message") or data.get("error") or "no message"
                raise SourceAPIError(f"{WHAT}: API error {code}: {message}")
            raise TemplateChangedError(f"{WHAT}: answer is an object without a list of briefs (the API changed?)")
    else:
        rows = need_list(data, WHAT, "answer is not a list of briefs")
    items = [item for row in rows if (item := _item(row, zone)) is not None]
    require(bool(items) or not rows, WHAT, f"none of {len(rows)} rows has a link, a text and a time")
    return Listing(items=tuple(items), next_cursor=str(page_number(url) + 1) if items else None)


def _item(row: Any, zone: tzinfo) -> FeedItem | None:
    if not isinstance(row, dict):
        return None
    link = str(row.get("url") or "")
    match = _BRIEF_ID.search(link)
    ident = str(row.get("id") or row.get("LiveID") or (match.group(1) if match else ""))
    if not ident:
        return None
    text = plain_text(row.get("newcontent") or row.get("LiveContent") or row.get("content"))
    title = plain_text(row.get("indexTitle") or row.get("LiveTitle"))
    published = _published(row, zone)
    if not (text or title) or published is None:
        return None
    mark = row.get("IsImportant")
    return flash_item(
        url=urljoin(SITE, link or f"/brief/{ident}.html"),
        guid=ident,
        text=text or title,
        title=title,
        published=published,
        important=None if mark is None else str(mark).lower() not in ("0", "false", ""),
    )


def _published(row: dict[str, Any], zone: tzinfo) -> datetime | None:
    if row.get("datekey") and row.get("hm"):
        return local_time(f"{row['datekey']} {row['hm']}", zone, ("%Y.%m.%d %H:%M", "%Y-%m-%d %H:%M"))
    created = row.get("CreateDate") or row.get("CreateTime")
    if not isinstance(created, str):
        return None
    try:
        parsed = datetime.fromisoformat(created.strip())
    except ValueError:
        return None
    return (parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed).astimezone(UTC)


SOURCES = (
    Source(
        kind="yicai_brief",
        parse=parse,
        request_url=request_url,
        can_page=True,
        headers={"Referer": "https://www.yicai.com/brief/"},
        default_interval=300.0,
        history="paged back by page=N, pagesize rows a page (reach not documented)",
        reads="第一财经 正在 (briefs); IsImportant kept where the payload has it",
    ),
)
