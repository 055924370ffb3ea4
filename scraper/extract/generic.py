"""The generic extractor for pages of unknown sites: selectolax pre-cleaning + trafilatura.

Pre-cleaning removes what is never article text (scripts, styles, forms, QR/app-download
blocks, share bars, comment sections) before trafilatura sees the page; that both speeds it
up (less markup to parse twice) and keeps promo blocks out of its output (measured in
benchmarks/bench_extract.py). Metadata comes from our own meta/JSON-LD reader, which is
cheaper than trafilatura's and keeps time zones.
"""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree
from selectolax.lexbor import LexborHTMLParser
from trafilatura.htmlprocessing import convert_to_html

from scraper.extract.cleanup import split_editor, strip_site_suffix, visible_published
from scraper.extract.images import first_content_image, is_junk_image
from scraper.extract.meta import read_meta
from scraper.extract.sitepath import ALWAYS_DROP, drop_nodes, fix_lazy_images
from scraper.models import Extracted
from scraper.sanitize import clean_html, html_to_text

logger = logging.getLogger(__name__)

__all__ = ["extract_generic", "PRECLEAN_DROP"]

# Blocks that are boilerplate on any news site. Deliberately narrow: a class merely
# containing "share" can wrap an article, so only well-known widget names are listed.
PRECLEAN_DROP = (
    ".appendQr_wrap", ".app-kaihu-qr", "[class*='qrcode']", "[class*='erweima']", "[id*='qrcode']",
    ".sina-comment-wrap", "#comments", ".comments", ".comment-list", "#disqus_thread",
    ".share-bar", ".social-share", ".bdsharebuttonbox", ".sharethis", ".addthis_toolbox",
    "ins.adsbygoogle", "ins.sinaads", "[data-ad-pdps]",
)


def _body_html(document: trafilatura.settings.Document) -> str:
    if document.body is None:
        return ""
    html_tree = convert_to_html(document.body)
    body = html_tree[0] if len(html_tree) else html_tree
    return etree.tostring(body, encoding="unicode", method="html")


def text_of(tree: LexborHTMLParser) -> str:
    body = tree.body
    return body.text(deep=True, separator="\n") if body is not None else ""


def extract_generic(text: str, url: str, site_zone: str | None = None, *, preclean: bool = True) -> Extracted | None:
    """Extract an article from any page; None when nothing article-like is found."""
    tree = LexborHTMLParser(text)
    meta = read_meta(tree, url, site_zone)
    root = tree.root
    if preclean and root is not None:
        drop_nodes(root, ALWAYS_DROP[1:] + PRECLEAN_DROP)  # keep JSON-LD scripts? trafilatura ignores them
        fix_lazy_images(root)
        text = tree.html or text
    document = trafilatura.bare_extraction(
        text,
        url=url,
        include_images=True,
        include_tables=True,
        include_formatting=True,
        include_links=True,
        include_comments=False,
        with_metadata=False,
    )
    if document is None or isinstance(document, dict):
        return None
    body_html, editor = split_editor(clean_html(_body_html(document), url))
    body_text = html_to_text(body_html)
    if not body_text:
        return None
    image = meta.image if meta.image and not is_junk_image(meta.image) else None
    if image is None and "<img" in body_html:
        image = first_content_image(LexborHTMLParser(body_html).body or tree.root, url)  # type: ignore[arg-type]
    title = strip_site_suffix(meta.title, meta.site_name, url)
    published = meta.published
    if published is None and site_zone is not None:
        published = visible_published(text_of(tree), title, site_zone)
    return Extracted(
        title=title,
        body_html=body_html,
        body_text=body_text,
        author=meta.author,
        source=meta.source,
        editor=editor,
        published=published,
        image=image,
        canonical_url=meta.canonical_url,
        rules="generic",
    )
