"""Page metadata from ``<meta>``/``<link>`` tags and JSON-LD: title, published time, author,
source, lead image, canonical URL. Pure functions over a parsed lexbor tree."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.dates import parse_local
from scraper.sanitize import absolute_url

logger = logging.getLogger(__name__)

__all__ = ["PageMeta", "canonical_url", "read_meta"]

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
    "webpage", "liveblogposting", "opinionnewsarticle", "backgroundnewsarticle", "report",
    "socialmediaposting", "discussionforumposting", "techarticle", "scholarlyarticle", "reviewnewsarticle",
    "satiricalarticle", "askpublicnewsarticle", "investigativereport",
}
# ``<![CDATA[ … ]]>`` (XHTML-era pages), possibly behind JavaScript comment markers.
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_PUBLISHED_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "published_time",
    "datepublished", "pubdate", "publishdate", "publish_date", "publish-date", "article.published",
    "sailthru.date", "parsely-pub-date", "dc.date.issued", "dc.date", "dcterms.created", "date",
    "weibo: article:create_at", "article_date_original", "og:release_date", "created", "apub:time",
    "publishtime", "pubtime", "og:time",
)
_AUTHOR_KEYS = ("author", "article:author", "sailthru.author", "parsely-author", "dc.creator", "byl")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself outside the body."""

    title: str | None = None
    published: datetime | None = None
    author: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    source: str | None = None  # the original publisher some pages name in <meta name="source">
    description: str | None = None


def meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """``<meta>`` name/property/itemprop → content (first non-empty wins), keys lower-cased."""
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if not content or not content.strip():
            continue
        for key_attr in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(key_attr)
            if key:
                found.setdefault(key.strip().lower(), content.strip())
    return found


def _walk_ld(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [item for entry in value for item in _walk_ld(entry)]
    if not isinstance(value, dict):
        return []
    found = [value]
    for key in ("@graph", "mainEntity"):  # a WebPage whose main entity is the article
        if key in value:
            found.extend(_walk_ld(value[key]))
    return found


def json_ld_articles(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Article-like JSON-LD objects (NewsArticle, Article, BlogPosting…), most specific first."""
    objects: list[dict[str, Any]] = []
    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text(deep=True) or ""
        try:
            data = json.loads(_CDATA.sub("", raw.strip()).strip().rstrip(";"))
        except ValueError:
            logger.debug("unreadable JSON-LD block skipped")
            continue
        for item in _walk_ld(data):
            kinds = item.get("@type")
            names = kinds if isinstance(kinds, list) else [kinds]
            # Baidu's "cambrian" JSON-LD (Chinese sites) has no @type: a title and a pubDate.
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in names) or (
                    kinds is None and "pubDate" in item):
                objects.append(item)
    objects.sort(key=lambda item: str(item.get("@type", "")).lower() == "webpage")
    return objects


def _ld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_text(value.get("name") or value.get("url") or value.get("@id"))
    if isinstance(value, list):
        names = [name for name in (_ld_text(v) for v in value) if name]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _ld_names(value: Any) -> str | None:
    """People's names in a JSON-LD author value (a URL or an ``@id`` is not a name)."""
    if isinstance(value, str):
        text = value.strip()
        return text if text and "://" not in text and not text.startswith(("/", "#")) else None
    if isinstance(value, dict):
        return _ld_names(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (_ld_names(v) for v in value) if name]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = _SPACES.sub(" ", text).strip()
    return text or None


def canonical_url(tree: LexborHTMLParser, base_url: str) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, made absolute; None if the page names neither."""
    link = tree.css_first('link[rel="canonical"]')
    href = link.attributes.get("href") if link is not None else None
    if href and href.strip():
        return absolute_url(href, base_url)
    og_url = tree.css_first('meta[property="og:url"]')
    content = og_url.attributes.get("content") if og_url is not None else None
    return absolute_url(content, base_url) if content and content.strip() else None


def read_meta(tree: LexborHTMLParser, base_url: str, site_zone: str | None) -> PageMeta:
    """Collect :class:`PageMeta` from meta tags, JSON-LD, ``<link rel=canonical>`` and ``<title>``."""
    tags = meta_tags(tree)
    articles = json_ld_articles(tree)
    ld: dict[str, Any] = articles[0] if articles else {}

    # The article's JSON-LD first: a meta tag may carry a re-publication or a template's time
    # (Medium's article:published_time is the repost's; JSON-LD and the visible date agree).
    # The same instant in both keeps the page's own offset (JSON-LD is often written in UTC).
    published = parse_local(
        _ld_text(ld.get("datePublished")) or _ld_text(ld.get("dateCreated")) or _ld_text(ld.get("pubDate")), site_zone)
    tagged = next((found for key in _PUBLISHED_KEYS if (found := parse_local(tags.get(key), site_zone))), None)
    if published is None or (tagged is not None and tagged == published):
        published = tagged or published
    if published is None:
        time_node = tree.css_first("time[datetime]")
        if time_node is not None:
            published = parse_local(time_node.attributes.get("datetime"), site_zone)

    author = _clean(_ld_names(ld.get("author")))
    if author is None:
        author = next((_clean(tags[k]) for k in _AUTHOR_KEYS if tags.get(k) and "://" not in tags[k]), None)

    image = None
    for candidate in (tags.get("og:image"), tags.get("og:image:url"), tags.get("twitter:image"),
                      tags.get("twitter:image:src"), _ld_text(ld.get("image")), _ld_text(ld.get("thumbnailUrl"))):
        if candidate:
            image = absolute_url(candidate, base_url)
            if image:
                break

    canonical = canonical_url(tree, base_url)

    title_node = tree.css_first("title")
    page_title = _clean(title_node.text()) if title_node is not None else None
    headline = _clean(_ld_text(ld.get("headline")))
    if headline and page_title and headline.casefold() not in page_title.casefold():
        headline = None  # a JSON-LD "headline" the page's title does not carry is a description
    title = _clean(tags.get("og:title")) or headline or page_title
    return PageMeta(
        title=title,
        published=published,
        author=author,
        image=image,
        canonical_url=canonical,
        site_name=_clean(tags.get("og:site_name")),
        source=_clean(tags.get("source") or tags.get("article:source")),
        description=_clean(tags.get("og:description") or tags.get("description")),
    )
