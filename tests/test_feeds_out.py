"""Feeds out: Atom 1.0, RSS 2.0 and JSON Feed 1.1 of a real archive, parsed back with feedparser and
checked against each format's required elements; ids stable across regenerations."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from archive import Archive, QueryError
from archive.web.feedout import FORMATS, FeedEntry, FeedMeta, article_tag, render
from archive.web.feedquery import FeedQuery, build_feed, select_entries
from tests.archive_support import NOW, make_article
from tests.web_support import build_archive

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("feeds"))


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    yield connection
    connection.close()


def _parsed(body: bytes, fmt: str) -> feedparser.FeedParserDict:
    if fmt == "json":  # feedparser reads XML feeds only; JSON Feed is checked as JSON below
        raise AssertionError("not for JSON")
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_parse_back_without_errors_and_carry_full_content(conn: sqlite3.Connection, fmt: str) -> None:
    body = build_feed(conn, FeedQuery(query="辟谣", site="新浪财经"), fmt, now=NOW, self_url="http://x.test/f")
    parsed = _parsed(body, fmt)
    assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
    expected = select_entries(conn, FeedQuery(query="辟谣", site="新浪财经"))
    assert len(expected) >= 5
    assert [e.id for e in parsed.entries] == [article_tag(x.id) for x in expected]
    for entry, article in zip(parsed.entries, expected, strict=True):
        assert entry.title == article.title
        assert entry.link == article.url
        assert "辟谣" in entry.title + entry.content[0].value
        assert entry.content[0].value == article.content_html  # the whole body, not a summary
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == article.published
    published = [x.published for x in expected]
    assert published == sorted(published, reverse=True)  # newest first


def test_atom_has_the_required_elements(conn: sqlite3.Connection) -> None:
    root = ET.fromstring(build_feed(conn, FeedQuery(query="interest"), "atom", now=NOW))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None and root.find(f"{ATOM}{required}").text
    assert root.find(f"{ATOM}author/{ATOM}name") is not None  # entries without an author inherit it
    entries = root.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text
        assert entry.find(f"{ATOM}id").text.startswith("tag:newsroll,2024:article:")
        assert entry.find(f"{ATOM}content").get("type") == "html"
        assert entry.find(f"{ATOM}link").get("href").startswith("https://markets.example.com/")


def test_rss_has_the_required_elements(conn: sqlite3.Connection) -> None:
    root = ET.fromstring(build_feed(conn, FeedQuery(query="招商引资"), "rss", now=NOW))
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.find(required).text
    items = channel.findall("item")
    stored = conn.execute("select count(*) from articles where title || body_text like '%招商引资%'").fetchone()[0]
    assert len(items) == stored >= 5
    for item in items:
        assert item.find("title").text
        assert "招商引资" in item.find("title").text + item.find("{http://purl.org/rss/1.0/modules/content/}encoded").text
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:newsroll,2024:article:")
        assert item.find("pubDate").text.endswith("GMT")


def test_json_feed_has_the_required_fields(conn: sqlite3.Connection) -> None:
    feed = json.loads(build_feed(conn, FeedQuery(query="内核源码", limit=3), "json", now=NOW))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"]
    assert len(feed["items"]) == 3
    for item in feed["items"]:
        assert item["id"].startswith("tag:newsroll,2024:article:")
        assert item["content_html"] and "内核源码" in item["content_html"]
        assert item["url"].startswith("https://finance.example.cn/")
        assert datetime.fromisoformat(item["date_published"]) <= NOW


def test_filters_and_an_empty_query(conn: sqlite3.Connection) -> None:
    everything = select_entries(conn, FeedQuery(limit=1000))
    assert len(everything) == conn.execute("select count(*) from articles").fetchone()[0] > 30
    sina = select_entries(conn, FeedQuery(site="新浪财经", limit=1000))
    assert sina and all("新浪财经" in e.categories for e in sina)
    recent = select_entries(conn, FeedQuery(since=(NOW - timedelta(hours=10)).isoformat(), limit=1000))
    assert recent and all(e.published >= NOW - timedelta(hours=10) for e in recent)
    markets = select_entries(conn, FeedQuery(feed="Markets", limit=2))
    assert [e.title for e in markets] == ["Oil climbs as supply tightens 0", "Fed raises interest rates, part 1"]


def test_a_reader_sees_each_article_once_across_regenerations(tmp_path: Path) -> None:
    """Regenerate the feed as new articles arrive: entries keep their ids, so a reader keyed by id
    (as feed readers are) shows every article exactly once, in every format."""
    db = build_archive(tmp_path)
    seen: dict[str, dict[str, int]] = {fmt: {} for fmt in FORMATS}
    for round_ in range(3):
        if round_:
            with Archive(db, tmp_path / "posts") as archive:
                for k in range(2):
                    article = make_article(guid=f"new-{round_}-{k}", url=f"https://finance.example.cn/new/{round_}/{k}",
                                           title=f"辟谣：新消息{round_}-{k}", body_text=f"官方今日再次辟谣，第{round_}轮第{k}条。",
                                           published=NOW + timedelta(hours=round_, minutes=k))
                    archive.store([article], now=NOW + timedelta(hours=round_, minutes=5))
        conn = sqlite3.connect(db)
        try:
            for fmt in FORMATS:
                body = build_feed(conn, FeedQuery(query="辟谣", limit=8), fmt, now=NOW + timedelta(hours=round_))
                ids = ([i["id"] for i in json.loads(body)["items"]] if fmt == "json"
                       else [e.id for e in _parsed(body, fmt).entries])
                assert len(ids) == len(set(ids)) == 8
                for entry_id in ids:
                    seen[fmt][entry_id] = seen[fmt].get(entry_id, 0) + 1
        finally:
            conn.close()
    for fmt in FORMATS:
        new_ids = {i for i in seen[fmt] if seen[fmt][i] == 1}
        assert len(new_ids) >= 4  # the articles added later are new entries…
        assert set(seen["atom"]) == set(seen[fmt])  # …with the same ids in every format
    # an unchanged article is the same entry in every regeneration
    assert any(count == 3 for count in seen["atom"].values())


def test_feed_ids_do_not_depend_on_window_or_clock(conn: sqlite3.Connection) -> None:
    one = build_feed(conn, FeedQuery(query="辟谣", limit=5), "atom", now=NOW)
    two = build_feed(conn, FeedQuery(query="辟谣", limit=20, since="2020-01-01"), "atom", now=NOW + timedelta(days=3))
    assert ET.fromstring(one).find(f"{ATOM}id").text == ET.fromstring(two).find(f"{ATOM}id").text
    assert build_feed(conn, FeedQuery(query="辟谣", limit=5), "atom", now=NOW) == one  # deterministic


def test_an_empty_feed_is_valid_and_dated_by_now() -> None:
    meta = FeedMeta(title="nothing", key="k", now=NOW)
    for fmt in ("atom", "rss"):
        parsed = _parsed(render(fmt, meta, []), fmt)
        assert parsed.entries == []
    atom = ET.fromstring(render("atom", meta, []))
    assert atom.find(f"{ATOM}updated").text == "2024-05-01T12:00:00Z"
    assert json.loads(render("json", meta, []))["items"] == []


def test_markup_and_control_characters_in_text_stay_well_formed() -> None:
    entry = FeedEntry(id="x1", title="A < B & \"C\" ]]>", url="https://e.example/?a=1&b=2",
                      published=NOW, updated=NOW + timedelta(hours=1), content_html="<p>x ]]> y &amp; z</p>")
    for fmt in ("atom", "rss"):
        parsed = _parsed(render(fmt, FeedMeta(title="t", key="k", now=NOW), [entry]), fmt)
        assert parsed.entries[0].title == entry.title
        assert parsed.entries[0].link == entry.url
        assert parsed.entries[0].content[0].value == entry.content_html


def test_bad_queries_and_formats_are_clear_errors(conn: sqlite3.Connection) -> None:
    with pytest.raises(QueryError, match="unterminated quote"):
        build_feed(conn, FeedQuery(query='"辟谣'), "atom", now=NOW)
    with pytest.raises(QueryError, match="not a date"):
        build_feed(conn, FeedQuery(since="yesterday"), "atom", now=NOW)
    with pytest.raises(ValueError, match="unknown feed format"):
        build_feed(conn, FeedQuery(), "rdf", now=NOW)
