"""Stock codes: one normalized form for every way sources and texts write them, and tagging.

    normalize_code("sh600519") == normalize_code("600519.SH") == normalize_code("1.600519") == "SH600519"

Normalized forms: ``SH600519``, ``SZ000001``, ``BJ430047``, ``HK00700``, ``US:AAPL``.

Where an article's companies come from, most reliable first (StockTag.how): the wire's own data
(``source``: FeedItem.stocks), the quote links of its page (``link``: :func:`codes_from_html`),
codes written in its text (``code``) and company names in its text (``name``): :func:`tag_text`
over the offline list (:func:`load_directory`). :func:`tag_article` joins them.
"""

from scraper.stocks.codes import market_of, normalize_code
from scraper.stocks.directory import (
    StockDirectory,
    build_directory,
    default_directory,
    load_directory,
    normalize_name,
    parse_stock_list,
    read_stock_list,
)
from scraper.stocks.links import article_body_html, codes_from_html, codes_in_fragment
from scraper.stocks.tagger import merge_tags, normalize_text, source_tags, tag_text
from scraper.stocks.tagging import tag_article, tagged_article

__all__ = [
    "StockDirectory",
    "article_body_html",
    "build_directory",
    "codes_from_html",
    "codes_in_fragment",
    "default_directory",
    "load_directory",
    "market_of",
    "merge_tags",
    "normalize_code",
    "normalize_name",
    "normalize_text",
    "parse_stock_list",
    "read_stock_list",
    "source_tags",
    "tag_article",
    "tag_text",
    "tagged_article",
]
