"""newsroll's Datasette plugin, as users run it: real ``datasette`` in a subprocess on a real archive,
its JSON compared with ``newsroll search`` (the CLI, in a subprocess)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest

from archive.web.feedout import article_tag
from archive.web.feedquery import FeedQuery, select_entries
from archive.web.plugin import ranked_target
from archive.web.tables import HIDDEN_COLUMNS
from tests.web_support import build_archive, write_config

QUERIES = [
    "辟谣",  # 2 characters
    "招商引",  # 3
    "招商引资",  # 4
    "内核源码",  # 4, the example
    "有关部门今日",  # 6
    "interest",  # an English word
    "Oil",
    '"interest rates"',  # a phrase
    '"券商研报"',  # a Chinese phrase
    "辟谣 OR interest",  # operators
    "辟谣 -内核源码",
    "(招商引资 OR 辟谣) AND 券商",
    "券*",
]


@dataclass
class Server:
    base: str
    root: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(self.base + path, params=params, timeout=30)

    def rows(self, path: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(path, _shape="array", **params)
        assert response.status_code == 200, response.text
        return response.json()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(db: Path, *, immutable: bool) -> Server:
    files = ["-i", str(db)] if immutable else [str(db)]
    return _launch(db, lambda port: [sys.executable, "-m", "datasette", "serve", *files,
                                     "--host", "127.0.0.1", "--port", str(port)])


def _launch(db: Path, command: Callable[[int], list[str]]) -> Server:
    port = _free_port()
    log = db.with_name(f"datasette-{port}.log")
    with log.open("wb") as sink:  # a file, not a pipe nobody reads: the access log would fill it
        process = subprocess.Popen(command(port), stdout=sink, stderr=subprocess.STDOUT, cwd=db.parent)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # waiting for the server to listen, not a speed check
    while True:
        try:
            if httpx.get(base + "/-/versions.json", timeout=5).status_code == 200:
                return Server(base, db.parent, process)
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"datasette did not start: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("datasette")
    db = build_archive(root)
    write_config(root)
    started = _start(db, immutable=True)  # immutable, as one serves a copy of the archive
    yield started
    _stop(started)


def newsroll_search(root: Path, query: str, *args: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "jobs", "--config", str(root / "config.toml"), "search", query, "--format", "json", *args],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("query", QUERIES)
def test_table_search_finds_what_newsroll_search_finds_in_the_same_order(server: Server, query: str) -> None:
    expected = newsroll_search(server.root, query)
    assert expected, f"the test archive should match {query!r}"
    got = server.rows("/archive/articles.json", _search=query)
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert [r["title"] for r in got] == [r["title"] for r in expected]
    assert [r["snippet"] for r in got] == [r["snippet"] for r in expected]
    # the canned query the table search lands on, by its own name
    assert [r["id"] for r in server.rows("/archive/search.json", q=query)] == [r["id"] for r in expected]


@pytest.mark.parametrize("query", ["招商引资", "有关部门今日", "interest", '"interest rates"', "辟谣 -内核源码"])
def test_table_view_search_with_a_sort_has_the_same_rows(server: Server, query: str) -> None:
    """Sorted by a column (facets possible), the table's own search box finds the same articles."""
    expected = {r["id"] for r in newsroll_search(server.root, query, "--limit", "1000")}
    got = server.rows("/archive/articles.json", _search=query, _sort_desc="published", _size="max")
    assert {r["id"] for r in got} == expected
    assert [r["published"] for r in got] == sorted((r["published"] for r in got), reverse=True)


def test_datasette_as_typed_would_find_nothing(server: Server) -> None:
    """What the plugin fixes: the words as typed (raw FTS) miss Chinese terms over two characters."""
    assert server.rows("/archive/articles.json", _search="招商引资", _searchmode="raw") == []
    assert len(server.rows("/archive/articles.json", _search="招商引资")) >= 5


def test_filters_and_limit_follow_newsroll_search(server: Server) -> None:
    expected = newsroll_search(server.root, "辟谣", "--site", "新浪财经", "--limit", "3")
    got = server.rows("/archive/articles.json", _search="辟谣", site="新浪财经", _size="3")
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    expected = newsroll_search(server.root, "券商", "--feed", "证券时报－快讯", "--since", "2024-04-30")
    got = server.rows("/archive/search.json", q="券商", feed="证券时报－快讯", since="2024-04-30")
    assert [r["id"] for r in got] == [r["id"] for r in expected] and got


