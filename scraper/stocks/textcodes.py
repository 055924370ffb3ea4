"""Stock codes written in text. Pure: normalized text in, ``(code, name)`` pairs out.

Patterns (the text is normalized first (full-width forms folded), so ``（600519.SH）`` reads as ``(600519.SH)``):

- 雪球 cashtags ``$贵州茅台(SH600519)$``, ``$腾讯控股(00700)$``, ``$苹果(AAPL)$``;
- suffixed ``600519.SH``, ``300750.SZ``, ``600519.SS``, ``430047.BJ``, ``00700.HK``;
- prefixed ``SH600519``, ``sz000001``, ``HK00700``;
- a bare code in brackets right after a name, ``贵州茅台(600519)``, ``腾讯控股(00700)``, or after
  ``股票代码:``/``证券代码:``;
- US tickers ``$AAPL``, ``NASDAQ: AAPL`` / ``NYSE: BABA`` / ``纳斯达克:AAPL``, ``AAPL.O``, ``BABA.N``.

What is never a code: numbers outside these forms (``600519元``, prices ``$100``, years ``(2023)``,
phone numbers), index codes (``SH000001`` is 上证指数: A-share codes must sit in their exchange's
range, codes.market_of), and bracketed numbers with no name before them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scraper.stocks.codes import market_of, normalize_code

_CJK = r"\u4e00-\u9fff"
_XUEQIU = re.compile(r"\$([^$()\s]{1,24}?)\((?:(SH|SZ|BJ|HK)|US:?)?(\d{5,6}|[A-Z][A-Z.]{0,6})\)\$", re.I)
# The patterns start with what they look for, not with a look-behind (which would make the regex
# engine try every position): what may not stand before a match is checked by _after().
_SUFFIXED = re.compile(r"(\d{6}|\d{4,5})\s?\.\s?(SH|SZ|SS|BJ|HK)(?![A-Za-z])", re.I)
_PREFIXED = re.compile(r"([SsBbHh][HhZzJjKk])(\d{6}|\d{5})(?![\d.])")
_BRACKETED = re.compile(r"\((\d{6}|0\d{4})\)")
_LABELLED = re.compile(r"代码\s*[:为是]?\s*(\d{6})(?!\d)")
_CASHTAG = re.compile(r"\$([A-Z]{1,5})(?![A-Za-z0-9])")
_EXCHANGE = re.compile(r"(?:NASDAQ|Nasdaq|NYSE|NYSE American|AMEX|纳斯达克|纽交所)\s*[:]\s*([A-Z]{1,5})(?![A-Za-z])")
_US_SUFFIXED = re.compile(r"([A-Z]{1,5})\.(OQ|O|N)(?![A-Za-z0-9.])")
# every numeric code has 5 or 6 digits (or is 4 digits .HK): a text with none is skipped at once
_FIVE_DIGITS = re.compile(r"\d{5}|\d{4}\s?\.\s?HK", re.I)
_INDEX_ENDINGS = ("指数", "综指", "成指", "板指", "50", "100", "300", "500", "1000")
_NOT_BEFORE_CODE = frozenset("0123456789._")
_NOT_BEFORE_TICKER = frozenset("0123456789.$")


def _after(text: str, start: int, forbidden: frozenset[str]) -> bool:
    """True when the character before ``start`` is neither an ASCII letter nor in ``forbidden``."""
    if start == 0:
        return True
    before = text[start - 1]
    return not ((before.isascii() and before.isalpha()) or before in forbidden)


def _named(text: str, start: int) -> bool:
    """A bare bracketed code counts only right after a name: a Chinese character, a letter or ``*``;
    not after an index's name (上证指数(000001) is the index, not 平安银行)."""
    if start == 0 or text.endswith(_INDEX_ENDINGS, 0, start):
        return False
    before = text[start - 1]
    return "\u4e00" <= before <= "\u9fff" or (before.isascii() and before.isalpha()) or before == "*"


def _a_share(code: str | None) -> str | None:
    """``code`` when it is a stock (not an index: SH000001 is 上证指数, SZ399001 深证成指)."""
    if code is None or code[:2] not in ("SH", "SZ", "BJ"):
        return code
    return code if market_of(code[2:]) == code[:2] else None


def _xueqiu(match: re.Match[str]) -> str | None:
    market, value = (match.group(2) or "").upper(), match.group(3)
    if value.isdigit():
        if market:
            return _a_share(normalize_code(f"{market}{value}"))
        return normalize_code(f"HK{value}") if len(value) == 5 else _a_share(normalize_code(value))
    return f"US:{value.upper()}"


def find_codes(text: str) -> Iterator[tuple[str, str, int]]:
    """``(code, name written beside it or "", position)`` for every code written in ``text``.

    ``text`` must already be normalized (scraper.stocks.tagger.normalize_text).
    """
    dollar = "$" in text
    for match in _XUEQIU.finditer(text) if dollar else ():
        code = _xueqiu(match)
        if code:
            yield code, match.group(1), match.start()
    if _FIVE_DIGITS.search(text):
        for match in _SUFFIXED.finditer(text) if "." in text else ():
            code = _a_share(normalize_code(f"{match.group(1)}.{match.group(2)}"))
            if code and _after(text, match.start(), _NOT_BEFORE_CODE):
                yield code, "", match.start()
        for match in _PREFIXED.finditer(text):
            code = _a_share(normalize_code(f"{match.group(1)}{match.group(2)}"))
            if code and _after(text, match.start(), _NOT_BEFORE_CODE | {"/"}):
                yield code, "", match.start()
        for match in _BRACKETED.finditer(text):
            value = match.group(1)
            code = normalize_code(f"HK{value}") if len(value) == 5 else _a_share(normalize_code(value))
            if code and _named(text, match.start()):
                yield code, "", match.start()
        for match in _LABELLED.finditer(text):
            code = _a_share(normalize_code(match.group(1)))
            if code:
                yield code, "", match.start()
    us_patterns = ((_CASHTAG,) if dollar else ()) + ((_EXCHANGE,) if ":" in text else ()) + (
        (_US_SUFFIXED,) if "." in text else ())
    for pattern in us_patterns:
        for match in pattern.finditer(text):
            if pattern is _EXCHANGE or _after(text, match.start(), _NOT_BEFORE_TICKER):
                yield f"US:{match.group(1)}", "", match.start()
