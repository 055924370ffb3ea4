"""Parse listings: RSS/Atom/RDF (feedparser), JSON Feed, and Sina's roll JSON API.

Pure functions: bytes in, ``Listing`` out. Raises ``NotAFeedError`` for documents that are not
feeds at all (an HTML maintenance or anti-bot page) and ``ParseError`` for feeds we refuse
(entity declarations: an XML bomb or an external-entity probe) or cannot read. No other error
escapes: whatever a hostile document makes a library raise (RecursionError on deep nesting,
UnicodeDecodeError, OverflowError on dates) is translated to ``ParseError``.

Hostile input: every pattern here is linear in the input (no nested quantifiers); dates outside
the believable range (scraper.dates) become None with the item's ``date_invalid`` mark; item links,
images and paging links are kept only when they are absolute http(s) URLs (scraper.urls).
"""


from datetime import tzinfo
from zoneinfo import ZoneInfo

from scraper.errors import ParseError
from scraper.feedxml import parse_feed
from scraper.jsonfeed import parse_json_feed
from scraper.listingbase import jsonp_body as _jsonp_body
from scraper.listingbase import load_json as _load_json
from scraper.listingbase import looks_like_html as _looks_like_html
from scraper.listingbase import translated
from scraper.models import Listing
from scraper.sinaroll import parse_sina_roll

__all__ = ["_jsonp_body", "_load_json", "_looks_like_html", "parse_feed", "parse_json_feed", "parse_listing",
           "parse_sina_roll"]


@translated
def parse_listing(
    kind: str, content: bytes, url: str = "", *, charset: str | None = None, default_tz: tzinfo | None = None
) -> Listing:
    """Dispatch on the feed's configured kind; wire kinds go to their ``scraper.sources`` parser.

    For a wire, ``default_tz`` None means the wire's own zone (``Source.zone``).
    """
    if kind == "sina_roll":
        return parse_sina_roll(content, url)
    if kind == "feed":
        return parse_feed(content, url, charset=charset, default_tz=default_tz)
    from scraper.sources import get_source, source_kinds  # sources import this module

    if kind in source_kinds():
        source = get_source(kind)
        return source.parse(content, url, default_tz or ZoneInfo(source.zone))
    raise ParseError(f"unknown feed kind {kind!r}")
