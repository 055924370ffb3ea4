"""newsroll's Datasette plugin (registered by the ``datasette`` entry point in pyproject.toml).

On any database that is a newsroll archive (it has ``articles``, ``articles_fts``, ``fts_pending``):

- Search: the index holds CJK bigrams (archive.textindex), so the words a visitor types must be
  rewritten before they reach FTS5. Datasette's table search calls the SQL function
  ``escape_fts(:search)``; on an archive's connections this plugin redefines it (``trylast``: after
  Datasette's own) as newsroll's query translation, so the table's search box finds the rows
  ``newsroll search`` finds: Chinese words of any length, English, "phrases", AND/OR/NOT, -word,
  word*. A table view can only sort by a column, not by relevance, so a plain search of the table
  (``?_search=`` with at most ``feed``/``site`` filters and the default sort) is answered by the
  canned query ``search``, which runs ``newsroll search``'s own code (archive.search.search_rows,
  through the SQL function ``newsroll_search``): same rows, same order. HTML is redirected there,
  ``.json``/``.csv`` answered in place. A search with another sort, facets or filters stays a
  table view (same rows, in that sort).
- Readers' view: internal columns are left out of the table (``_nocol``, unless the request
  names its columns), the rest labelled, facets by feed, site, category, newest first, titles
  linking to the source, canned queries (tables.py); with an ``article_stocks`` table, stock
  mentions faceted by code and a canned query for a stock's articles.
- ``/-/newsroll/feed.atom|rss|json?q=&feed=&site=&since=&until=&limit=`` (``&db=`` when several
  archives are served): the feed ``newsroll feed`` writes. ``/-/newsroll/health``: the health page.

Datasette opens the archive read-only: articles stored but not yet indexed (archive.indexer's
queue) are found once newsroll indexes them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from archive.errors import QueryError
from archive.search import make_filters, search_rows
from archive.textindex import translate_query
from archive.web import tables
from archive.web.feedout import FORMATS, MEDIA_TYPES
from archive.web.feedquery import DEFAULT_LIMIT, FeedQuery, build_feed
from archive.web.health import gather
from archive.web.healthpage import render_health

# database name -> columns of its ``articles`` table, for every archive seen on a connection
ARCHIVES: dict[str, frozenset[str]] = {}
WITH_STOCKS: set[str] = set()  # archives with the article_stocks table
RANKED_PASS_THROUGH = {"_shape", "_json", "_labels", "_nl", "_trace", "_dl", "_nocount", "_nofacet", "_nosuggest",
                       "_filter_column", "_filter_op", "_filter_value", "_sort_by_desc"}


# -- connections: detection and SQL functions ---------------------------------------------------


def archive_columns(conn: sqlite3.Connection) -> frozenset[str] | None:
    """The ``articles`` columns when ``conn`` is a newsroll archive, else None."""
    marks = ",".join("?" * len(tables.ARCHIVE_TABLES))
    found = conn.execute(f"select count(*) from sqlite_master where name in ({marks})", tables.ARCHIVE_TABLES)
    if found.fetchone()[0] != len(tables.ARCHIVE_TABLES):
        return None
    return frozenset(row[1] for row in conn.execute("pragma table_info(articles)"))


def _fts(query: str | None) -> str | None:
    return translate_query(query or "")


def _search_function(conn: sqlite3.Connection) -> Any:
    def newsroll_search(query: Any, feed: Any, site: Any, since: Any, until: Any, limit: Any, offset: Any) -> str:
        filters = make_filters(feed or None, site or None, since or None, until or None)
        count = int(limit) if str(limit or "").strip() else DEFAULT_LIMIT
        rows = search_rows(conn, str(query or ""), filters, count, int(offset or 0))
        return json.dumps([{"id": r["id"], "snippet": r["snippet"]} for r in rows], ensure_ascii=False)

    return newsroll_search


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    columns = archive_columns(conn)
    if columns is None:
        return
    ARCHIVES[database] = columns
    if conn.execute("select 1 from sqlite_master where name = ?", (tables.STOCK_TABLE,)).fetchone():
        WITH_STOCKS.add(database)
    conn.create_function("escape_fts", 1, _fts)  # replaces Datasette's, on this connection only
    conn.create_function("newsroll_fts", 1, _fts)
    conn.create_function("newsroll_search", 7, _search_function(conn))


@hookimpl
def startup(datasette: Any) -> Any:
    async def inner() -> None:
        for name, db in datasette.databases.items():
            if name != "_internal":
                await db.execute("select 1")  # opens a connection: prepare_connection detects archives

    return inner


# -- metadata, canned queries, cells, menus ------------------------------------------------------


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any]:
    live = {name: cols for name, cols in ARCHIVES.items() if name in datasette.databases}
    if not live:
        return {}
    return {"databases": {name: tables.database_metadata(cols, name in WITH_STOCKS) for name, cols in live.items()}}


@hookimpl
def canned_queries(datasette: Any, database: str) -> dict[str, Any] | None:
    return tables.canned_queries(database in WITH_STOCKS) if database in ARCHIVES else None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str) -> Markup | None:
    if column != "title" or database not in ARCHIVES or table not in ("articles", None):
        return None
    try:
        url = row["url"]
    except (KeyError, IndexError):
        return None
    if not isinstance(value, str) or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, value)


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    if not ARCHIVES:
        return []
    return [{"href": datasette.urls.path("/-/newsroll/health"), "label": "Feed health"}]


@hookimpl
def table_actions(datasette: Any, database: str, table: str, request: Any) -> list[dict[str, str]]:
    if database not in ARCHIVES or table != "articles":
        return []
    args = {"q": request.args.get("_search") or "", "db": database}
    return [
        {"href": datasette.urls.path(f"/-/newsroll/feed.{fmt}?{urlencode(args)}"),
         "label": f"Subscribe to this search ({label})"}
        for fmt, label in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"))
    ]


# -- requests to the articles table and the search query -----------------------------------------


def _query_error(args: list[tuple[str, str]], names: tuple[str, ...]) -> str | None:
    values = dict(args)
    try:
        for name in names:
            if values.get(name, "").strip():
                translate_query(values[name])
        make_filters(None, None, values.get("since") or None, values.get("until") or None)
    except QueryError as exc:
        return str(exc)
    return None


def _default_sort(args: dict[str, str]) -> bool:
    sort, sort_desc = args.get("_sort", ""), args.get("_sort_desc", "")
    if sort_desc:
        return not sort and sort_desc == tables.DEFAULT_SORT_DESC
    return not sort or (sort == tables.DEFAULT_SORT_DESC and bool(args.get("_sort_by_desc")))


def ranked_target(args: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The ``search`` query's arguments for a plain search of the table, else None (table view)."""
    values = dict(args)
    if not values.get("_search", "").strip() or not _default_sort(values) or values.get("_filter_value"):
        return None
    target = [("q", values["_search"])]
    for key, value in args:
        if key in ("feed", "site") and value:
            target.append((key, value))
        elif key == "_size" and value.isdigit():
            target.append(("limit", value))
        elif key in RANKED_PASS_THROUGH or key in ("_search", "_sort", "_sort_desc", "_nocol", "_col", "_size"):
            continue
        else:
            return None  # facets, other filters, paging by _next: the table view
    return [*target, *((k, v) for k, v in args if k in ("_shape", "_json", "_labels", "_nl", "_trace"))]


