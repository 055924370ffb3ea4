"""The generic extractor for pages of unknown sites.

    page ─▶ lexbor parse ─▶ meta/JSON-LD ─▶ pre-clean (scripts, forms, nav, QR/share/comment
    blocks) ─▶ Chinese text? ─yes─▶ paragraph-density container (scraper.extract.density)
                             └no──▶ trafilatura on the pre-cleaned page (density as fallback)
    ─▶ nh3 sanitize ─▶ editor lines to metadata

Which path wins where was measured with benchmarks/bench_extract.py. Metadata comes from our
own meta/JSON-LD reader, which is cheaper than trafilatura's and keeps time zones.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC

import readability
import trafilatura
from lxml import etree
from selectolax.lexbor import LexborHTMLParser
from trafilatura.htmlprocessing import convert_to_html

from scraper.extract.byline import markup_byline, text_byline, text_source
from scraper.extract.choose import medoid
from scraper.extract.cleanup import (
    find_editor,
    names_the_site,
    split_editor,
    strip_site_suffix,
    visible_published,
)
from scraper.extract.density import ContentCandidate, find_content, prune_boilerplate
from scraper.extract.images import is_junk_image, lead_image
from scraper.extract.meta import read_meta
from scraper.extract.preclean import drop_invisible, drop_link_lists, drop_notices, flatten_math, unwrap_forms
from scraper.extract.sitepath import ALWAYS_DROP, drop_matching_paragraphs, drop_nodes, fix_lazy_images
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
# The JSON-LD scripts were read by read_meta before this runs.
# <form> is not dropped: ASP.NET-style pages wrap the whole page in one (preclean.unwrap_forms).
PRECLEAN_DROP_ALL = tuple(s for s in ALWAYS_DROP if s != "form") + PRECLEAN_DROP + ("nav", "aside", "footer")
# Dropped before anything else (the readability candidate gets the page at this stage).
_NEVER_TEXT = ("script", "style", "noscript", "iframe", "link", "svg", "template", "canvas", "object", "embed")
_CJK_THRESHOLD = 0.3
_CONFIDENT_CJK_CHARS = 300
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Whole paragraphs that are never article text on any site (disclaimers, app promos, topic links).
BOILERPLATE_PARAGRAPH = re.compile(
    r"^(?:免责声明|版权声明|特别声明|风险提示：本文|本文来源于|扫码下载|下载.{0,8}APP|点击进入专题|点击查看专题)"
    r"|^海量资讯、精准解读，尽在新浪财经APP$|^(?:相关新闻|相关阅读|相关报道|延伸阅读|推荐阅读)\s*[:：]?$"
)


def _body_html(document: trafilatura.settings.Document) -> str:
    if document.body is None:
        return ""
    html_tree = convert_to_html(document.body)
    body = html_tree[0] if len(html_tree) else html_tree
    return etree.tostring(body, encoding="unicode", method="html")


def _cjk_ratio(text: str) -> float:
    sample = text[:2000]
    letters = sum(1 for ch in sample if ch.isalpha())
    return len(_CJK.findall(sample)) / letters if letters else 0.0


def _guess_zone(tree: LexborHTMLParser) -> str | None:
    """Asia/Shanghai for Chinese-language pages of unknown sites (a saved file, a new host):
    they print local times without an offset, and every Chinese-speaking region is UTC+8."""
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or "").lower() if html_node is not None else ""
    if lang.startswith("zh"):
        return "Asia/Shanghai"
    title = tree.css_first("title")
    if title is not None and _cjk_ratio(title.text(deep=True)) >= 0.5:
        return "Asia/Shanghai"
    return None


def text_of(tree: LexborHTMLParser) -> str:
    body = tree.body
    return body.text(deep=True, separator="\n") if body is not None else ""


def _trafilatura_body(html: str, url: str) -> str:
    document = trafilatura.bare_extraction(
        html,
        url=url,
        fast=True,  # its own fallbacks are readability and justext: readability runs below anyway
        include_images=True,
        include_tables=True,
        include_formatting=True,
        include_links=True,
        include_comments=False,
        with_metadata=False,
    )
    if document is None or isinstance(document, dict):
        return ""
    return _body_html(document)


def _readability_body(html: str) -> str:
    try:
        return str(readability.Document(html).summary(html_partial=True))
    except (readability.readability.Unparseable, ValueError, TypeError, etree.LxmlError) as exc:
        logger.debug("readability found nothing: %s", exc)
        return ""


def _density_body(candidate: ContentCandidate) -> str:
    for node in candidate.nodes:
        prune_boilerplate(node)
    return "".join(node.html or "" for node in candidate.nodes)


def choose_body(tree: LexborHTMLParser, light_html: str, url: str, headline: str | None) -> tuple[str, str]:
    """The sanitized body HTML of a (pre-cleaned) page and the method that found it.

    Candidates: paragraph-density scoring on the selectolax tree, trafilatura on the same
    pre-cleaned page, and (only when those two disagree) readability on ``light_html``, the
    page with only hidden and image boilerplate removed. :func:`medoid` keeps the candidate
    the others agree with (scraper.extract.choose); a candidate that comes out empty after
    sanitizing never wins while another has text.
    """
    page_html = tree.html or ""  # before density pruning mutates the tree
    candidate = find_content(tree, headline)
    bodies = [drop_link_lists(clean_html(_density_body(candidate), url)) if candidate is not None else ""]
    texts = [html_to_text(bodies[0])]
    if len(texts[0]) >= _CONFIDENT_CJK_CHARS and _cjk_ratio(texts[0]) >= _CJK_THRESHOLD:
        # A long Chinese block: the scorer is right on such pages (measured), no second opinion.
        return bodies[0], "density"
    bodies.append(drop_link_lists(clean_html(_trafilatura_body(page_html, url), url)))
    texts.append(html_to_text(bodies[1]))

    def third() -> str:
        bodies.append(drop_link_lists(clean_html(_readability_body(light_html), url)))
        return html_to_text(bodies[-1])

    chosen = medoid(texts, third)
    return bodies[chosen], ("density", "trafilatura", "readability")[chosen]


def extract_generic(text: str, url: str, site_zone: str | None = None) -> Extracted | None:
    """Extract an article from any page; None when nothing article-like is found."""
    tree = LexborHTMLParser(text)
    site_zone = site_zone or _guess_zone(tree)
    meta = read_meta(tree, url, site_zone)
    root = tree.root
    if root is None:
        return None
    drop_nodes(root, _NEVER_TEXT)
    drop_invisible(root)
    drop_notices(root)
    flatten_math(root)
    light_html = tree.html or ""
    # Dates and bylines are read from the visible page before navigation, asides and footers
    # go: templates print the headline, date and author in an <aside> or <header> block too.
    page_text = text_of(tree)
    drop_nodes(root, PRECLEAN_DROP_ALL)
    unwrap_forms(root)
    fix_lazy_images(root)
    title = strip_site_suffix(meta.title, meta.site_name, url)
    published = meta.published or visible_published(page_text, title, site_zone)
    editor = find_editor(page_text)
    author = meta.author if meta.author and not names_the_site(meta.author, meta.title, title, meta.site_name) else None
    author = author or markup_byline(tree) or text_byline(page_text, title)
    source = meta.source or text_source(page_text, title)
    cleaned_body, method = choose_body(tree, light_html, url, title)
    body_html, body_editor = split_editor(cleaned_body.replace("\ufffd", ""))
    editor = editor or body_editor
    body_html = drop_matching_paragraphs(body_html, BOILERPLATE_PARAGRAPH, False)
    body_text = html_to_text(body_html)
    if not body_text:
        return None
    logger.debug("generic extraction of %s by %s: %d chars", url, method, len(body_text))
    image = meta.image if meta.image and not is_junk_image(meta.image) else None
    if image is None and "<img" in body_html:
        image = lead_image(body_html, url)
    return Extracted(
        title=title,
        body_html=body_html,
        body_text=body_text,
        author=author,
        source=source,
        editor=editor,
        published=published.astimezone(UTC) if published else None,
        published_offset=published.utcoffset() if published else None,
        image=image,
        canonical_url=meta.canonical_url,
        rules="generic",
    )
