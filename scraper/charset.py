"""Decode an HTML page's bytes to text without mojibake.

Order of evidence (first strict decode wins):

1. a byte-order mark;
2. the charset of the HTTP ``Content-Type`` header;
3. the document's own declaration (``<meta charset>``, ``http-equiv`` Content-Type,
   or an XML prolog ``encoding``) in the first 4 KB (then, if none, the first 64 KB);
4. detection with charset-normalizer.

A candidate is used only if the bytes decode *strictly* under it, so a header that lies
(``charset=utf-8`` on a GBK page) falls through to the next piece of evidence instead of
producing replacement characters. Legacy single- and double-byte codecs accept almost any
byte string, so when such a candidate is chosen but the bytes are also valid, non-ASCII
UTF-8, UTF-8 wins: text in GBK or Latin-1 is practically never valid UTF-8 by accident.

GB2312 and GBK are always read as GB18030 (their superset), Latin-1/ASCII as
windows-1252, as browsers do.
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

__all__ = ["decode_html", "normalize_charset", "stated_charsets"]

_PRESCAN = 4096
_EXTENDED_PRESCAN = 65536

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # must precede UTF-16 LE (same first two bytes)
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Searched inside one tag at a time (see _tags): a pattern spanning "<meta" … "charset" over the
# whole page rescans the rest of it from every "<meta" when no ">" follows (quadratic).
_META_START = re.compile(rb"<meta", re.IGNORECASE)
_CHARSET_ATTR = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_RAW_TEXT = (b"<script", b"<style")
_XML_PROLOG = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.IGNORECASE)

# Aliases that Python spells differently or that browsers widen to a superset.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "windows-936": "gb18030",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "l1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "cp1252": "windows-1252",
    "big5": "big5hkscs",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
    "ks_c_5601-1987": "euc-kr",
    "unicode": "utf-16-le",
}

_PREFERENCE = {
    name: rank
    for rank, name in enumerate(["utf-8", "gb18030", "windows-1252", "big5hkscs", "shift_jis", "euc_kr", "euc_jp"])
}

_UTF8_NAMES = {"utf-8", "utf8", "unicode-1-1-utf-8", "utf-8-sig"}


def normalize_charset(name: str | None) -> str | None:
    """Return the codec to use for a declared charset label, or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _UTF8_NAMES:
        return "utf-8"
    label = _ALIASES.get(label, label)
    try:
        canonical = codecs.lookup(label).name
    except LookupError:
        return None
    canonical = _ALIASES.get(canonical, canonical)
    if canonical in {"utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"}:
        # A document that can be prescanned as ASCII is not UTF-16 whatever it says (WHATWG).
        return None
    if canonical in {"utf-8", "utf_8"}:
        return "utf-8"
    return canonical


def _declared_charset(content: bytes) -> str | None:
    """The document's own declaration: XML prolog or <meta>, searched near the start."""
    head = content[:_PRESCAN]
    prolog = _XML_PROLOG.match(head)
    if prolog is not None:
        return prolog.group(1).decode("ascii", "ignore")
    return _meta_charset(head) or _meta_charset(content[:_EXTENDED_PRESCAN])


def _meta_charset(content: bytes) -> str | None:
    """The charset of the first ``<meta … charset=…>``; linear: each tag is looked at once."""
    position = 0
    while True:
        match = _META_START.search(content, position)
        if match is None:
            return None
        end = content.find(b">", match.end())
        tag = content[match.end():] if end < 0 else content[match.end():end]
        charset = _CHARSET_ATTR.search(tag)
        if charset is not None:
            return charset.group(1).decode("ascii", "ignore")
        if end < 0:
            return None
        position = end + 1


