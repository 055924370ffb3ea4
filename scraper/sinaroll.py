"""Sina's roll API: ``{"result": {"status": {"code": 0}, "total": N, "data": [...]}}``, JSON or JSONP. Pure.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scraper.dates import checked, from_epoch
from scraper.errors import NotAFeedError, ParseError
from scraper.listingbase import load_json, title, translated
from scraper.models import FeedItem, Listing
from scraper.urls import web_url

logger = logging.getLogger(__name__)

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


@translated
def parse_sina_roll(content: bytes, url: str = "") -> Listing:
    """Sina's roll API: ``{"result": {"status": {"code": 0}, "total": N, "data": [...]}}``, JSON or JSONP."""
    data = load_json(content)
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
        title=title(row.get("title")),
        guid=str(row["docid"]) if row.get("docid") else None,
        summary_html=str(row.get("intro") or row.get("summary") or ""),
        published=published,
        updated=updated if updated and published and updated > published else None,
        author=str(row.get("media_name") or row.get("author") or "") or None,
        image=web_url(image, url),
        date_invalid=(published is None and (bad_intime or bad_ctime)) or bad_updated,
    )
