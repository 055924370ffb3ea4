"""Stock codes an article page links, read from its HTML. Pure: HTML text in, normalized codes out.

Sina marks each company its article names with a quote link,
``<span id="stock_sh600519"><a href="https://finance.sina.com.cn/realstock/company/sh600519/nc.shtml">``;
网易 (``quotes.money.163.com/0600519.html``: 0 = Shanghai, 1 = Shenzhen), 东方财富
(``quote.eastmoney.com/sh600519.html``) and 雪球 (``xueqiu.com/S/SH600519``) link the same way.

Only the article body counts: Sina pages also carry a "热门股票" widget linking the same hot
stocks on every page. The body is the part between ``<!-- 正文 start -->`` and ``<!-- 正文 end -->``
when the page marks it, else the ``#artibody`` / ``#article`` / ``#endText`` element; a page with
neither gives no codes. Index codes (sh000001 = 上证指数) are dropped.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from scraper.stocks.codes import market_of

_BODY_START = re.compile(r"<!--\s*正文\s*start\s*-->", re.I)
_BODY_END = re.compile(r"<!--\s*正文\s*end\s*-->", re.I)
_BODY_IDS = ("artibody", "article", "endText", "ContentBody")
_HAS_BODY_ID = re.compile(r"""id\s*=\s*["']?(?:artibody|article|endText|ContentBody)["'\s>]""")
_LINKS = (
    (re.compile(r"realstock/company/(sh|sz|bj)(\d{6})", re.I), None),
    (re.compile(r"""id=["']?stock_(sh|sz|bj)(\d{6})""", re.I), None),
    (re.compile(r"quote\.eastmoney\.com/(?:unify/r/[01]\.)?(sh|sz|bj)(\d{6})", re.I), None),
    (re.compile(r"xueqiu\.com/S/(SH|SZ|BJ)(\d{6})"), None),
    (re.compile(r"quotes\.money\.163\.com/([01])(\d{6})\.html"), {"0": "SH", "1": "SZ"}),
    (re.compile(r"(?:hkstock/quotes/|quotes\.money\.163\.com/hkstock/|xueqiu\.com/S/)(\d{5})\b()"), "HK"),
    (re.compile(r"(?:usstock/quotes/|quotes\.money\.163\.com/usstock/hq/)([A-Za-z][A-Za-z.]{0,6})\.html()"), "US"),
)

_MARKERS = ("realstock", "stock_", "eastmoney.com", "xueqiu.com", "quotes.money.163.com", "hkstock", "usstock")


def article_body_html(html: str) -> str:
    """The article body of a page (see the module docstring), or "" when the page marks none."""
    start = _BODY_START.search(html)
    if start:
        end = _BODY_END.search(html, start.end())
        return html[start.end() : end.start() if end else len(html)]
    if not _HAS_BODY_ID.search(html):
        return ""
    tree = HTMLParser(html)
    for body_id in _BODY_IDS:
        node = tree.css_first(f"#{body_id}")
        if node is not None:
            return node.html or ""
    return ""


def codes_from_html(html: str) -> tuple[str, ...]:
    """Normalized codes of the companies the article body links, in order of first link."""
    body = article_body_html(html)
    return codes_in_fragment(body) if body else ()


def codes_in_fragment(html: str) -> tuple[str, ...]:
    """Normalized codes every quote link of ``html`` points to: for article bodies already cut out
    (a feed's ``content:encoded``, an extracted body), where no widget can be."""
    if not any(marker in html for marker in _MARKERS):  # most bodies link no quote page
        return ()
    found: dict[str, int] = {}
    for pattern, market in _LINKS:
        for match in pattern.finditer(html):
            code = _code(match, market)
            if code and code not in found:
                found[code] = match.start()
    return tuple(sorted(found, key=found.__getitem__))


def _code(match: re.Match[str], market: object) -> str | None:
    first, second = match.group(1), match.group(2)
    if market == "HK":
        return f"HK{first}"
    if market == "US":
        return f"US:{first.upper()}"
    exchange = market[first] if isinstance(market, dict) else first.upper()
    return f"{exchange}{second}" if market_of(second) == exchange else None
