"""Allowlist sanitizing of article HTML (nh3) and its plain-text rendering.

``clean_html`` keeps only the structural tags an archived article needs (paragraphs,
headings, lists, tables, images with captions, links, emphasis, quotes, code) and only the
attributes that carry content (``href``, ``src``, ``alt``, ``title``, table spans). Scripts,
styles, iframes, forms, comments, ``on*`` handlers and ``javascript:`` URLs never survive.
Links and images are made absolute against the page URL (protocol-relative ``//host/x`` →
``https://host/x``), and wrappers left empty by the cleaning are dropped.

``{`` and ``}`` are *not* escaped here: the post renderer does that for Hexo (and it also breaks
Markdown link syntax, which Hexo's renderer would otherwise turn into live ``javascript:`` links).

Control characters (C0 but tab/newline/CR, DEL, C1: ESC, NUL, CSI…) never survive any of these
functions: they would reach a terminal through ``search``/``show``. :func:`clean_title` makes a
title plain text: tags are removed and a ``<`` that could open one is followed by a space.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from contextvars import ContextVar
from urllib.parse import urljoin

import nh3

logger = logging.getLogger(__name__)

__all__ = ["clean_html", "html_to_text", "absolute_url", "strip_controls", "clean_title"]

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TITLE_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_TITLE_SPACES = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """``text`` without C0/C1 control characters (tab, newline and CR are kept)."""
    return _CONTROLS.sub("", text)


def clean_title(title: str) -> str:
    """A title as plain text: no controls, no tags (``<script>x</script>`` → ``x``), one-line spaces."""
    text = _TITLE_TAG.sub("", strip_controls(title))
    text = _TAG_OPENER.sub("< ", text)
    return _TITLE_SPACES.sub(" ", text).strip()

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "img", "figure", "figcaption", "a", "strong", "em", "b", "i", "u", "sub", "sup",
        "blockquote", "pre", "code", "span", "div", "hr", "dl", "dt", "dd",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
# Removed together with everything inside them. Any other element not allowed is unwrapped:
# its text stays (a <form> wrapping a whole ASP.NET page, custom elements, <font>, <center>).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "noscript", "template", "object", "embed", "applet",
        "button", "input", "select", "textarea", "svg", "canvas", "video",
        "audio", "map", "head", "title", "meta", "link", "frameset", "frame", "nav",
    }
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_base_url: ContextVar[str] = ContextVar("_base_url", default="")

_EMPTY_BLOCK = re.compile(
    r"<(p|div|li|ul|ol|dl|dt|dd|figure|figcaption|blockquote|h[1-6]|pre|caption|thead|tbody|tfoot|tr|table)"
    r"(?:\s[^>]*)?>(?:\s|&nbsp;|\u3000|<br>)*</\1>"
)
# An empty inline wrapper may still separate two words ("misguided<em> </em>policy").
_EMPTY_INLINE = re.compile(r"<(span|strong|em|b|i|u|a|sub|sup|code)(?:\s[^>]*)?>((?:\s|&nbsp;|\u3000)*)</\1>")
_MAYBE_EMPTY = re.compile(r">(?:\s|&nbsp;|\u3000|<br>)*</")
_BLANK_LINES = re.compile(r">[ \t\r\f\v]*\n\s*<")  # whitespace left where comments/scripts were
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_ANCHOR_WITHOUT_HREF = re.compile(r"<a(?:\s+title=\"[^\"]*\")?>(.*?)</a>", re.DOTALL)
_INVISIBLE_OPEN = re.compile(r"<!--|<(script|style|noscript|template|head|title)\b", re.IGNORECASE)
_BLOCK_BOUNDARY = re.compile(
    r"<(?:/?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|table|tr|thead|tbody|tfoot|caption|blockquote|pre|figure"
    r"|figcaption|hr|section|article|header|footer|main|aside|body|html)\b[^<>]*|br\b[^<>]*)>",
    re.IGNORECASE,
)
_SOURCE_BREAKS = re.compile(r"[\r\n]+")
# [^<>]: a tag ends before the next "<" (cleaned HTML escapes "<" in attributes), so an unclosed
# "<" costs one scan to the next "<", not to the end of the text (which made these quadratic).
_CELL_BOUNDARY = re.compile(r"</?t[dh]\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")
_INLINE_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b\ufeff]+")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\ufeff]+")


def absolute_url(value: str, base_url: str) -> str | None:
    """Resolve ``value`` against ``base_url``; protocol-relative URLs become https.

    Returns None for URLs that must not be kept (``javascript:``, ``data:``, empty).
    """
    url = value.strip()
    if not url or url.startswith("#"):
        return url or None
    if url.startswith("//"):
        return "https:" + url
    lowered = url[:12].lower().replace("\t", "").replace("\n", "")
    if lowered.startswith(("javascript:", "data:", "vbscript:")):
        return None
    if base_url and "://" not in url[:12]:
        try:
            url = urljoin(base_url, url)
        except ValueError:
            return None
    return url


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr in ("href", "src"):
        return absolute_url(value, _base_url.get())
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=None,
    url_schemes=set(URL_SCHEMES),
)


MAX_DEPTH = 200
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
# Void elements never nest; these close themselves when a sibling opens (no depth either).
_NO_DEPTH = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot",
})


def limit_nesting(html: str, max_depth: int = MAX_DEPTH) -> str:
    """Drop the tags (not their text) nested deeper than ``max_depth``, in one linear pass.

    html5ever (inside nh3) gets super-quadratic on deep nesting: 80 000 nested ``<div>`` took
    11 minutes. No article nests 200 deep; below that nothing changes.
    """
    if html.count("<") <= max_depth:
        return html
    depth = 0
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if name in _NO_DEPTH:
            continue
        closing = bool(match.group(1))
        too_deep = depth >= max_depth if not closing else depth > max_depth
        depth = max(depth - 1, 0) if closing else depth + 1
        if too_deep:
            out.append(html[position:match.start()])
            position = match.end()
    if not out:
        return html
    out.append(html[position:])
    return "".join(out)


def clean_html(html: str, base_url: str) -> str:
    """Sanitize an article fragment to the allowlist; make URLs absolute; drop empty wrappers.

    ``html`` may be a fragment or a whole document; ``base_url`` is the page's URL.
    Returns the cleaned fragment (possibly ``""``). Never raises on malformed markup.
    """
    token = _base_url.set(base_url)
    try:
        cleaned = _CLEANER.clean(limit_nesting(strip_controls(html)))
    finally:
        _base_url.reset(token)
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    cleaned = _ANCHOR_WITHOUT_HREF.sub(r"\1", cleaned)
    previous = None if _MAYBE_EMPTY.search(cleaned) else cleaned
    while previous != cleaned:  # an emptied child can leave its parent empty in turn
        previous = cleaned
        cleaned = _EMPTY_INLINE.sub(lambda m: " " if m.group(2) else "", cleaned)
        cleaned = _EMPTY_BLOCK.sub("", cleaned)
    if "<pre" not in cleaned:
        cleaned = _BLANK_LINES.sub(">\n<", cleaned)
    return cleaned.strip()


def _drop_invisible(html: str) -> str:
    """Scripts, styles, … and comments replaced by a space, in linear time.

    The single regex this replaces (``<(script|…)\\b.*?</\\1\\s*>|<!--.*?-->``) rescanned the rest
    of the text from every unclosed ``<script`` or ``<!--`` (20 000 of them: two minutes). Here a
    closing mark found missing once is never searched again.
    """
    lowered = html.lower()
    missing: set[str] = set()
    out: list[str] = []
    position = 0
    while True:
        match = _INVISIBLE_OPEN.search(html, position)
        if match is None:
            out.append(html[position:])
            return "".join(out)
        close = "-->" if match.group(1) is None else "</" + match.group(1).lower()
        end = -1 if close in missing else lowered.find(close, match.end())
        if end < 0:
            missing.add(close)
            out.append(html[position:match.end()])  # unclosed: left as text, as the regex did
            position = match.end()
            continue
        if close != "-->":
            end = html.find(">", end)
            if end < 0:
                out.append(html[position:match.end()])
                position = match.end()
                continue
        else:
            end += 2
        out.append(html[position:match.start()] + " ")
        position = end + 1


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block, blocks separated by a blank line.

    Runs of whitespace inside a paragraph collapse to one space; the indentation ideographic
    spaces (``\\u3000``) that Chinese sites put before paragraphs are trimmed; table cells are
    separated by a space; scripts, styles, comments and images contribute nothing.
    """
    if not html or not html.strip():
        return ""
    text = _drop_invisible(strip_controls(html))
    if "<pre" not in text:  # a line break in the source is a space; paragraphs come from the markup
        text = _SOURCE_BREAKS.sub(" ", text)
    text = _BLOCK_BOUNDARY.sub("\n", text)
    text = _CELL_BOUNDARY.sub(" ", text)
    text = _INLINE_SPACES.sub(" ", strip_controls(htmllib.unescape(_ANY_TAG.sub("", text))))
    lines = (line.strip(" \u3000") for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)