def _error(message: str, as_json: bool) -> Response:
    if as_json:
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    return Response.text(f"Error: {message}\n", status=400)


def route_request(scope: dict[str, Any], archives: dict[str, frozenset[str]]) -> tuple[dict[str, Any], Response | None]:
    """The scope to hand on (rewritten for the table and the search query), or a response."""
    parts = scope["path"].split("/")
    if len(parts) != 3 or not parts[2]:
        return scope, None
    database, name = parts[1], parts[2]
    stem, _, ext = name.partition(".")
    if database not in archives or stem not in ("articles", "search") or ext not in ("", "json", "csv"):
        return scope, None
    args = parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True)
    suffix = f".{ext}" if ext else ""
    if stem == "search":
        error = _query_error(args, ("q",))
        return scope, _error(error, ext == "json") if error else None
    error = _query_error(args, ("_search",))
    if error:
        return scope, _error(error, ext == "json")
    target = ranked_target(args)
    if target is not None:
        path = f"/{database}/search{suffix}"
        if not ext:
            return scope, Response.redirect(f"{path}?{urlencode(target)}")
        return _rewrite(scope, path, target), None
    if not any(k in ("_col", "_nocol") for k, _ in args):
        hidden = [("_nocol", c) for c in tables.hidden_columns(archives[database])]
        if not any(k == "_nosuggest" for k, _ in args):  # no facet suggestions of the long texts
            hidden.append(("_nosuggest", "1"))
        return _rewrite(scope, scope["path"], [*args, *hidden]), None
    return scope, None