def strip_markup(content: bytes) -> bytes:
    """``content`` with tags, comments, scripts and styles replaced by a space, in linear time.

    A scan with ``find`` that remembers which closing marks no longer occur: the regex this
    replaces (``<(script|style)\\b.*?</\\1>|<!--.*?-->|<[^>]*>``) rescanned the rest of the page
    from every unclosed ``<script`` (18 s for 140 KB, 279 s for 560 KB).
    """
    lowered = content.lower()
    out: list[bytes] = []
    missing: set[bytes] = set()  # closing marks known to be absent from here on
    position = 0
    size = len(content)

    def find(mark: bytes, start: int) -> int:
        if mark in missing:
            return -1
        found = lowered.find(mark, start)
        if found < 0:
            missing.add(mark)
        return found

    while position < size:
        start = content.find(b"<", position)
        if start < 0:
            out.append(content[position:])
            break
        out.append(content[position:start])
        out.append(b" ")
        if lowered.startswith(b"<!--", start):
            end = find(b"-->", start + 4)
            position = size if end < 0 else end + 3
            continue
        raw = next((name for name in _RAW_TEXT
                    if lowered.startswith(name, start) and not lowered[start + len(name):start + len(name) + 1].isalnum()),
                   None)
        if raw is not None:
            close = find(b"</" + raw[1:], start + len(raw))
            if close >= 0:
                end = find(b">", close)
                position = size if end < 0 else end + 1
                continue
        end = find(b">", start + 1)
        if end < 0:  # no tag closes any more: the rest is text
            out.append(content[start + 1:])
            break
        position = end + 1
    return b"".join(out)


def stated_charsets(content: bytes, header_charset: str | None) -> list[str]:
    """The codecs a page *claims*, in order of authority (BOM, header, its own declaration),
    without decoding it. Cheap; for callers that decode only part of a page and verify that
    part strictly."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return [codec]
    claims = [normalize_charset(header_charset), normalize_charset(_declared_charset(content))]
    return list(dict.fromkeys(codec for codec in claims if codec is not None))


def _strict(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(content: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported lazily: only needed for undeclared pages

    # Markup, scripts and styles are ASCII noise that drowns the signal; a sample cut in the
    # middle of a multi-byte character would rule the right codec out, so no truncation.
    text_bytes = strip_markup(content)
    matches = list(from_bytes(text_bytes))
    if not matches:
        return None
    best = matches[0]
    # Short samples often tie between related code pages (cp1250/cp1252, gb18030/utf-16);
    # among equally good readings prefer the ones common on news sites.
    ties = [m for m in matches if m.chaos <= best.chaos + 0.001 and m.coherence >= best.coherence - 0.02]
    ties.sort(key=lambda m: _PREFERENCE.get(normalize_charset(m.encoding) or "", len(_PREFERENCE)))
    return normalize_charset(ties[0].encoding)


def decode_html(content: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode page bytes; return ``(text, codec_used)``.

    ``header_charset`` is the ``charset`` parameter of the HTTP Content-Type header, if any.
    Never raises for odd input: when nothing decodes strictly, the reading with the fewest
    undecodable bytes wins and those bytes are dropped (no U+FFFD).
    """
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return content[len(bom):].decode(codec, errors="replace"), codec

    utf8_text: str | None = None
    non_ascii = not content.isascii()
    if non_ascii:
        utf8_text = _strict(content, "utf-8")

    candidates = [normalize_charset(header_charset), normalize_charset(_declared_charset(content))]
    tried: set[str] = set()
    for candidate in candidates:
        if candidate is None or candidate in tried:
            continue
        codec = candidate
        tried.add(codec)
        if codec == "utf-8":
            if not non_ascii:
                return content.decode("ascii"), "utf-8"
            if utf8_text is not None:
                return utf8_text, "utf-8"
            logger.debug("bytes are not valid UTF-8 despite the declaration; trying other evidence")
            continue
        if utf8_text is not None:
            # Valid non-ASCII UTF-8 under a legacy label: the label is wrong (see module doc).
            return utf8_text, "utf-8"
        text = _strict(content, codec)
        if text is not None:
            return text, codec

    if not non_ascii:
        return content.decode("ascii"), "utf-8"
    if utf8_text is not None:
        return utf8_text, "utf-8"
    detected = _detect(content)
    if detected is not None:
        text = _strict(content, detected)
        if text is not None:
            return text, detected
    # Nothing decodes strictly (a few invalid bytes): the reading with the fewest errors wins,
    # the stated codecs first on ties, and the bad bytes are dropped, never turned into U+FFFD.
    readings = list(dict.fromkeys(c for c in (*candidates, detected, "utf-8", "gb18030") if c is not None))
    best = min(readings, key=lambda codec: _errors(content, codec))
    return content.decode(best, errors="ignore"), best


def _errors(content: bytes, codec: str) -> int:
    """How many undecodable bytes ``content`` has under ``codec``."""
    try:
        return content.decode(codec, errors="replace").count("\ufffd")
    except LookupError:
        return len(content)
