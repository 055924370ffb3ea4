"""Search and export queries (read-only SQL over ``articles`` and ``articles_fts``).

Results are plain dicts (the CLI's JSON contract): ``id``, ``title``, ``url``, ``source_url``,
``canonical_url``, ``feed`` (primary), ``feeds`` (all), ``site``, ``category``, ``published`` and
``updated`` (ISO 8601 UTC), ``path`` (relative to posts_dir), ``revisions``, ``summary``, ``snippet``,
``flags``, ``duplicate_of``, ``stocks`` (the companies' normalized codes, e.g. ``["SH600519", "HK00700"]``,
archive.stocks), ``important`` (true/false: the wire's importance mark). An empty query lists what the
filters match, newest first.

Ranking a query, relevance then date: when fewer than ``RANK_ALL_BELOW`` articles match (the
usual case for a specific query), every match is scored with bm25 (title weighted ×4) and ties go
to the newest. A broader query (a common word over a big archive) would make bm25 score and count
every match (~1 s at 1M articles), so its results are ranked in two tiers instead: articles whose
*title* matches, newest first, then those matching only in the body, newest first. Both tiers are
read newest-first straight from the FTS index, which is keyed by ``articles.seq`` (publication
time, see archive.store.seq_base), so they stop after one page whatever the archive's size;
since/until become rowid ranges of that index.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from archive.errors import QueryError
from archive.models import iso, parse_iso
from archive.prepare import SEQ_SLOTS, seq_base
from archive.stocks import stock_clause, stocks_of
from archive.textindex import cjk_terms, translate_query

RESULT_COLUMNS = (
    "seq",
    "id",
    "title",
    "url",
    "canonical_url",
    "feed",
    "site",
    "category",
    "published",
    "updated",
    "path",
    "revisions",
    "summary",
    "flags",
    "duplicate_of",
    "author",
    "source",
    "editor",
    "image",
    "guid",
    "important",
)
TITLE_WEIGHT = 4.0
SNIPPET_CHARS = 120

DateLike = datetime | date | str | None


@dataclass(frozen=True)
class Filters:
    feed: str | None = None
    site: str | None = None
    since: str | None = None  # ISO UTC, inclusive
    until: str | None = None  # ISO UTC, inclusive
    stock: str | None = None  # a normalized code (SH600519) or a company name stored with the tags
    important: bool = False  # only articles a wire marked important
    below_seq: int | None = None  # only articles listed after this one (an export's next page)

    def seq_range(self) -> tuple[int, int]:
        """Bounds on ``articles.seq`` (= FTS rowid) implied by since/until."""
        low = seq_base(parse_iso(self.since)) if self.since else SEQ_MIN
        # seq can spill a few seconds past its own when >4096 articles share one second
        high = seq_base(parse_iso(self.until)) + SEQ_SLOTS * 8 if self.until else SEQ_MAX
        if self.below_seq is not None:
            high = min(high, self.below_seq - 1)
        return low, high


SEQ_MIN, SEQ_MAX = -(2**63), 2**63 - 1
RANK_ALL_BELOW = 1000


def make_filters(
    feed: str | None, site: str | None, since: DateLike, until: DateLike, stock: str | None = None,
    important: bool = False,
) -> Filters:
    """Normalize filter values; a date-only ``until`` includes that whole day. Raises QueryError."""
    return Filters(
        feed or None, site or None, _bound(since, end=False), _bound(until, end=True), (stock or "").strip() or None,
        important,
    )


def _bound(value: DateLike, *, end: bool) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                value = date.fromisoformat(text)
            else:
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise QueryError(f"not a date: {text!r} (use YYYY-MM-DD or an ISO 8601 time)") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return iso(moment)
    moment = datetime.combine(value, time(0, 0), tzinfo=UTC)
    if end:
        moment += timedelta(days=1) - timedelta(seconds=1)
    return iso(moment)


def _where(filters: Filters, alias: str = "a") -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters.feed:
        clauses.append(
            f"exists (select 1 from article_feeds f where f.article_id = {alias}.id and f.feed = ?)"
        )
        params.append(filters.feed)
    if filters.site:
        clauses.append(f"{alias}.site = ?")
        params.append(filters.site)
    if filters.important:
        clauses.append(f"{alias}.important = 1")
    if filters.since:
        clauses.append(f"{alias}.published >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append(f"{alias}.published <= ?")
        params.append(filters.until)
    if filters.stock:
        clauses.append(stock_clause(alias))
        params.extend([filters.stock, filters.stock])
    return clauses, params


def search_rows(
    conn: sqlite3.Connection, query: str, filters: Filters, limit: int, offset: int
) -> list[dict[str, Any]]:
    """One page of results (see module docstring). Raises QueryError."""
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset must not be negative")
    match = translate_query(query)
    low, high = filters.seq_range()
    clauses, params = _where(filters)
    cols = ", ".join(f"a.{c}" for c in RESULT_COLUMNS)
    if match is None:
        where = " and ".join(["a.seq between ? and ?", *clauses])
        sql = f"select {cols} from articles a where {where} order by a.seq desc limit ? offset ?"
        return _results(conn, _run(conn, sql, [low, high, *params, limit, offset]), [])
    terms = cjk_terms(query)
    fts_range = "articles_fts match ? and articles_fts.rowid between ? and ?"
    probe = f"select rowid from articles_fts where {fts_range} order by rowid desc limit 1 offset ?"
    if not _run(conn, probe, [match, low, high, RANK_ALL_BELOW - 1]):
        where = " and ".join(["a.seq = s.r", *clauses])
        sql = (
            f"select {cols} from (select rowid as r, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) as score "
            f"from articles_fts where {fts_range}) s, articles a where {where} "
            "order by s.score, a.seq desc limit ? offset ?"
        )
        return _results(conn, _run(conn, sql, [match, low, high, *params, limit, offset]), terms)
    newest = (
        f"select {cols} from articles_fts join articles a on a.seq = articles_fts.rowid "
        f"where {' and '.join([fts_range, *clauses])} order by articles_fts.rowid desc limit ? offset ?"
    )
    in_title = f"{{search_title}} : ({match})"
    titled = _run(conn, newest, [in_title, low, high, *params, offset + limit, 0])
    page = titled[offset : offset + limit]
    if len(titled) < offset + limit:  # that was every title match: go on with body-only matches
        need = offset + limit - max(offset, len(titled))
        skip = max(0, offset - len(titled))
        page += _run(conn, newest, [f"({match}) NOT {in_title}", low, high, *params, need, skip])
    return _results(conn, page, terms)


def newest_rows(conn: sqlite3.Connection, query: str, filters: Filters, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` newest articles matching ``query`` and ``filters`` (the same matches as
    ``search_rows``, ordered by date alone: what a subscription to a query wants). Raises QueryError."""
    if limit < 0:
        raise QueryError("limit must not be negative")
    match = translate_query(query)
    if match is None:
        return search_rows(conn, "", filters, limit, 0)
    low, high = filters.seq_range()
    clauses, params = _where(filters)
    cols = ", ".join(f"a.{c}" for c in RESULT_COLUMNS)
    where = " and ".join(["articles_fts match ? and articles_fts.rowid between ? and ?", *clauses])
    sql = (
        f"select {cols} from articles_fts join articles a on a.seq = articles_fts.rowid "
        f"where {where} order by articles_fts.rowid desc limit ?"
    )
    return _results(conn, _run(conn, sql, [match, low, high, *params, limit]), cjk_terms(query))


