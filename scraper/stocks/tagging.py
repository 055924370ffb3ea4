"""Tag one article from every origin at once. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from scraper.models import Article, StockTag
from scraper.stocks.directory import StockDirectory
from scraper.stocks.links import codes_from_html, codes_in_fragment
from scraper.stocks.tagger import merge_tags, source_tags, tag_text


def tag_article(
    directory: StockDirectory,
    *,
    title: str = "",
    text: str = "",
    source_codes: Iterable[str] = (),
    page_html: str | None = None,
) -> tuple[StockTag, ...]:
    """The companies an article is about: the source's codes, the page's links, then the text's
    codes and names (title and body), one tag per company with the most reliable ``how``."""
    links = codes_from_html(page_html) if page_html else ()
    return merge_tags(
        source_tags(source_codes, directory, "source"),
        source_tags(links, directory, "link"),
        tag_text(f"{title}\n{text}" if title else text, directory),
    )


def page_text(raw: bytes, charset: str | None) -> str:
    """A stored page as text, for its links (undecodable bytes replaced: only ASCII links are read)."""
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def tagged_article(article: Article, directory: StockDirectory, source_codes: Iterable[str] = ()) -> Article:
    """``article`` with ``stock_tags`` and ``stocks`` filled from every origin: its own ``stocks``
    and ``source_codes`` (the wire's data), its stored page's and body's quote links, its text."""
    # the extracted body keeps the quote links (and no widget): the page is read only without one
    links = codes_in_fragment(article.body_html) if article.body_html else ()
    if not article.body_html and article.raw_html:
        links = codes_from_html(page_text(article.raw_html, article.raw_charset))
    tags = merge_tags(
        article.stock_tags,
        # once tagged, ``stocks`` lists every origin's codes: only an untagged article's are the source's
        source_tags((*(() if article.stock_tags else article.stocks), *source_codes), directory, "source"),
        source_tags(links, directory, "link"),
        tag_text(f"{article.title}\n{article.body_text}", directory),
    )
    return replace(article, stock_tags=tags, stocks=tuple(t.code for t in tags))
