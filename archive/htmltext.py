"""Visible text of an HTML fragment (``html_to_text``): one line per block, entities decoded.

The reference is ``html.parser.HTMLParser`` (``_TextCollector``): it copes with any markup, but
is pure Python and costs about half a millisecond for a post's body. Bodies newsroll stores are
simple (cleaned HTML: plain start and end tags, quoted attributes, no comments or scripts), so
``html_to_text`` first tries a fast path that splits the fragment on its tags with one regular
expression; it declines (returns None) as soon as the fragment holds anything else — a ``<`` that
does not open a plain tag, a comment, a declaration, a script or style element, an attribute value
with ``<`` or ``>`` in it — and the HTMLParser reads those. Both give the same text (the tests in
``tests/test_htmltext.py`` compare them on tricky fragments and on the saved pages of the fixtures).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

SKIP = frozenset({"script", "style", "noscript", "template"})
BLOCK = frozenset({
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article",
})
_ATTRIBUTE = r"""\s+[^\s"'>/=<]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))?"""
# a plain start tag (its name in group 1) or end tag (group 2); nothing else is read on the fast path
_TAG = re.compile(rf"<(?:([a-zA-Z][a-zA-Z0-9]*)(?:{_ATTRIBUTE})*\s*/?|/([a-zA-Z][a-zA-Z0-9]*)\s*)>")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += 1
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP and self.skip:
            self.skip -= 1
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, one line per block, entities decoded."""
    parts = fast_parts(html)
    if parts is None:
        parts = parser_parts(html)
    lines = (" ".join(line.split()) for line in unescape("".join(parts)).splitlines())
    return "\n".join(line for line in lines if line)


def parser_parts(html: str) -> list[str]:
    """The text pieces and block breaks HTMLParser finds (any markup)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.parts


def fast_parts(html: str) -> list[str] | None:
    """The same pieces for a fragment of plain tags only, or None when it holds anything else.

    The breaks may differ in number from HTMLParser's (a self-closing ``<br/>``), never in place:
    the text joins them into blank lines, which it drops."""
    pieces = _TAG.split(html)
    parts: list[str] = []
    for i in range(0, len(pieces), 3):
        data = pieces[i]
        if "<" in data:
            return None
        if data:
            parts.append(unescape(data) if "&" in data else data)
        if i + 1 < len(pieces):
            name = (pieces[i + 1] or pieces[i + 2]).lower()
            if name in SKIP:
                return None
            if name in BLOCK:
                parts.append("\n")
    return parts
