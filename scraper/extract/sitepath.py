"""Extraction with a known site's rules (selectolax only, no readability heuristics).

Fast path: when the rules name ``region_start``/``region_end`` markers, only the head's
``<meta>``/``<link>``/``<title>``/JSON-LD tags plus the slice of the page between the markers
are parsed (Sina pages carry ~100 KB of inline CSS and scripts around a ~10 KB article).
If that slice does not satisfy the rules, the whole page is parsed before giving up.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.charset import decode_html
from scraper.extract.dates import parse_datetime
from scraper.extract.images import first_content_image, image_src, is_junk_image
from scraper.extract.meta import canonical_url, read_meta
from scraper.extract.region import lite_document, lite_document_from_bytes
from scraper.extract.rules import FieldSpec, SiteRules
from scraper.models import Extracted
from scraper.sanitize import absolute_url, clean_html, html_to_text

logger = logging.getLogger(__name__)

__all__ = ["extract_with_rules", "ALWAYS_DROP", "drop_nodes", "drop_matching_paragraphs", "fix_lazy_images"]

# Never article content, whatever the site.
ALWAYS_DROP = (
    "script", "style", "noscript", "iframe", "form", "link", "meta", "button", "input", "select",
    "textarea", "object", "embed", "template", "svg", "canvas", "video", "audio",
)
_SPACES = re.compile(r"\s+")
_WORK_CODE = re.compile(r"\s+[A-Z]{1,4}\d{2,}$")  # "责任编辑：梁斌 SF055": SF055 is Sina's staff code
_NOT_TEXT = re.compile(r"[\s\u3000\u00a0:：,，.。、|/()（）\[\]【】>»›-]+")


def _values(root: LexborHTMLParser | LexborNode, spec: FieldSpec) -> list[str]:
    nodes = root.css(spec.css) if spec.pattern is not None else [root.css_first(spec.css)]
    values = []
    for node in nodes:
        if node is None:
            continue
        value = node.attributes.get(spec.attr) if spec.attr else node.text(deep=True)
        if not value:
            continue
        value = _SPACES.sub(" ", value).strip()
        if spec.pattern is not None:
            match = spec.pattern.search(value)
            if match is None:
                continue
            value = (match.group(1) if match.groups() else match.group(0)).strip()
        if value:
            values.append(value)
    return values


def field_value(root: LexborHTMLParser | LexborNode, specs: tuple[FieldSpec, ...],
                prefixes: tuple[re.Pattern[str], ...] = ()) -> str | None:
    """The first non-empty value of an ordered field spec, with rule prefixes stripped."""
    for spec in specs:
        for value in _values(root, spec):
            for prefix in prefixes:
                value = prefix.sub("", value, count=1)
            value = value.strip()
            if value:
                return value
    return None


def drop_nodes(root: LexborNode, selectors: tuple[str, ...]) -> None:
    """Remove every node matching any selector.

    One grouped query returns matches in document order, so removing them in reverse
    frees descendants before their ancestors and never touches a freed node.
    """
    if not selectors:
        return
    for node in reversed(root.css(", ".join(selectors))):
        node.decompose()


def fix_lazy_images(root: LexborNode) -> None:
    """Point ``src`` at the real image when a page lazy-loads it from ``data-*`` attributes."""
    for node in root.css("img"):
        real = image_src(node)
        if real and real != node.attributes.get("src"):
            node.attrs["src"] = real


_MAX_BOILERPLATE_CHARS = 600  # drop patterns target short lines, not article paragraphs
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)  # sanitized HTML: no attributes, no nested <p>
_LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def drop_paragraphs(body_html: str, rules: SiteRules) -> str:
    """Remove the rules' boilerplate paragraphs from *sanitized* body HTML (see
    :func:`drop_matching_paragraphs`)."""
    return drop_matching_paragraphs(body_html, rules.drop_paragraph_regex, rules.drop_link_paragraphs)


def drop_matching_paragraphs(body_html: str, pattern: re.Pattern[str] | None, link_only: bool) -> str:
    """Remove boilerplate paragraphs from *sanitized* body HTML.

    A ``<p>`` goes when its text matches ``pattern``, or (with ``link_only``) when all its
    text is inside links: related-article lists. Working on the sanitized string is several
    times faster than one DOM query per paragraph.
    """
    if pattern is None and not link_only:
        return body_html

    def keep_or_drop(match: re.Match[str]) -> str:
        inner = match.group(1)
        if len(inner) > _MAX_BOILERPLATE_CHARS:
            return match.group(0)
        text = _TAG.sub("", inner) if "<" in inner else inner
        if "&" in text:
            text = htmllib.unescape(text)
        text = text.strip(" \t\r\n\u3000\u00a0")
        if pattern is not None and pattern.search(text):
            return ""
        if link_only and text and "<a " in inner and "<img" not in inner:
            outside = htmllib.unescape(_TAG.sub("", _LINK.sub("", inner)))
            if not _NOT_TEXT.sub("", outside):
                return ""
        return match.group(0)

    return _PARAGRAPH.sub(keep_or_drop, body_html)


def _find_body(tree: LexborHTMLParser, rules: SiteRules) -> LexborNode | None:
    for selector in rules.body:
        node = tree.css_first(selector)
        if node is not None and (node.text(deep=True).strip() or node.css_first("img") is not None):
            return node
    return None


def _editor(tree: LexborHTMLParser, rules: SiteRules) -> str | None:
    value = field_value(tree, rules.editor, rules.strip_prefixes)
    return _WORK_CODE.sub("", value).strip() or None if value else None


def _published(tree: LexborHTMLParser, rules: SiteRules) -> datetime | None:
    """The first parseable published field, refined to the second by a later field that
    names the same minute (Sina prints ``16:00`` and has ``16:00:05`` in a meta tag)."""
    found: datetime | None = None
    for spec in rules.published:
        for value in _values(tree, spec):
            parsed = parse_datetime(value, rules.timezone, rules.published_formats)
            if parsed is None:
                continue
            if found is None:
                found = parsed
                if found.second:
                    return found
            elif parsed.replace(second=0, microsecond=0) == found:
                return parsed
            break
    return found


def _extract_from_tree(tree: LexborHTMLParser, url: str, rules: SiteRules) -> Extracted | None:
    body = _find_body(tree, rules)
    if body is None:
        return None
    title = field_value(tree, rules.title)
    if title and rules.title_suffix is not None:
        title = rules.title_suffix.sub("", title).strip()
    published = _published(tree, rules)
    source = field_value(tree, rules.source, rules.strip_prefixes)
    author = field_value(tree, rules.author, rules.strip_prefixes)
    editor = _editor(tree, rules)
    image = field_value(tree, rules.image)

    drop_nodes(body, ALWAYS_DROP + rules.drop)
    fix_lazy_images(body)
    image = absolute_url(image, url) if image else None
    if not image or is_junk_image(image):
        image = first_content_image(body, url)
    body_html = drop_paragraphs(clean_html(body.html or "", url), rules)
    # The whole meta/JSON-LD reader runs only when the rules left a gap (it is a tenth of the
    # fast path's time); the canonical URL alone is two selector lookups.
    meta = read_meta(tree, url, rules.timezone) if not title or published is None else None
    body_text = html_to_text(body_html)
    if not body_text and "<img" not in body_html:
        return None
    return Extracted(
        title=title or (meta.title if meta else None),
        body_html=body_html,
        body_text=body_text,
        author=author,
        source=source,
        editor=editor,
        published=published or (meta.published if meta else None),
        image=image,
        canonical_url=meta.canonical_url if meta else canonical_url(tree, url),
        rules=rules.name,
    )


def extract_with_rules(content: str | bytes, url: str, rules: SiteRules, charset: str | None = None) -> Extracted | None:
    """Extract a page with ``rules``; None when the rules' body selectors find nothing.

    ``content`` is the page's text, or its bytes with the header's ``charset``. The sliced
    page is tried first (fast path), then the whole page (decoded with every fallback).
    """
    if isinstance(content, bytes):
        lite = lite_document_from_bytes(content, rules, charset)
    else:
        lite = lite_document(content, rules)
    if lite is not None:
        found = _extract_from_tree(LexborHTMLParser(lite), url, rules)
        if found is not None and found.title:
            return found
        logger.debug("rules %s: region slice incomplete for %s; parsing the whole page", rules.name, url)
    text = decode_html(content, charset)[0] if isinstance(content, bytes) else content
    return _extract_from_tree(LexborHTMLParser(text), url, rules)