def test_the_search_box_lands_on_the_ranked_search(server: Server) -> None:
    form = {"_search": "招商引资", "_sort": "seq", "_sort_by_desc": "on", "_filter_column": "", "_filter_op": "exact",
            "_filter_value": ""}
    response = server.get("/archive/articles", **form)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/archive/search?q=%E6%8B%9B%E5%95%86%E5%BC%95%E8%B5%84")
    page = server.get(response.headers["location"])
    assert page.status_code == 200 and "浙江招商引资新政" in page.text


def test_a_malformed_query_is_a_clear_error(server: Server) -> None:
    response = server.get("/archive/articles.json", _search='"招商')
    assert response.status_code == 400
    assert "unterminated quote" in response.json()["error"]
    assert server.get("/archive/search.json", q="AND").status_code == 400
    assert "not a date" in server.get("/archive/search.json", q="辟谣", since="soon").json()["error"]


def test_readers_see_labelled_columns_without_the_internal_ones(server: Server) -> None:
    table = server.get("/archive/articles.json", _size="5").json()
    assert set(table["columns"]).isdisjoint(HIDDEN_COLUMNS)
    assert {"title", "url", "published", "feed", "site", "category", "summary"} <= set(table["columns"])
    assert set(table["facet_results"]) == {"feed", "site", "category"}
    sites = {f["value"]: f["count"] for f in table["facet_results"]["site"]["results"]}
    assert sites["CNBC"] == 6 and set(sites) == {"CNBC", "新浪财经", "证券时报网"}
    rows = table["rows"]
    assert [r[table["columns"].index("seq")] for r in rows] == sorted(
        (r[table["columns"].index("seq")] for r in rows), reverse=True)  # newest first
    newest = newsroll_search(server.root, "", "--limit", "5")
    assert [r[table["columns"].index("id")] for r in rows] == [r["id"] for r in newest]
    html = server.get("/archive/articles").text
    assert "Publication time, UTC" in html and "Headline, linking to the source article" in html  # descriptions
    assert '<a href="https://finance.example.cn/roll/0.shtml" rel="noopener noreferrer">浙江招商引资新政第0期</a>' in html
    assert "_facet=search_body" not in html  # no suggestion to facet by internal text
    # asking for a column explicitly still works
    assert server.get("/archive/articles.json", _col="sketch", _size="1").json()["columns"] == ["seq", "sketch"]


def test_canned_queries(server: Server) -> None:
    today = server.rows("/archive/today_by_feed.json", day="2024-05-01")
    assert today and all(r["published"].startswith("2024-05-01") for r in today)
    assert [r["feed"] for r in today] == sorted(r["feed"] for r in today)
    per_day = server.rows("/archive/word_per_day.json", word="内核源码")
    matches = newsroll_search(server.root, "内核源码", "--limit", "1000")
    counts: dict[str, int] = {}
    for match in matches:
        counts[match["published"][:10]] = counts.get(match["published"][:10], 0) + 1
    assert {r["day"]: r["articles"] for r in per_day} == counts


def test_feeds_are_served_at_a_url(server: Server) -> None:
    import sqlite3

    response = server.get("/-/newsroll/feed.atom", q="辟谣", site="新浪财经")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo
    conn = sqlite3.connect(server.root / "archive.db")
    try:
        expected = select_entries(conn, FeedQuery(query="辟谣", site="新浪财经"))
    finally:
        conn.close()
    assert [e.id for e in parsed.entries] == [article_tag(e.id) for e in expected]
    rss = server.get("/-/newsroll/feed.rss", q="interest")
    assert ET.fromstring(rss.content).find("channel/item/guid").get("isPermaLink") == "false"
    items = server.get("/-/newsroll/feed.json", limit="2").json()["items"]
    assert len(items) == 2 and items[0]["content_html"]
    assert server.get("/-/newsroll/feed.json", q='"x').status_code == 400


