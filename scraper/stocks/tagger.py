"""Tag a text with the companies it is about. Pure: text (and the directory) in, StockTags out.

Two passes over the normalized text (full-width letters, digits and brackets folded as NFKC
would; spaces between Chinese characters dropped, so ``万  科Ａ`` reads ``万科A``):

1. codes written in the text (scraper.stocks.textcodes), ``how="code"``;
2. company short names of the directory, ``how="name"``: at each position the longest name
   wins and the scan goes on after it (a name inside a longer name is not tagged), and a name is
   not tagged when it is in the stop list, runs into letters or digits (``ST``, ``TCL``), or is
   followed by what makes it a place or a news source (``连云港市``, ``同花顺数据``, ``东方财富网``).

:func:`merge_tags` joins tags of several origins, keeping for each company the most reliable way
it was found (source > link > code > name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scraper.models import StockTag
from scraper.stocks.directory import StockDirectory
from scraper.stocks.textcodes import find_codes

HOW_ORDER = ("source", "link", "code", "name")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
# What NFKC does that matters here (full-width letters, digits, brackets, colon; the ideographic
# space), at half its cost: CJK text is never NFKC-normal (its "，" is full-width).
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# After a name: it is a place (路, 市…) or a news/data source (网, 数据, 财经…), not the company.
_NOT_COMPANY_AFTER = ("网", "数据", "财经", "新闻", "号", "Choice", "iFinD", "客户端", "APP", "App")
_PLACE_CHARS = frozenset("路街道镇村县市区省站")
_COMPANY_WORDS = ("证券", "股份", "集团", "公司", "控股")


def _cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def normalize_text(text: str) -> str:
    """Full-width forms folded to ASCII, and no spaces between Chinese characters (or before a
    class letter: ``万  科Ａ`` → ``万科A``)."""
    text = text.translate(_FULL_WIDTH)

    def squeeze(match: re.Match[str]) -> str:
        start, end = match.start(), match.end()
        if 0 < start and end < len(text) and _cjk(text[start - 1]):
            after = text[end]
            if _cjk(after) or (after.isascii() and after.isalpha()):
                return ""
        return match.group()

    return _SPACES.sub(squeeze, text)


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def find_names(text: str, directory: StockDirectory) -> list[tuple[str, str, int]]:
    """``(code, name as written, position)`` of company names in normalized ``text``.

    A scan by the first two characters (one set lookup rejects almost every position; a regex
    alternation of 6,000 names, or an Aho-Corasick automaton, measured no faster); the longest
    name at a position wins and the scan goes on after it.
    """
    found: list[tuple[str, str, int]] = []
    lengths, by_name, stop = directory.lengths, directory.by_name, directory.stop
    size = len(text)
    i = 0
    while i < size:
        options = lengths.get(text[i : i + 2])
        if options is not None:
            for length in options:
                candidate = text[i : i + length]
                code = by_name.get(candidate)
                if code is None:
                    continue
                if _is_company(text, i, i + length, candidate, stop):
                    found.append((code, candidate, i))
                i += length - 1
                break
        i += 1
    return found


def _is_company(text: str, start: int, end: int, name: str, stop: frozenset[str]) -> bool:
    if name in stop:  # a common word, unless the text says it is the company: 太平洋证券, 机器人股份
        return text.startswith(_COMPANY_WORDS, end)
    if start > 0 and _ascii_alnum(name[0]) and _ascii_alnum(text[start - 1]):
        return False
    if end < len(text):
        after = text[end]
        if (_ascii_alnum(name[-1]) and _ascii_alnum(after)) or after in _PLACE_CHARS:
            return False
        if text.startswith(_NOT_COMPANY_AFTER, end):
            return False
    return True


def tag_text(text: str, directory: StockDirectory) -> tuple[StockTag, ...]:
    """The companies ``text`` names, each once: codes written in it, then names, in order of appearance."""
    normalized = normalize_text(text)
    by_code: dict[str, StockTag] = {}
    for code, written, _ in sorted(find_codes(normalized), key=lambda hit: hit[2]):
        if code not in by_code:
            by_code[code] = StockTag(code, directory.name_of(code) or written, "code")
    for code, written, _ in find_names(normalized, directory):
        if code not in by_code:
            by_code[code] = StockTag(code, directory.name_of(code) or written, "name")
    return tuple(by_code.values())


def source_tags(codes: Iterable[str], directory: StockDirectory, how: str = "source") -> tuple[StockTag, ...]:
    """Tags for codes a source's data or a page's links gave (already normalized)."""
    return tuple(StockTag(code, directory.name_of(code), how) for code in dict.fromkeys(codes))


def merge_tags(*groups: Iterable[StockTag]) -> tuple[StockTag, ...]:
    """One tag per company, the most reliable ``how`` kept, a name filled from any group that has one.

    Ordered by reliability, then by first appearance.
    """
    best: dict[str, StockTag] = {}
    for group in groups:
        for tag in group:
            held = best.get(tag.code)
            if held is None:
                best[tag.code] = tag
                continue
            better = tag if HOW_ORDER.index(tag.how) < HOW_ORDER.index(held.how) else held
            best[tag.code] = StockTag(tag.code, better.name or held.name or tag.name, better.how)
    order = {code: n for n, code in enumerate(best)}
    return tuple(sorted(best.values(), key=lambda t: (HOW_ORDER.index(t.how), order[t.code])))