def _rewrite(scope: dict[str, Any], path: str, args: list[tuple[str, str]]) -> dict[str, Any]:
    return {**scope, "path": path, "raw_path": path.encode("utf-8"), "query_string": urlencode(args).encode("ascii")}


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD") and ARCHIVES:
                scope, response = route_request(scope, ARCHIVES)
                if response is not None:
                    await response.asgi_send(send)
                    return
            await app(scope, receive, send)

        return wrapped

    return wrap


# -- feeds out and the health page ---------------------------------------------------------------


def _archive_db(datasette: Any, request: Any) -> Any:
    names = [n for n in ARCHIVES if n in datasette.databases]
    wanted = request.args.get("db")
    if wanted:
        if wanted not in names:
            return None, f"no newsroll archive named {wanted!r} (archives: {', '.join(names) or 'none'})"
        return datasette.get_database(wanted), None
    if len(names) != 1:
        return None, f"name the archive with db= (archives: {', '.join(names) or 'none'})"
    return datasette.get_database(names[0]), None


async def feed_view(datasette: Any, request: Any) -> Response:
    fmt = request.url_vars["format"]
    db, problem = _archive_db(datasette, request)
    if problem:
        return _error(problem, fmt == "json")
    limit_text = request.args.get("limit") or str(DEFAULT_LIMIT)
    if not limit_text.isdigit():
        return _error(f"limit must be a whole number, not {limit_text!r}", fmt == "json")
    query = FeedQuery(
        query=request.args.get("q") or "", feed=request.args.get("feed") or None,
        site=request.args.get("site") or None, since=request.args.get("since") or None,
        until=request.args.get("until") or None, limit=int(limit_text),
    )
    now = datetime.now(UTC)
    self_url = datasette.absolute_url(request, request.full_path)
    link_args = urlencode({k: v for k, v in (("q", query.query), ("feed", query.feed), ("site", query.site)) if v})
    link = datasette.absolute_url(request, datasette.urls.path(f"/{db.route}/search?{link_args}"))
    try:
        body = await db.execute_fn(lambda conn: build_feed(conn, query, fmt, now=now, self_url=self_url, link=link))
    except QueryError as exc:
        return _error(str(exc), fmt == "json")
    return Response(body, content_type=MEDIA_TYPES[fmt])


async def health_view(datasette: Any, request: Any) -> Response:
    db, problem = _archive_db(datasette, request)
    if problem:
        return _error(problem, False)
    now = datetime.now(UTC)
    report = await db.execute_fn(lambda conn: gather(conn, now=now))
    return Response.html(render_health(report, title=f"newsroll: feed health ({db.name})"))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    formats = "|".join(FORMATS)
    return [(rf"^/-/newsroll/feed\.(?P<format>{formats})$", feed_view), (r"^/-/newsroll/health$", health_view)]
