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
# spaces after a Chinese character and before another or a Latin letter (a class mark: 万 科 A)
_CJK_SPACES = re.compile(r"([\u4e00-\u9fff])[ \t\u3000\xa0]+(?=[\u4e00-\u9fffA-Za-z])")
_CJK_SPACED = re.compile(r"[\u4e00-\u9fff][ \t\u3000\xa0]")
# What NFKC does that matters here (full-width letters, digits, brackets, colon; the ideographic
# space), at half its cost: CJK text is never NFKC-normal (its "，" is full-width).
_FULL_WIDTH = str.maketrans({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20})
# only the forms codes and names are written with ($ % ( ) . / digits : letters _, the ideographic
# space), not the ，；！？ of every sentence: a callback per run, few runs
_FULL_WIDTH_RUN = re.compile("[\uff04\uff05\uff08\uff09\uff0e\uff0f\uff10-\uff1a\uff21-\uff3a\uff3f\uff41-\uff5a\u3000]+")
# After a name: it is a place (路, 市…) or a news/data source (网, 数据, 财经…), not the company.
_NOT_COMPANY_AFTER = ("网", "数据", "财经", "新闻", "号", "Choice", "iFinD", "客户端", "APP", "App")
_PLACE_CHARS = frozenset("路街道镇村县市区省站")
# 中国银行业, 北京银行业 are the sector (业绩, 业务 stay the company's); 中国银行保险监督… the regulator
_SECTOR_NAMES = ("银行", "保险", "证券", "电信", "建筑", "医药", "航空", "地产")
_NOT_SECTOR = ("业绩", "业务")
_COMPANY_WORDS = ("证券", "股份", "集团", "公司", "控股", "公告")
# A headline that opens with the name and a colon is the company's news (中国建筑:新签合同…)
_HEADLINE_OPENERS = frozenset("\n【[")


def normalize_text(text: str) -> str:
    """Full-width forms folded to ASCII, and no spaces between Chinese characters (or before a
    class letter: ``万  科Ａ`` → ``万科A``)."""
    text = _FULL_WIDTH_RUN.sub(lambda run: run.group().translate(_FULL_WIDTH), text)
    return _CJK_SPACES.sub(r"\1", text) if _CJK_SPACED.search(text) else text


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def find_names(text: str, directory: StockDirectory) -> list[tuple[str, str, int]]:
    """``(code, name as written, position)`` of company names in normalized ``text``.

    One pass of the directory's Aho-Corasick automaton (ahocorasick_rs, leftmost-longest, non-overlapping: the
    longest name at a position wins and the scan goes on after it, so a name inside a longer name
    is not tagged), then each hit checked by :func:`_is_company`.
    """
    automaton, keys = directory.matcher
    if automaton is None:
        return []
    found: list[tuple[str, str, int]] = []
    by_name, stop, guards = directory.by_name, directory.stop, directory.guards
    for index, start, end in automaton.find_matches_as_indexes(text):
        name = keys[index]
        guard = guards.get(name)
        if guard is not None and ((start > 0 and text[start - 1] in guard[0]) or (end < len(text) and text[end] in guard[1])):
            continue  # an everyday name inside another word: 北京东路, 高通胀
        if _is_company(text, start, end, name, stop):
            found.append((by_name[name], name, start))
    return found


def _is_company(text: str, start: int, end: int, name: str, stop: frozenset[str]) -> bool:
    if name in stop:  # a common word, unless the text says it is the company: 太平洋证券, 机器人股份
        return text.startswith(_COMPANY_WORDS, end) or (
            text.startswith(":", end) and (start == 0 or text[start - 1] in _HEADLINE_OPENERS))
    if start > 0 and _ascii_alnum(name[0]) and _ascii_alnum(text[start - 1]):
        return False
    if end < len(text):
        after = text[end]
        if (_ascii_alnum(name[-1]) and _ascii_alnum(after)) or after in _PLACE_CHARS:
            return False
        if text.startswith(_NOT_COMPANY_AFTER, end):
            return False
        if name.endswith(_SECTOR_NAMES) and (
            (after == "业" and not text.startswith(_NOT_SECTOR, end)) or text.startswith("保险监督", end)):
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
