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
_MAX_WORDS = 10  # longer is a menu or a bio, not a byline
_UI_WORDS = re.compile(r"\b(?:sign in|sign up|log ?in|account|menu|subscribe|follow|share|comments?|"
                       r"search|newsletter)\b", re.IGNORECASE)
# Inside a byline block, the element that holds just the name.
_NAME_INSIDE = ("[itemprop~='name'], [rel='author'], a[href*='/author'], a[href*='/people/'], "
                "a[href*='/staff/'], a[href*='/profile'], [class*='author-name'], [class*='authorName']")
# What follows the name in a byline block: a date, a time ago, a separator, a role.
_TRAILER = re.compile(
    r"\s*(?:[•|·]|\s-\s|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,2}\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{1,4}[/.:-]\d|\d+\s*(?:h|m|min|hours?|days?)\b|"
    r"\b(?:před|il y a|hace|vor)\b|\b(?:updated|published|posted)\b)",
    re.IGNORECASE,
)
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
        named: LexborNode | None = node.css_first(_NAME_INSIDE)
        text = (named if named is not None else node).text(deep=True, separator=" ")
        text = _TRAILER.split(_SPACES.sub(" ", text).strip(), maxsplit=1)[0].strip()
        if len(text.split()) > _MAX_WORDS and "," in text:  # "Name, Senior Staff Technologist, ACLU …"
            text = text.split(",", 1)[0]
        if _looks_like_name(text):
            return _clean_name(text)
    return None


def _looks_like_name(text: str) -> bool:
    if not 0 < len(text) < _MAX_BYLINE or len(text.split()) > _MAX_WORDS or any(ch.isdigit() for ch in text):
        return False
    if _UI_WORDS.search(text) or sum(ch.isalpha() for ch in text) < 0.6 * len(text.replace(" ", "")):
        return False
    return any(ch.isupper() for ch in text) or bool(re.search(r"[\u3400-\u9fff]", text))


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
