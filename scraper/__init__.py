"""scraper: fetch and read the web — listings, article pages, wires. Knows nothing of storage.

Public surface (read these first):

- records (:mod:`scraper.models`): ``HttpSettings`` → ``FetchResult`` → ``Listing[FeedItem]`` →
  ``Extracted`` → ``Article``; frozen, timezone-aware.
- fetching (:mod:`scraper.fetch`): ``Fetcher`` — async, polite per host, retries, robots.txt, size
  and decompression limits.
- listings (:mod:`scraper.listing`): ``parse_listing(kind, bytes, url)`` for RSS/Atom/JSON Feed and
  Sina's roll API; wire kinds through :mod:`scraper.sources` (``get_source(kind)``).
- pages (:mod:`scraper.extract`): ``extract(bytes, url)`` → ``Extracted`` (site rules, then generic);
  ``lead_image``.
- cleaning (:mod:`scraper.sanitize`): ``clean_html``, ``html_to_text``.
- normalizing (:mod:`scraper.normalize`): ``build_article(identity, item, …)`` → ``Article``.
- companies (:mod:`scraper.stocks`): ``normalize_code``, the text tagger.
- errors (:mod:`scraper.errors`): one tree under ``ScraperError``.

Everything but ``Fetcher`` is pure: bytes or records in, records out, no clock, no I/O.
"""

from scraper.errors import ScraperError
from scraper.models import Article, Extracted, FeedItem, FetchResult, HttpSettings, Listing

__all__ = ["Article", "Extracted", "FeedItem", "FetchResult", "HttpSettings", "Listing", "ScraperError"]
