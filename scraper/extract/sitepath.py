"""Extraction with a known site's rules (selectolax only, no readability heuristics).

Fast path: when the rules name ``region_start``/``region_end`` markers, only the head's
``<meta>``/``<link>``/``<title>``/JSON-LD tags plus the slice of the page between the markers
are parsed (Sina pages carry ~100 KB of inline CSS and scripts around a ~10 KB article).
If that slice does not satisfy the rules, the whole page is parsed before giving up.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.dates import parse_datetime
from scraper.extract.images import first_content_image, image_src, is_junk_image
from scraper.extract.meta import read_meta
from scraper.extract.rules import FieldSpec, SiteRules
from scraper.models import Extracted
from scraper.sanitize import absolute_url, clean_html, html_to_text

logger = logging.getLogger(__name__)

__all__ = ["extract_with_rules", "ALWAYS_DROP", "drop_nodes", "fix_lazy_images"]

# Never article content, whatever the site.
ALWAYS_DROP = (
    "script", "style", "noscript", "iframe", "form", "link", "meta", "button", "input", "select",
    "textarea", "object", "embed", "template", "svg", "canvas", "video", "audio",
)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_HEAD_TAGS = re.compile(
    r"<(?:meta|link)\b[^>]*>|<title\b[^>]*>.*?</title\s*>"
    r"|<script\b[^>]*application/ld\+json[^>]*>.*?</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
_SPACES = re.compile(r"\s+")
_WORK_CODE = re.compile(r"\s+[A-Z]{1,4}\d{2,}$")  # "责任编辑：梁斌 SF055": SF055 is Sina's staff code
_NOT_TEXT = re.compile(r"[\s\u3000\u00a0:：,，.。、|/()（）\[\]【】>»›-]+")


def _lite_document(text: str, rules: SiteRules) -> str | None:
    """Head tags + the article slice of the page, or None when the start markers are absent."""
    positions = [pos for marker in rules.region_start if (pos := text.find(marker)) >= 0]
    if not positions:
        return None
    start = max(text.rfind("<", 0, min(positions)), 0)
    ends = [pos for marker in rules.region_end if (pos := text.find(marker, start)) >= 0]
    end = len(text)
    if ends:
        end = max(text.rfind("<", start, min(ends) + 1), start)
    head_match = _HEAD_END.search(text, 0, start)
    head = text[: head_match.start()] if head_match else text[:start]
    head_tags = "".join(_HEAD_TAGS.findall(head))
    return f"<html><head>{head_tags}</head><body>{text[start:end]}</body></html>"


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
    """Remove every node matching any selector (descendants first, so no node is freed twice)."""
    for selector in selectors:
        for node in reversed(root.css(selector)):
            node.decompose()


def fix_lazy_images(root: LexborNode) -> None:
    """Point ``src`` at the real image when a page lazy-loads it from ``data-*`` attributes."""
    for node in root.css("img"):
        real = image_src(node)
        if real and real != node.attributes.get("src"):
            node.attrs["src"] = real


def _drop_paragraphs(body: LexborNode, rules: SiteRules) -> None:
    if not rules.drop_paragraphs and not rules.drop_link_paragraphs:
        return
    for paragraph in reversed(body.css("p")):
        text = _SPACES.sub(" ", paragraph.text(deep=True)).strip(" \u3000")
        if any(pattern.search(text) for pattern in rules.drop_paragraphs):
            paragraph.decompose()
            continue
        if rules.drop_link_paragraphs and text and paragraph.css_first("img") is None:
            links = "".join(link.text(deep=True) for link in paragraph.css("a"))
            if links and not _NOT_TEXT.sub("", text).replace(_NOT_TEXT.sub("", links), "", 1):
                paragraph.decompose()


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
    meta = read_meta(tree, url, rules.timezone)
    title = field_value(tree, rules.title)
    if title and rules.title_suffix is not None:
        title = rules.title_suffix.sub("", title).strip()
    published = _published(tree, rules)
    source = field_value(tree, rules.source, rules.strip_prefixes)
    author = field_value(tree, rules.author, rules.strip_prefixes)
    editor = _editor(tree, rules)
    image = field_value(tree, rules.image)

    drop_nodes(body, ALWAYS_DROP + rules.drop)
    _drop_paragraphs(body, rules)
    fix_lazy_images(body)
    image = absolute_url(image, url) if image else None
    if not image or is_junk_image(image):
        image = first_content_image(body, url)
    body_html = clean_html(body.html or "", url)
    body_text = html_to_text(body_html)
    if not body_text and "<img" not in body_html:
        return None
    return Extracted(
        title=title or meta.title,
        body_html=body_html,
        body_text=body_text,
        author=author,
        source=source,
        editor=editor,
        published=published or meta.published,
        image=image,
        canonical_url=meta.canonical_url,
        rules=rules.name,
    )


def extract_with_rules(text: str, url: str, rules: SiteRules) -> Extracted | None:
    """Extract a page with ``rules``; None when the rules' body selectors find nothing.

    Tries the sliced page first (fast path), then the whole page.
    """
    lite = _lite_document(text, rules)
    if lite is not None:
        found = _extract_from_tree(LexborHTMLParser(lite), url, rules)
        if found is not None and found.title:
            return found
        logger.debug("rules %s: region slice incomplete for %s; parsing the whole page", rules.name, url)
    return _extract_from_tree(LexborHTMLParser(text), url, rules)
