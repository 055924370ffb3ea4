"""Render an archived article as a Hexo post, byte-compatible with the seed system.

A pure function: a :class:`Post` in, the file's text out, no clock and no I/O. The layout is the
seed's (``\\n---\\n``, ``title``, ``categories`` (category, site, feed), ``headimg``, ``author``,
``comments: false``, ``date`` in RFC 1123 GMT, ``thumbnail``), then ``source_url`` and the archivist's
keys (``id``, ``guid``, ``source``, ``editor``, ``updated``, ``flags``, ``feeds``, ``duplicate_of``),
then the body inside ``<div>   `` … ``</div>``.

YAML stays valid for any value: free text is single-quoted with ``'`` doubled, line breaks and tabs
folded to spaces and characters YAML forbids dropped. Short labels (categories, author) are written
plain, as the seed does, only when a YAML reader gets the very same string back.
In the body ``{`` and ``}`` become ``&#123;``/``&#125;`` so Hexo's template engine never sees them,
and Markdown link syntax is broken (``](`` → ``]&#40;``, ``]:`` → ``]&#58;``): Hexo renders the post
file as Markdown, and after a blank line text like ``[click](javascript:…)`` would become a live
link. The entities show the same characters in a browser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache

import yaml

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters a YAML 1.1/1.2 reader refuses inside a scalar (PyYAML's NON_PRINTABLE, plus BOM).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAKS = re.compile("[\t\r\n\x85\u2028\u2029]+")
# Plain scalars a YAML 1.2 reader (js-yaml in Hexo) would turn into something other than a string.
_YAML12_SPECIAL = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|true|True|TRUE|false|False|FALSE|null|Null|NULL|~|<<|=)$"
)

# Labels that any YAML reader takes as the same string, checked without parsing (most of them):
# a letter or CJK character first, then letters, digits, CJK and "-./_" (no space, ":" or "#");
# or a hexadecimal id with a letter. Bare words YAML 1.1 reads as booleans or null are excluded.
_SAFE_PLAIN = re.compile(r"[^\W\d_][\w\-./]*|[0-9a-f]*[a-f][0-9a-f]*")
_YAML11_WORDS = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false", "null"})
# Wider, for labels like an imported post's guid (``hexo:<date>|<title>``): a letter or CJK
# character first (no YAML indicator, number or date), no whitespace but plain spaces, no
# ": " or " #", not ending in ":". PyYAML reads every such text back unchanged (its implicit types
# that start with a letter are the YAML 1.1 words above); tests/test_render.py checks it against
# PyYAML on generated labels. Saves a YAML parse per post (~0.2 ms).
_PLAIN_AT_SIGHT = re.compile(r"[^\W\d_](?:\S| )*")


@dataclass(frozen=True)
class Post:
    """What a post file shows. ``extra`` holds the archivist's keys, in order, after ``source_url``."""

    title: str
    category: str
    site: str
    feed: str
    image: str
    published: datetime
    source_url: str
    body_html: str
    extra: Sequence[tuple[str, str | Sequence[str]]] = field(default_factory=tuple)


def clean_text(value: str) -> str:
    """Fold line breaks/tabs to one space and drop characters YAML cannot hold."""
    return _NON_PRINTABLE.sub("", _LINE_BREAKS.sub(" ", value))


def quoted(value: str) -> str:
    """A YAML single-quoted scalar that reads back as ``clean_text(value)``."""
    return "'" + clean_text(value).replace("'", "''") + "'"


@lru_cache(maxsize=4096)
def plain_or_quoted(value: str) -> str:
    """The seed writes labels plain; do so only when YAML reads the plain form back unchanged."""
    text = clean_text(value)
    if text and text == text.strip() and not _YAML12_SPECIAL.match(text):
        if _SAFE_PLAIN.fullmatch(text) and text.lower() not in _YAML11_WORDS:
            return text
        if (_PLAIN_AT_SIGHT.fullmatch(text) and ": " not in text and " #" not in text and not text.endswith(":")
                and text.lower() not in _YAML11_WORDS):
            return text
        try:
            if yaml.load("k: " + text, Loader=_SafeLoader) == {"k": text}:  # noqa: S506 (safe loader)
                return text
        except yaml.YAMLError:
            pass
    return quoted(text)


def rfc1123(moment: datetime) -> str:
    """``Tue, 08 Feb 2022 08:00:05 GMT`` (locale-independent)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def escape_braces(html: str) -> str:
    """``{``/``}`` as HTML entities, so Nunjucks in Hexo never reads them as template tags."""
    return html.replace("{", "&#123;").replace("}", "&#125;")


_MD_LINK_OPEN = re.compile(r"\]([ \t]*)([(:])")
_MD_ENTITY = {"(": "&#40;", ":": "&#58;"}


def neutralize_markdown(html: str) -> str:
    """No Markdown link, image or link reference definition can form from the body's text."""
    return _MD_LINK_OPEN.sub(lambda m: "]" + m.group(1) + _MD_ENTITY[m.group(2)], html)


def render_post(post: Post) -> str:
    """The complete post file text for ``post`` (see the module docstring for the layout)."""
    image = quoted(post.image)
    lines = [
        "",
        "---",
        "title: " + quoted(post.title),
        "categories: ",
        " - " + plain_or_quoted(post.category),
        " - " + plain_or_quoted(post.site),
        " - " + plain_or_quoted(post.feed),
        "headimg: " + image,
        "author: " + plain_or_quoted(post.site),
        "comments: false",
        "date: " + rfc1123(post.published),
        "thumbnail: " + image,
        "source_url: " + quoted(post.source_url),
    ]
    for key, value in post.extra:
        if isinstance(value, str):
            lines.append(f"{key}: {plain_or_quoted(value)}")
        elif value:
            lines.append(f"{key}: ")
            lines.extend(" - " + plain_or_quoted(item) for item in value)
    lines += ["---", "", "<div>   ", escape_braces(neutralize_markdown(post.body_html)), "</div>", ""]
    return "\n".join(lines)
