"""Bylines and sources printed in the page rather than in its metadata.

English pages mark the byline in the markup (``rel=author``, ``itemprop=author``, a class or id
naming ``byline``/``author``); Chinese pages print it as text near the headline or at the end
of the body: ``作者：X``, ``记者 X``, ``本报记者 X Y``, ``文/X``. ``来源：`` names the source
(the publisher a story was taken from), never the author; ``责任编辑：`` names the editor
(:mod:`scraper.extract.cleanup`).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["markup_byline", "text_byline", "text_source"]

_BYLINE_SELECTOR = (
    "[rel='author'], [itemprop~='author'], [class*='byline'], [id*='byline'], [class*='author'], "
    "[id*='author'], [class*='writtenby']"
)
_NOT_BYLINE = re.compile(r"(^|[-_\s])(bio|avatar|image|img|photo|pic|follow|box|list|more|about|info|comments?)"
                         r"([-_\s]|$)", re.IGNORECASE)
_BY = re.compile(r"^\s*(?:by|von|par|por|written by)\s*[:：]?\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_MAX_BYLINE = 100
_NAME = r"[\u4e00-\u9fff·]{2,4}"
_NAMES = rf"{_NAME}(?:[ \u3000、,，和]{{1,2}}{_NAME}){{0,3}}"
_AFTER_NAME = r"(?=$|[\s\u3000）)】\]|,，。;；/]|报道|摄|发自)"
_CN_BYLINE = re.compile(
    rf"(?:^|[\s\u3000（(【\[|])(?:本报记者|特约记者|见习记者|记者|作者|撰文|文)\s*[:：/／|]?\s*({_NAMES}){_AFTER_NAME}",
    re.MULTILINE,
)
_CN_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s\u3000|<>()（）【】\[\]]{2,30})")
_TEXT_WINDOW = 6000


def _clean_name(text: str) -> str | None:
    name = _BY.sub("", _SPACES.sub(" ", text).strip()).strip(" |,-–—:：")
    return name or None


def markup_byline(tree: LexborHTMLParser) -> str | None:
    """The first short element marked as the byline (readability's rule), without "By "."""
    body = tree.body
    if body is None:
        return None
    for node in body.css(_BYLINE_SELECTOR):
        attrs = node.attributes
        if node.tag in ("html", "body", "article", "main", "section", "img", "meta", "link"):
            continue
        if _NOT_BYLINE.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}") and \
                attrs.get("rel") != "author":
            continue
        named: LexborNode | None = node.css_first("[itemprop~='name']")
        text = (named if named is not None else node).text(deep=True, separator=" ")
        text = _SPACES.sub(" ", text).strip()
        if 0 < len(text) < _MAX_BYLINE and any(ch.isalpha() for ch in text) and not text.isdigit():
            return _clean_name(text)
    return None


def _window(page_text: str, headline: str | None) -> str:
    anchor = page_text.find(headline[:12]) if headline else -1
    start = max(anchor, 0)
    return page_text[start:start + _TEXT_WINDOW]


def text_byline(page_text: str, headline: str | None) -> str | None:
    """A Chinese byline printed as text after the headline (``记者 张三 李四`` → ``张三、李四``)."""
    match = _CN_BYLINE.search(_window(page_text, headline))
    if match is None:
        return None
    names = re.split(r"[ \u3000、,，和]+", match.group(1).strip())
    return "、".join(dict.fromkeys(n for n in names if n)) or None


def text_source(page_text: str, headline: str | None) -> str | None:
    """The ``来源：`` credit after the headline: the publisher, not the author."""
    match = _CN_SOURCE.search(_window(page_text, headline))
    return match.group(1).strip(" :：") if match else None
