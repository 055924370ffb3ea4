"""Stock codes: one normalized form for every way sources and texts write them.

    normalize_code("sh600519") == normalize_code("600519.SH") == normalize_code("1.600519") == "SH600519"

Normalized forms: ``SH600519``, ``SZ000001``, ``BJ430047``, ``HK00700``, ``US:AAPL``.
"""

from scraper.stocks.codes import market_of, normalize_code

__all__ = ["market_of", "normalize_code"]
