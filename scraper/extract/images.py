"""Choosing an article's lead image: the first real content image, never a QR code, logo,
icon, avatar, share button or tracking pixel."""

from __future__ import annotations

import logging
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.sanitize import absolute_url

logger = logging.getLogger(__name__)

__all__ = ["is_junk_image", "lead_image", "image_src"]

# Non-content images, recognised from words in the file name, alt text or an ancestor's
# class/id. Substrings are unambiguous; tokens must be a whole part between - _ . or spaces
# ("share" marks a share button, "shareholders" does not).
_JUNK_SUBSTRINGS = ("qrcode", "qr_code", "qr-code", "erweima", "二维码", "扫码", "logo", "favicon", "avatar",
                    "sprite", "spacer", "weixin", "wechat", "appendqr", "kaihu")
_JUNK_TOKENS = frozenset(
    {"qr", "icon", "icons", "ico", "share", "sns", "pixel", "blank", "1x1", "btn", "button", "badge", "emoji",
     "emoticon", "loading", "placeholder", "ad", "ads", "advert", "beacon", "track", "tracking", "wx",
     "face", "gravatar", "social", "follow", "subscribe"}
)
_SPACER_FILE = re.compile(r"/(?:space|spacer|blank|transparent|clear|pixel|dot|none|s)\.(?:gif|png)$", re.IGNORECASE)
_SPLIT = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


def _junk_words(text: str) -> bool:
    lowered = text.lower()
    if any(word in lowered for word in _JUNK_SUBSTRINGS):
        return True
    return any(token in _JUNK_TOKENS for token in _SPLIT.split(lowered))


# Known fixed junk images: Sina's "海量资讯、精准解读，尽在新浪财经APP" QR code (2020-05-14 on).
_JUNK_URLS = re.compile(r"n\.sinaimg\.cn/finance/cece9e13/20200514/343233024\.png|/qrcode/|/qr/", re.IGNORECASE)
_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url", "data-echo")
_MIN_SIDE = 50
_ANCESTOR_DEPTH = 3


def image_src(node: LexborNode) -> str | None:
    """The real source of an ``<img>``: lazy-loading attributes win over a placeholder src."""
    attrs = node.attributes
    for name in _LAZY_ATTRS:
        value = attrs.get(name)
        if value and not value.startswith("data:"):
            return value
    src = attrs.get("src")
    if src and not src.startswith("data:"):
        return src
    srcset = attrs.get("srcset") or attrs.get("data-srcset")
    if srcset:
        return srcset.split(",")[0].strip().split(" ")[0] or None
    return None


def _small(value: str | None) -> bool:
    if not value:
        return False
    digits = re.match(r"\s*(\d+)", value)
    return digits is not None and int(digits.group(1)) < _MIN_SIDE


def is_junk_image(src: str, *, alt: str = "", width: str | None = None, height: str | None = None,
                  context: str = "") -> bool:
    """True for QR codes, logos, icons, avatars, share buttons, tracking pixels and tiny images.

    ``context`` is the class/id text of the image's nearest ancestors.
    """
    if not src or _JUNK_URLS.search(src):
        return True
    path = src.split("?", 1)[0]
    if _junk_words(path.rsplit("/", 1)[-1]):
        return True
    if path.lower().endswith((".svg", ".ico")) or _SPACER_FILE.search(path):
        return True
    if _small(width) or _small(height):
        return True
    return _junk_words(alt) or _junk_words(context)


def _context(node: LexborNode) -> str:
    parts: list[str] = []
    parent = node.parent
    for _ in range(_ANCESTOR_DEPTH):
        if parent is None or parent.tag in ("body", "html", "article"):
            break
        attrs = parent.attributes
        parts.append(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
        parent = parent.parent
    return " ".join(parts)


def first_content_image(root: LexborNode, base_url: str) -> str | None:
    """The first acceptable image under ``root`` (a parsed node), made absolute."""
    for node in root.css("img"):
        src = image_src(node)
        if not src:
            continue
        attrs = node.attributes
        if is_junk_image(src, alt=attrs.get("alt") or "", width=attrs.get("width"),
                         height=attrs.get("height"), context=_context(node)):
            continue
        resolved = absolute_url(src, base_url)
        if resolved and resolved.startswith(("http://", "https://")):
            return resolved
    return None


def lead_image(html: str, base_url: str) -> str | None:
    """The first content image of an HTML fragment, skipping QR codes, logos, icons and pixels.

    Returns an absolute URL, or None when the fragment has no acceptable image.
    """
    if "<img" not in html:
        return None
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    return first_content_image(root, base_url) if root is not None else None
