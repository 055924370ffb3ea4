"""What Datasette shows of an archive: labels, hidden columns, facets, canned queries (plain data)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

ARCHIVE_TABLES = ("articles", "articles_fts", "fts_pending")  # a database with these is an archive

# Datasette 0.65 lists every described column above the table: only those a reader may wonder about
COLUMN_LABELS = {
    "seq": "Archive order (publication time): sort by it, descending, for newest first",
    "id": "newsroll's id for the article (newsroll show ID; feed entry ids end with it)",
    "feed": "The first feed that listed it (newsroll search --feed matches any feed that did)",
    "title": "Headline, linking to the source article",
    "published": "Publication time, UTC",
    "source": "The original source the site credits (来源)",
    "duplicate_of": "A near-identical article this one duplicates",
    "path": "The Hexo post file, relative to the posts directory",
    "revisions": "Stored versions (1: never edited; newsroll show ID --revisions)",
    "first_seen": "When newsroll first archived it, UTC",
    "stocks": "Stock codes the article names",
}
# search index text, dedup fingerprints, the extraction rules used: not for readers
HIDDEN_COLUMNS = (
    "search_title", "search_body", "sketch", "content_hash", "version_hash", "rules", "flags", "body_html",
)
FACETS = ("feed", "site", "category", "stocks")
DEFAULT_SORT_DESC = "seq"

SEARCH_SQL = """select a.seq, a.id, a.published, a.title, a.url, a.feed, a.site, a.category,
  json_extract(hit.value, '$.snippet') as snippet
from json_each(newsroll_search(:q, :feed, :site, :since, :until, :limit, :offset)) as hit
join articles a on a.id = json_extract(hit.value, '$.id')
order by hit.key"""

TODAY_SQL = """select f.feed, a.published, a.title, a.url, a.site, a.id
from article_feeds f join articles a on a.id = f.article_id
where a.published >= coalesce(nullif(:day, ''), date('now'))
  and a.published < date(coalesce(nullif(:day, ''), date('now')), '+1 day')
order by f.feed, a.published desc"""

WORD_PER_DAY_SQL = """select substr(a.published, 1, 10) as day, count(*) as articles
from articles a
where a.seq in (select rowid from articles_fts where articles_fts match newsroll_fts(:word))
group by day order by day desc"""

STOCK_ARTICLES_SQL = """select a.seq, a.id, a.published, a.title, a.url, a.feed, a.site, s.code, s.name, s.how
from article_stocks s join articles a on a.seq = s.seq
where :stock != '' and :stock in (s.code, s.name, substr(s.code, 3))
order by s.seq desc limit 500"""
STOCK_TABLE = "article_stocks"  # (seq, code, name, how): the companies each article is about

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles (ranked like newsroll search)",
        "description": (
            "Chinese words of any length, English words, \"quoted phrases\", AND, OR, NOT, -word, word*; "
            "feed, site, since and until (YYYY-MM-DD or ISO 8601) narrow it down; limit defaults to 50. "
            "Searching the articles table without choosing a sort lands here. To facet the matches, "
            "search the table sorted by a column, e.g. articles?_search=…&_sort_desc=published&_facet=site."
        ),
        "sql": SEARCH_SQL,
    },
    "today_by_feed": {
        "title": "Today's articles by feed",
        "description": "Articles published on one day (UTC; blank: today), grouped by the feeds listing them.",
        "sql": TODAY_SQL,
    },
    "word_per_day": {
        "title": "A word's articles per day",
        "description": "How many articles mention a word or phrase each day (newsroll's query language).",
        "sql": WORD_PER_DAY_SQL,
    },
}


STOCK_QUERY = {
    "stock_articles": {
        "title": "Articles about a stock",
        "description": "Newest first; the stock by code (SH600519 or 600519) or name.",
        "sql": STOCK_ARTICLES_SQL,
    }
}


def canned_queries(has_stocks: bool) -> dict[str, dict[str, Any]]:
    return {**CANNED_QUERIES, **(STOCK_QUERY if has_stocks else {})}


def database_metadata(columns: Collection[str], has_stocks: bool = False) -> dict[str, Any]:
    """Datasette metadata for an archive database whose ``articles`` table has ``columns``."""
    metadata = _metadata(columns)
    if has_stocks:
        metadata["tables"][STOCK_TABLE] = {
            "title": "Stock mentions",
            "description": "The companies each article is about; facet by code to count mentions "
            "(canned query stock_articles lists a stock's articles).",
            "facets": ["code", "how"],
            "sort_desc": "seq",
            "columns": {
                "seq": "The article (articles.seq)",
                "how": "How it was found, most reliable first: source, link, code, name",
            },
        }
    return metadata


def _metadata(columns: Collection[str]) -> dict[str, Any]:
    return {
        "tables": {
            "articles": {
                "title": "Articles",
                "description": (
                    "One row per story, its newest version. The search box takes newsroll's query "
                    "language (Chinese words of any length, \"phrases\", AND/OR/NOT, -word, word*)."
                ),
                "sort_desc": DEFAULT_SORT_DESC,
                "facets": [c for c in FACETS if c in columns],
                "columns": {c: label for c, label in COLUMN_LABELS.items() if c in columns},
                "label_column": "title",
            },
            "feeds": {"title": "Feeds", "description": "Each feed's polling state (see /-/newsroll/health)."},
        },
    }


def hidden_columns(columns: Collection[str]) -> list[str]:
    return [c for c in HIDDEN_COLUMNS if c in columns]
