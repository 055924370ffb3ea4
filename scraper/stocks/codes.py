"""Normalize stock codes as the wires' data and the texts write them. Pure.

Sources: 财联社 ``StockID`` ("sh600117"), 新浪 7×24 ``symbol`` ("sz000001", "hk00700", "gb_aapl"),
东方财富 ``stockList`` ("1.601068" = market.code: 1 Shanghai, 0 Shenzhen/Beijing, 116 HK, 105/106/107 US),
证券时报 ``stock_code``, and suffixed forms in texts ("600519.SH", "00700.HK", "AAPL.O").
"""

from __future__ import annotations

import re

_PREFIXED = re.compile(r"^(sh|sz|bj|hk)\s*(\d{4,6})$", re.IGNORECASE)
_SUFFIXED = re.compile(r"^(\d{4,6})\s*\.\s*(sh|ss|sz|bj|hk)$", re.IGNORECASE)
_EASTMONEY = re.compile(r"^(\d{1,3})\.([0-9A-Za-z._-]{1,10})$")
_US_SUFFIXED = re.compile(r"^([A-Za-z][A-Za-z.-]{0,6}?)\.(O|N|A|OQ|NQ|US)$", re.IGNORECASE)
_US_PREFIXED = re.compile(r"^(?:gb_|us[:_.]?)([A-Za-z][A-Za-z.-]{0,6})$", re.IGNORECASE)
_BARE_A = re.compile(r"^\d{6}$")
_EASTMONEY_MARKETS = {"1": "SH", "0": None, "116": "HK", "105": "US", "106": "US", "107": "US"}


def market_of(code: str) -> str | None:
    """The exchange of a bare 6-digit A-share code, from its leading digits; None if not an A-share."""
    if not _BARE_A.match(code):
        return None
    if code.startswith(("60", "68", "90")):
        return "SH"
    if code.startswith(("00", "30", "20")):
        return "SZ"
    if code.startswith(("43", "83", "87", "88", "92")):
        return "BJ"
    return None


def _a_share(market: str, digits: str) -> str | None:
    market = market.upper().replace("SS", "SH")
    if market == "HK":
        return f"HK{digits.zfill(5)}" if len(digits) <= 5 else None
    if len(digits) != 6:
        return None
    return f"{market}{digits}"


def normalize_code(raw: str) -> str | None:
    """A normalized code (``SH600519``, ``HK00700``, ``US:AAPL``…) or None when ``raw`` is not one."""
    text = raw.strip()
    if not text:
        return None
    if match := _PREFIXED.match(text):
        return _a_share(match.group(1), match.group(2))
    if match := _SUFFIXED.match(text):
        return _a_share(match.group(2), match.group(1))
    if match := _EASTMONEY.match(text):
        market = _EASTMONEY_MARKETS.get(match.group(1), "?")
        code = match.group(2)
        if market == "US":
            return f"US:{code.upper()}" if re.fullmatch(r"[A-Za-z][A-Za-z.-]{0,6}", code) else None
        if market == "HK":
            return _a_share("HK", code) if code.isdigit() else None
        if market is None or market == "SH":
            found = market_of(code)
            return f"{found}{code}" if found and (market is None or found == market) else None
        return None
    if match := _US_PREFIXED.match(text):
        return f"US:{match.group(1).upper()}"
    if match := _US_SUFFIXED.match(text):
        return f"US:{match.group(1).upper()}"
    if _BARE_A.match(text):
        found = market_of(text)
        return f"{found}{text}" if found else None
    return None
