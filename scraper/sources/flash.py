"""Titles for flash items (快讯/电报): they have a text and no title of their own.

Pure. The wires write a headline as a leading 【…】; otherwise the title is the first sentence,
cut at a sensible length on a character boundary.
"""

from __future__ import annotations

import re

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
