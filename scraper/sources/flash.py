"""Titles for flash items (快讯/电报): they have a text and no title of their own.

Pure. The wires write a headline as a leading 【…】; otherwise the title is the first sentence,
cut at a sensible length on a character boundary. ``flash_item`` makes the FeedItem of a flash.
"""

from __future__ import annotations

import re
from datetime import datetime

from scraper.models import FeedItem
from scraper.sources.common import escaped_html

MAX_TITLE = 60  # characters; a longer first sentence is cut and marked with "…"

_BRACKETED = re.compile(r"^\s*(?:[\[(（]?\s*)?【([^【】]{2,120})】")
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?:\s|$)")
_SPACE = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]+>")


def flash_title(text: str, *, max_chars: int = MAX_TITLE) -> str:
    """The headline of a flash text: its leading 【…】, else its first sentence (cut at ``max_chars``)."""
    plain = _SPACE.sub(" ", _TAGS.sub(" ", text)).strip()
    if not plain:
        return ""
    match = _BRACKETED.match(plain)
    if match:
        return match.group(1).strip()
    end = _SENTENCE_END.search(plain)
    sentence = plain[: end.start()] if end else plain
    # drop a dateline such as "财联社12月7日电，" so the title starts with the news
    sentence = re.sub(r"^[^，,]{2,20}?\d{1,2}月\d{1,2}日(?:讯|电)[，,：:]\s*", "", sentence) or sentence
    if len(sentence) > max_chars:
        return sentence[: max_chars - 1].rstrip("，,、：: ") + "…"
    return sentence.strip()


def strip_title_prefix(text: str) -> str:
    """The flash text without its leading 【headline】 (the headline becomes the post's title)."""
    match = _BRACKETED.match(text)
    return text[match.end():].lstrip() if match else text


def flash_item(
    *,
    url: str,
    guid: str,
    text: str,
    published: datetime | None,
    title: str = "",
    important: bool | None = None,
    stocks: tuple[str, ...] = (),
    author: str | None = None,
    image: str | None = None,
) -> FeedItem:
    """A flash (快讯) item: its plain text is the post body; its title is its own or the text's headline.

    A leading 【headline】 leaves the body (it is the title), unless nothing else is left.
    """
    headline = " ".join(title.split()) or flash_title(text)
    body = strip_title_prefix(text).strip() or text
    return FeedItem(
        url=url,
        title=headline,
        guid=guid,
        content_html=escaped_html(body),
        published=published,
        author=author or None,
        image=image or None,
        important=important,
        stocks=stocks,
        flash=True,
    )