EXPORT_PAGE = 500  # articles per page of an export


def export_rows(conn: sqlite3.Connection, query: str, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every matching article with its body (``body_html``, ``body_text``), streamed in pages.

    Without words the pages follow seq (each starts below the previous page's last article), so
    the thousandth page costs what the first does; with words, pages are search pages (offsets).
    """
    offset = 0
    listing = translate_query(query) is None
    while True:
        batch = search_rows(conn, query, filters, EXPORT_PAGE, 0 if listing else offset)
        if not batch:
            return
        ids = [r["id"] for r in batch]
        marks = ",".join("?" * len(ids))
        bodies = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute(f"select id, body_html, body_text, seq from articles where id in ({marks})", ids)
        }
        for result in batch:
            result["body_html"], result["body_text"], _seq = bodies.get(result["id"], ("", "", None))
            yield result
        offset += EXPORT_PAGE
        if listing:
            last = bodies.get(ids[-1])
            if last is None:  # the article went meanwhile: no seq to go on from
                return
            filters = replace(filters, below_seq=last[2])


def _run(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "fts5" in message or "syntax error" in message or "no such column" in message:
            raise QueryError(f"malformed query: {message}") from None
        raise


def _results(conn: sqlite3.Connection, rows: list[Any], terms: list[str]) -> list[dict[str, Any]]:
    results = [dict(zip(RESULT_COLUMNS, row, strict=True)) for row in rows]
    if not results:
        return []
    feeds = feeds_of(conn, [r["id"] for r in results])
    tagged = stocks_of(conn, [r["id"] for r in results])
    marks = ",".join("?" * len(results))
    texts: dict[str, str] = dict(
        conn.execute(
            f"select id, body_text from articles where id in ({marks})", [r["id"] for r in results]
        ).fetchall()
    )
    for r in results:
        r.pop("seq")
        r["source_url"] = r["url"]
        r["feeds"] = feeds.get(r["id"], [r["feed"]])
        r["flags"] = json.loads(r["flags"]) if r["flags"] else []
        r["stocks"] = [code for code, _name in tagged.get(r["id"], [])]
        r["important"] = bool(r["important"])
        r["snippet"] = snippet(texts.get(r["id"]) or r["summary"] or "", terms)
    return results


def feeds_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    """Feeds listing each article, primary feed first, then in the order they were seen."""
    out: dict[str, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"select f.article_id, f.feed from article_feeds f join articles a on a.id = f.article_id "
            f"where f.article_id in ({marks}) order by f.article_id, f.feed = a.feed desc, f.first_seen, f.feed",
            chunk,
        )
        for article_id, feed in rows:
            out.setdefault(article_id, []).append(feed)
    return out


def snippet(text: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS characters of ``text`` around the first query term found."""
    flat = " ".join(text.split())
    lowered = flat.lower()
    position = -1
    for term in terms:
        position = lowered.find(term.lower())
        if position >= 0:
            break
    start = max(0, position - SNIPPET_CHARS // 3) if position >= 0 else 0
    piece = flat[start : start + SNIPPET_CHARS]
    return ("…" if start > 0 else "") + piece + ("…" if start + SNIPPET_CHARS < len(flat) else "")
