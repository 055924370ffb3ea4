"""Turn a listed item (plus what was extracted from its page) into an ``Article``.

Pure: no clock (``now`` is passed in), no I/O.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from scraper.models import Article, Extracted, FeedItem

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedIdentity:
    """The three categories of a post: (category, site, feed name)."""

    name: str
    site: str
    category: str
    default_image: str | None = None


@dataclass(frozen=True)
class Fallback:
    """The feed's own content for an item (sanitized): the body when there is no extraction."""

    html: str = ""
    text: str = ""
    image: str | None = None


def item_fingerprint(item: FeedItem) -> str:
    """Hash of an item as the feed lists it; when it is unchanged there is nothing to refetch."""
    parts = [
        item.url, item.guid or "", item.title, item.summary_html, item.content_html,
        item.updated.isoformat() if item.updated else "",
    ]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _clean_title(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate:
            title = _SPACE.sub(" ", candidate).strip()
            if title:
                return title
    return ""


def build_article(
    feed: FeedIdentity,
    item: FeedItem,
    *,
    now: datetime,
    extracted: Extracted | None = None,
    fallback: Fallback = Fallback(),
    flags: tuple[str, ...] = (),
    raw_html: bytes | None = None,
    raw_charset: str | None = None,
) -> Article:
    """Merge feed metadata and extraction into one record.

    The feed's own title and date win (they are what the seed system used); the page fills gaps.
    ``fallback`` (the feed's sanitized content or summary) is the body when there is no extraction.
    """
    flags_list = list(flags)
    if extracted is not None:
        body_html, body_text = extracted.body_html, extracted.body_text
    else:
        body_html, body_text = fallback.html, fallback.text
    title = _clean_title(item.title, extracted.title if extracted else None)
    if not title:
        title = _clean_title(body_text[:40]) or item.url
        flags_list.append("untitled")
    published = item.published or (extracted.published if extracted else None)
    if published is None:
        published = now
        flags_list.append("date_missing")
    image = (extracted.image if extracted else None) or item.image or fallback.image or feed.default_image
    summary = fallback.text[:500] if fallback.text else body_text[:200]
    return Article(
        feed=feed.name,
        site=feed.site,
        category=feed.category,
        url=item.url,
        title=title,
        published=published,
        body_html=body_html,
        body_text=body_text,
        guid=item.guid,
        canonical_url=extracted.canonical_url if extracted else None,
        summary=summary,
        author=item.author or (extracted.author if extracted else None),
        source=(extracted.source if extracted else None) or None,
        editor=extracted.editor if extracted else None,
        updated=item.updated,
        image=image,
        flags=tuple(dict.fromkeys(flags_list)),
        raw_html=raw_html,
        raw_charset=raw_charset,
        rules=extracted.rules if extracted else "",
        item_fingerprint=item_fingerprint(item),
        important=item.important,
        stocks=item.stocks,
    )
