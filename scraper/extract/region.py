"""The fast path's page slicing: keep the head's tags and the article region only.

A site's rules may name literal ``region_start`` markers (the title element, say) and
``region_end`` markers (a comment closing the body). The slice between them plus the head's
``<meta>``/``<link>``/``<title>``/JSON-LD tags is a small document that parses in a tenth of
the time of the whole page. On bytes, the slice is cut *before* decoding (markers encoded in
the page's stated charset) and only the slice is decoded, strictly, with the same rule as
:func:`scraper.charset.decode_html`: valid non-ASCII UTF-8 beats a legacy label, and a slice
that does not decode under the stated charset gives up (the caller then decodes the whole
page with every fallback).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import AnyStr

from scraper.charset import stated_charsets
from scraper.extract.rules import SiteRules

__all__ = ["lite_document", "lite_document_from_bytes"]

_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_HEAD_TAGS_PATTERN = (
    r"<(?:meta|link)\b[^>]*>|<title\b[^>]*>.*?</title\s*>"
    r"|<script\b[^>]*application/ld\+json[^>]*>.*?</script\s*>"
)
_HEAD_TAGS = re.compile(_HEAD_TAGS_PATTERN, re.IGNORECASE | re.DOTALL)
_HEAD_END_B = re.compile(rb"</head\s*>", re.IGNORECASE)
_HEAD_TAGS_B = re.compile(_HEAD_TAGS_PATTERN.encode(), re.IGNORECASE | re.DOTALL)
_MAX_REGION = 512 * 1024
_ASCII_COMPATIBLE = frozenset({"utf-8", "gb18030", "big5hkscs", "windows-1252", "shift_jis", "euc_kr", "euc_jp"})


def _first(page: AnyStr, markers: tuple[AnyStr, ...], start: int, stop: int) -> int:
    """Position of the first marker *in list order* found in ``page[start:stop]``, or -1."""
    for marker in markers:
        pos = page.find(marker, start, stop)
        if pos >= 0:
            return pos
    return -1


def _cut(
    page: AnyStr, starts: tuple[AnyStr, ...], ends: tuple[AnyStr, ...], lt: AnyStr,
    head_end: re.Pattern[AnyStr], head_tags: re.Pattern[AnyStr],
) -> tuple[list[AnyStr], AnyStr] | None:
    found = _first(page, starts, 0, len(page))
    if found < 0:
        return None
    start = max(page.rfind(lt, 0, found), 0)
    end = _first(page, ends, start, start + _MAX_REGION)  # a marker further away is not this article's
    end = len(page) if end < 0 else max(page.rfind(lt, start, end + 1), start)
    head_stop = page.find(lt + (b"/head>" if isinstance(page, bytes) else "/head>"), 0, start)  # type: ignore[operator]
    if head_stop < 0:
        head_match = head_end.search(page, 0, start)
        head_stop = head_match.start() if head_match else start
    head = page[:head_stop]
    return head_tags.findall(head), page[start:end]


def _wrap(head_tags: str, region: str) -> str:
    return f"<html><head>{head_tags}</head><body>{region}</body></html>"


def lite_document(text: str, rules: SiteRules) -> str | None:
    """Head tags + the article region of a decoded page; None without region markers."""
    if not rules.region_start:
        return None
    cut = _cut(text, rules.region_start, rules.region_end, "<", _HEAD_END, _HEAD_TAGS)
    if cut is None:
        return None
    return _wrap("".join(cut[0]), cut[1])


@lru_cache(maxsize=256)
def _encoded(markers: tuple[str, ...], codec: str) -> tuple[bytes, ...]:
    encoded = []
    for marker in markers:
        try:
            encoded.append(marker.encode(codec))
        except UnicodeEncodeError:
            continue
    return tuple(encoded)


def _decode(raw: bytes, codec: str) -> str | None:
    if codec != "utf-8" and not raw.isascii():
        try:
            return raw.decode("utf-8")  # valid UTF-8 under a legacy label: the label is wrong
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def lite_document_from_bytes(content: bytes, rules: SiteRules, header_charset: str | None) -> str | None:
    """Like :func:`lite_document` but slices the raw bytes and decodes only the slice.

    Each stated charset (header, then the page's own declaration) is tried in turn; returns
    None (use the slow path) without markers, without a usable stated charset, or when the
    slice does not decode strictly under any of them.
    """
    if not rules.region_start:
        return None
    for codec in stated_charsets(content, header_charset):
        if codec not in _ASCII_COMPATIBLE:
            continue
        starts = _encoded(rules.region_start, codec)
        cut = _cut(content, starts, _encoded(rules.region_end, codec), b"<", _HEAD_END_B, _HEAD_TAGS_B)
        if cut is None:
            continue
        head = _decode(b"".join(cut[0]), codec)
        region = _decode(cut[1], codec)
        if head is not None and region is not None:
            return _wrap(head, region)
    return None
