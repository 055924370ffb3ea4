"""Turn a listed item (plus what was extracted from its page) into an ``Article``.

Pure: no clock (``now`` is passed in), no I/O.

Everything untrusted is checked here once more, whichever parser or extractor produced it: a date
outside 1900 … now + 2 days is dropped (flag ``date_invalid``; the fetch time stands in, flag
``date_missing``), links and images must be absolute http(s) URLs, a page's canonical URL is kept
only on the item's own site, titles are plain text and no text keeps control characters.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from scraper.dates import plausible
from scraper.models import Article, Extracted, FeedItem
from scraper.sanitize import clean_html, clean_title, strip_controls
from scraper.urls import same_site, web_url

logger = logging.getLogger(__name__)



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


def item_fallback(item: FeedItem) -> Fallback:
    """The feed's own content for ``item``, sanitized: its full content or summary, the longer."""
    from scraper.extract import lead_image
    from scraper.sanitize import clean_html, html_to_text

    source = item.content_html if len(item.content_html) > len(item.summary_html) else item.summary_html
    if not source:
        return Fallback()
    html = clean_html(source, item.url)
    if not html:
        return Fallback()
    return Fallback(html, html_to_text(html), lead_image(html, item.url))


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
            title = clean_title(candidate)
            if title:
                return title
    return ""


def _date(candidates: tuple[datetime | None, ...], now: datetime, url: str) -> tuple[datetime | None, bool]:
    """The first believable date and whether any given date had to be refused."""
    refused = False
    for moment in candidates:
        if moment is None:
            continue
        if plausible(moment, now):
            return moment, refused
        logger.warning("%s: date %s is outside 1900 … now + 2 days; not used", url, moment.isoformat())
        refused = True
    return None, refused


def _optional(text: str | None) -> str | None:
    return (strip_controls(text).strip() or None) if text else None


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
    body_html, body_text = strip_controls(body_html), strip_controls(body_text)
    title = _clean_title(item.title, extracted.title if extracted else None)
    if not title:
        title = _clean_title(body_text[:40]) or strip_controls(item.url)
        flags_list.append("untitled")
    published, refused = _date((item.published, extracted.published if extracted else None), now, item.url)
    if refused or item.date_invalid:
        flags_list.append("date_invalid")
    if published is None:
        published = now
        flags_list.append("date_missing")
    updated, _ = _date((item.updated,), now, item.url)
    images = ((extracted.image if extracted else None), item.image, fallback.image)
    image = next((u for u in (web_url(i) for i in images if i) if u), None) or feed.default_image
    canonical = web_url(extracted.canonical_url) if extracted and extracted.canonical_url else None
    if canonical and not same_site(canonical, item.url):
        logger.warning("%s: canonical %s is on another site; not trusted", item.url, canonical)
        canonical = None
    summary = strip_controls(fallback.text[:500] if fallback.text else body_text[:200])
    return Article(
        feed=feed.name,
        site=feed.site,
        category=feed.category,
        url=item.url,
        title=title,
        published=published,
        body_html=body_html,
        body_text=body_text,
        guid=strip_controls(item.guid) if item.guid else None,
        canonical_url=canonical,
        summary=summary,
        author=_optional(item.author or (extracted.author if extracted else None)),
        source=_optional(extracted.source if extracted else None),
        editor=_optional(extracted.editor if extracted else None),
        updated=updated,
        image=image,
        flags=tuple(dict.fromkeys(flags_list)),
        raw_html=raw_html,
        raw_charset=raw_charset,
        rules=extracted.rules if extracted else "",
        item_fingerprint=item_fingerprint(item),
        important=item.important,
        stocks=item.stocks,
    )


def clean_article(article: Article) -> Article:
    """The same cleaning for an article that did not come through ``build_article`` (``import``).

    The body goes through ``clean_html`` (scripts, handlers, ``javascript:`` URLs removed), the
    title becomes plain text, text fields lose control characters and only http(s) URLs are kept
    for the link, image and canonical (a refused link is logged and flagged ``url_refused``).
    """
    url = web_url(article.url) or ""
    flags = article.flags
    if article.url and not url:
        logger.warning("article link %.80r is not an http(s) URL; dropped", article.url)
        flags = (*flags, "url_refused")
    canonical = web_url(article.canonical_url) if article.canonical_url else None
    if canonical and url and not same_site(canonical, url):
        canonical = None
    return replace(
        article,
        url=url,
        title=clean_title(article.title) or strip_controls(article.title).strip(),
        body_html=clean_html(article.body_html, url),
        body_text=strip_controls(article.body_text),
        summary=strip_controls(article.summary),
        guid=strip_controls(article.guid) if article.guid else None,
        canonical_url=canonical,
        author=_optional(article.author),
        source=_optional(article.source),
        editor=_optional(article.editor),
        image=(web_url(article.image) or "") if article.image else article.image,
        flags=flags,
    )
