"""Feeds out: Atom 1.0, RSS 2.0 and JSON Feed 1.1 of archived articles (pure: no clock, no I/O).

Every entry's id is the article's id as a ``tag:`` URI (``tag:newsroll,2024:article:<id>``), the
same in the three formats and across regenerations, so a reader that has seen an article once
does not show it again when the feed is written anew with more or other entries. RSS carries it
as ``<guid isPermaLink="false">``; the article's own address is the entry's link. An entry's
content is the archived article body (HTML, already sanitized when it was stored).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from archive.models import parse_iso

TAG_PREFIX = "tag:newsroll,2024:"
FORMATS = ("atom", "rss", "json")
MEDIA_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "newsroll"


@dataclass(frozen=True)
class FeedEntry:
    id: str  # the article id (the entry id is its tag: URI)
    title: str
    url: str
    published: datetime
    updated: datetime | None
    content_html: str
    summary: str = ""
    author: str | None = None
    categories: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        return article_tag(self.id)


@dataclass(frozen=True)
class FeedMeta:
    """The feed itself: ``key`` names it (its id is a tag: URI built from it), ``now`` stands in for
    the last update when there are no entries."""

    title: str
    key: str
    now: datetime
    link: str | None = None  # a page showing the same articles
    self_url: str | None = None  # where this feed is served, when it is
    description: str = ""


def article_tag(article_id: str) -> str:
    return f"{TAG_PREFIX}article:{article_id}"


def feed_tag(key: str) -> str:
    return f"{TAG_PREFIX}feed:{key}"


def entry_from_row(row: dict[str, Any]) -> FeedEntry:
    """An entry from an archive search/export row (with ``body_html``)."""
    categories = tuple(c for c in (row.get("category"), row.get("site")) if c)
    return FeedEntry(
        id=row["id"],
        title=row.get("title") or "",
        url=row.get("canonical_url") or row.get("url") or "",
        published=parse_iso(row["published"]),
        updated=parse_iso(row["updated"]) if row.get("updated") else None,
        content_html=row.get("body_html") or "",
        summary=row.get("summary") or "",
        author=row.get("author") or None,
        categories=categories,
    )


def render(fmt: str, meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    """The feed in ``fmt`` (one of FORMATS) as UTF-8 bytes."""
    if fmt == "atom":
        return render_atom(meta, entries)
    if fmt == "rss":
        return render_rss(meta, entries)
    if fmt == "json":
        return render_json(meta, entries)
    raise ValueError(f"unknown feed format {fmt!r} (use {', '.join(FORMATS)})")


def _changed(entry: FeedEntry) -> datetime:
    return max(entry.published, entry.updated) if entry.updated else entry.published


def _feed_updated(meta: FeedMeta, entries: Sequence[FeedEntry]) -> datetime:
    return max((_changed(e) for e in entries), default=meta.now)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def render_atom(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", feed_tag(meta.key))
    sub(feed, "title", meta.title)
    if meta.description:
        sub(feed, "subtitle", meta.description)
    sub(feed, "updated", _rfc3339(_feed_updated(meta, entries)))
    sub(feed, "generator", GENERATOR)
    if meta.self_url:
        sub(feed, "link", rel="self", href=meta.self_url, type="application/atom+xml")
    if meta.link:
        sub(feed, "link", rel="alternate", href=meta.link)
    # RFC 4287 4.1.1: a feed whose entries may lack an author needs one of its own
    sub(sub(feed, "author"), "name", GENERATOR)
    for e in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", e.tag)
        sub(entry, "title", e.title)
        sub(entry, "updated", _rfc3339(_changed(e)))
        sub(entry, "published", _rfc3339(e.published))
        if e.url:
            sub(entry, "link", rel="alternate", href=e.url, type="text/html")
        if e.author:
            sub(sub(entry, "author"), "name", e.author)
        for category in e.categories:
            sub(entry, "category", term=category)
        if e.summary:
            sub(entry, "summary", e.summary)
        sub(entry, "content", e.content_html, type="html")
    return _xml(feed)


def render_rss(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    ET.register_namespace("atom", ATOM_NS)
    ET.register_namespace("content", "http://purl.org/rss/1.0/modules/content/")
    content_tag = "{http://purl.org/rss/1.0/modules/content/}encoded"

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    rss = ET.Element("rss", version="2.0")
    channel = sub(rss, "channel")
    sub(channel, "title", meta.title)
    sub(channel, "link", meta.link or meta.self_url or feed_tag(meta.key))
    sub(channel, "description", meta.description or meta.title)
    sub(channel, "lastBuildDate", format_datetime(_feed_updated(meta, entries).astimezone(UTC), usegmt=True))
    sub(channel, "generator", GENERATOR)
    if meta.self_url:
        sub(channel, f"{{{ATOM_NS}}}link", rel="self", href=meta.self_url, type="application/rss+xml")
    for e in entries:
        item = sub(channel, "item")
        sub(item, "title", e.title)
        if e.url:
            sub(item, "link", e.url)
        sub(item, "guid", e.tag, isPermaLink="false")
        sub(item, "pubDate", format_datetime(e.published.astimezone(UTC), usegmt=True))
        for category in e.categories:
            sub(item, "category", category)
        sub(item, "description", e.summary or e.content_html)
        sub(item, content_tag, e.content_html)
    return _xml(rss)


def render_json(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    feed: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": meta.title}
    if meta.link:
        feed["home_page_url"] = meta.link
    if meta.self_url:
        feed["feed_url"] = meta.self_url
    if meta.description:
        feed["description"] = meta.description
    items = []
    for e in entries:
        item: dict[str, Any] = {"id": e.tag, "title": e.title, "content_html": e.content_html}
        if e.url:
            item["url"] = e.url
        if e.summary:
            item["summary"] = e.summary
        item["date_published"] = _rfc3339(e.published)
        if e.updated:
            item["date_modified"] = _rfc3339(_changed(e))
        if e.author:
            item["authors"] = [{"name": e.author}]
        if e.categories:
            item["tags"] = list(e.categories)
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
