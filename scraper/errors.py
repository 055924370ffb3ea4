"""Errors raised by the scraper package.

    ScraperError
    ├── FetchError                 a request failed (carries url, status)
    │   ├── TransientFetchError    worth retrying (timeouts, connect errors, 429/5xx…)
    │   │   └── RetryLaterError    server asked us to wait longer than we may (Retry-After over the cap)
    │   ├── PermanentFetchError    not worth retrying (403, 404, 410…)
    │   │   └── GoneError          410: the resource is gone for good
    │   ├── ResponseTooLargeError  body exceeded max_response_bytes
    │   ├── BrokenResponseError    cut connection, broken compression
    │   ├── RedirectError          too many redirects or a loop
    │   └── RobotsDisallowedError  robots.txt forbids the URL
    ├── ParseError                 a document could not be parsed
    │   ├── NotAFeedError          HTML (maintenance/anti-bot page) where a feed was expected
    │   ├── SourceAPIError         a wire's API answered with an error (bad signature, rate limit)
    │   ├── TemplateChangedError   a wire's payload no longer has the shape we know
    │   └── StockListError         a stock list file (code,name CSV) is unreadable or malformed
    └── ExtractError               nothing usable could be extracted from a page

Foreign errors (httpx, feedparser, selectolax) are translated at the boundary with
``raise ... from exc``.
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base of every error raised by scraper."""


class FetchError(ScraperError):
    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class TransientFetchError(FetchError):
    def __init__(
        self, message: str, *, url: str = "", status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after


class RetryLaterError(TransientFetchError):
    """The server asked for a pause longer than ``retry_after_cap``; try on a later run."""


class PermanentFetchError(FetchError):
    pass


class GoneError(PermanentFetchError):
    pass


class ResponseTooLargeError(FetchError):
    pass


class BrokenResponseError(FetchError):
    pass


class RedirectError(FetchError):
    pass


class RobotsDisallowedError(FetchError):
    pass


class ParseError(ScraperError):
    pass


class NotAFeedError(ParseError):
    pass


class SourceAPIError(ParseError):
    """The wire's API answered, but with an error payload (errno, code, message)."""


class TemplateChangedError(ParseError):
    """The payload parsed but lacks the fields we read: the API changed; nothing is stored."""


class ExtractError(ScraperError):
    pass


class StockListError(ParseError):
    """A stock list (``code,name`` CSV, ``newsroll stocks load``) is unreadable or malformed."""