def test_health_page_is_served(server: Server) -> None:
    page = server.get("/-/newsroll/health")
    assert page.status_code == 200
    assert page.text.count("<svg") == 5 and "Markets" in page.text and "证券时报－快讯" in page.text


def test_a_normal_read_only_datasette_searches_the_same(tmp_path: Path) -> None:
    """``datasette data/archive.db`` without -i (what a new user types) behaves the same."""
    db = build_archive(tmp_path)
    write_config(tmp_path)
    plain = _start(db, immutable=False)
    try:
        for query in ("招商引资", "有关部门今日", "interest"):
            got = plain.rows("/archive/articles.json", _search=query)
            assert [r["id"] for r in got] == [r["id"] for r in newsroll_search(tmp_path, query)]
    finally:
        _stop(plain)


def test_newsroll_serve(tmp_path: Path) -> None:
    """``newsroll serve``: Datasette on the configured archive, read-only, with the plugin."""
    db = build_archive(tmp_path)
    config = write_config(tmp_path)
    served = _launch(db, lambda port: [sys.executable, "-m", "jobs", "--config", str(config), "serve",
                                       "--host", "127.0.0.1", "--port", str(port)])
    try:
        for query in ("内核源码", '"interest rates"'):
            got = served.rows("/archive/articles.json", _search=query)
            assert [r["id"] for r in got] == [r["id"] for r in newsroll_search(tmp_path, query)]
        assert served.get("/-/newsroll/health").status_code == 200
        databases = served.get("/-/databases.json").json()  # opened read-only, new articles seen live
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("archive", True)]
    finally:
        _stop(served)


def test_stock_mentions_when_the_archive_has_them(tmp_path: Path) -> None:
    """The ``article_stocks`` table (seq, code, name, how) gets its facets and query."""
    import sqlite3

    db = build_archive(tmp_path)
    conn = sqlite3.connect(db)
    try:
        conn.execute("delete from article_stocks")  # only the tags below, whatever the tagger found
        seqs = [r[0] for r in conn.execute("select seq from articles where title like '%招商引资%' order by seq")]
        conn.executemany("insert into article_stocks values (?, 'SH600519', '贵州茅台', 'code')", [(s,) for s in seqs])
        conn.execute("insert into article_stocks values (?, 'SZ000001', '平安银行', 'name')", (seqs[0],))
        conn.commit()
    finally:
        conn.close()
    served = _start(db, immutable=True)
    try:
        facets = served.get("/archive/article_stocks.json", _size="1").json()["facet_results"]
        assert {f["value"]: f["count"] for f in facets["code"]["results"]} == {"SH600519": len(seqs), "SZ000001": 1}
        for stock in ("SH600519", "600519", "贵州茅台"):
            rows = served.rows("/archive/stock_articles.json", stock=stock)
            assert [r["seq"] for r in rows] == sorted(seqs, reverse=True)
        assert served.rows("/archive/stock_articles.json", stock="") == []
    finally:
        _stop(served)


@pytest.mark.parametrize(
    ("args", "ranked"),
    [
        ([("_search", "辟谣")], [("q", "辟谣")]),
        ([("_search", "辟谣"), ("site", "新浪财经"), ("_size", "5"), ("_shape", "array")],
         [("q", "辟谣"), ("site", "新浪财经"), ("limit", "5"), ("_shape", "array")]),
        ([("_search", "辟谣"), ("_sort_desc", "seq")], [("q", "辟谣")]),  # the default sort
        ([("_search", "辟谣"), ("_sort_desc", "published")], None),  # a sort of the reader's own
        ([("_search", "辟谣"), ("_sort", "seq")], None),  # oldest first
        ([("_search", "辟谣"), ("_facet", "site")], None),
        ([("_search", "辟谣"), ("category", "股市")], None),  # a filter newsroll search lacks
        ([("_search", "辟谣"), ("_searchmode", "raw")], None),
        ([("_search", "辟谣"), ("_filter_value", "x"), ("_filter_column", "title")], None),
        ([("_search", " ")], None),
        ([("site", "新浪财经")], None),
    ],
)
def test_which_table_requests_are_ranked(args: list[tuple[str, str]], ranked: list[tuple[str, str]] | None) -> None:
    assert ranked_target(args) == ranked
