"""Archive basics on a real SQLite file: store, files, search JSON contract, feed state, checkpoints."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archive import Archive, FeedState, RawPage, SchemaError, StoreError
from tests.archive_support import BODY_EN, NOW, make_article


def test_store_writes_row_and_post(archive: Archive) -> None:
    [result] = archive.store([make_article()], now=NOW)
    assert result.status == "new" and result.rule == "new"
    assert result.path == f"2022/02/08/{result.id}.md"
    assert len(result.id) == 16
    text = (archive.posts_dir / result.path).read_text(encoding="utf-8")
    assert text == archive.post_text(result.id)
    assert text.startswith(
        "\n---\ntitle: '10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作'\ncategories: \n - 金融\n"
    )
    row = archive.get(result.id)
    assert row is not None and row["feeds"] == ["新浪财经－国內"] and row["revisions"] == 1
    assert not list(archive.posts_dir.rglob(".*"))


def test_id_is_stable_across_databases(tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        with Archive(tmp_path / f"{name}.db", tmp_path / name) as arch:
            ids.append(arch.store([make_article()], now=NOW)[0].id)
    assert ids[0] == ids[1]


def test_rerun_adds_nothing_and_writes_nothing(archive: Archive) -> None:
    [first] = archive.store([make_article()], now=NOW)
    post = archive.posts_dir / str(first.path)
    before = post.stat().st_mtime_ns
    changes = archive.db.conn.total_changes
    [again] = archive.store([make_article()], now=NOW + timedelta(hours=1))
    assert again.status == "unchanged" and again.id == first.id
    assert archive.db.conn.total_changes == changes
    assert post.stat().st_mtime_ns == before
    assert archive.count() == 1


def test_search_json_contract(archive: Archive) -> None:
    [stored] = archive.store([make_article()], now=NOW)
    [hit] = archive.search("招商引资")
    assert hit["id"] == stored.id
    assert hit["published"] == "2022-02-08T08:00:05Z"
    assert hit["path"] == stored.path and "\\" not in hit["path"]
    assert hit["revisions"] == 1
    assert hit["feed"] == "新浪财经－国內" and hit["feeds"] == ["新浪财经－国內"]
    assert hit["site"] == "新浪财经" and hit["category"] == "金融"
    assert hit["url"] == hit["source_url"] == make_article().url
    for key in ("title", "summary", "snippet", "flags", "duplicate_of"):
        assert key in hit
    assert "招商引资" in hit["snippet"]


def test_naive_datetime_is_a_store_error_and_nothing_is_kept(archive: Archive) -> None:
    good = make_article(guid="a", url="https://example.com/a", body_text=BODY_EN)
    bad = make_article(guid="b", url="https://example.com/b", published=datetime(2022, 1, 1))
    with pytest.raises(StoreError):
        archive.store([good, bad], now=NOW)
    assert archive.count() == 0


def test_feed_state_round_trip(archive: Archive) -> None:
    assert archive.feed_state("x") is None
    state = FeedState(
        name="x",
        url="https://new.example/feed",
        original_url="https://old.example/feed",
        etag='"abc"',
        last_attempt=NOW,
        last_success=NOW - timedelta(minutes=5),
        status=200,
        consecutive_failures=2,
        disabled=True,
        disabled_reason="410 Gone",
        backoff_until=NOW + timedelta(hours=1),
        items_total=7,
        extra={"ttl": 60},
    )
    archive.save_feed_state(state)
    assert archive.feed_state("x") == state
    archive.save_feed_state(replace(state, disabled=False, error="timeout", etag=None))
    loaded = archive.feed_state("x")
    assert (
        loaded is not None and loaded.disabled is False and loaded.error == "timeout" and loaded.etag is None
    )
    assert [s.name for s in archive.feed_states()] == ["x"]


def test_checkpoints(archive: Archive) -> None:
    assert archive.get_checkpoint("backfill:f") is None
    archive.set_checkpoint("backfill:f", {"page": 3, "done": False})
    assert archive.get_checkpoint("backfill:f") == {"page": 3, "done": False}


def test_known_items_returns_fingerprints(archive: Archive) -> None:
    a = make_article(guid="g-1", url="https://example.com/1", item_fingerprint="f1", body_text=BODY_EN)
    b = make_article(
        guid=None,
        url="https://example.com/2?utm_source=rss",
        item_fingerprint="f2",
        title="no guid",
        body_text="short",
    )
    archive.store([a, b], now=NOW)
    found = archive.known_items(
        a.feed, [("g-1", a.url), (None, "https://example.com/2"), ("g-9", "https://x/9")]
    )
    assert found == {("g-1", a.url): "f1", (None, "https://example.com/2"): "f2"}


def test_wal_and_synchronous_normal(archive: Archive) -> None:
    assert archive.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert archive.db.execute("pragma synchronous").fetchone()[0] == 1


def test_fts_is_configured_for_datasette(archive: Archive) -> None:
    assert archive.db.table("articles").detect_fts() == "articles_fts"
    archive.store([make_article()], now=NOW)
    # what Datasette runs for its search box (it quotes each word): two-character words match
    # once the background thread has indexed the article (a moment after the store)
    sql = "select id from articles where rowid in (select rowid from articles_fts where articles_fts match ?)"
    deadline = time.monotonic() + 10
    while archive.pending_index() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert archive.pending_index() == 0
    assert archive.db.execute(sql, ['"股市"']).fetchall()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Archive(tmp_path / "a.db", tmp_path / "p").close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute("update meta set value = '999' where key = 'schema_version'")
    conn.close()
    with pytest.raises(SchemaError):
        Archive(tmp_path / "a.db", tmp_path / "p")


def test_article_counts(archive: Archive) -> None:
    archive.store([make_article()], now=NOW)
    counts = archive.article_counts(now=NOW + timedelta(hours=1))
    assert counts["新浪财经－国內"]["total"] == 1 and counts["新浪财经－国內"]["recent"] == 1
    assert archive.article_counts(now=NOW + timedelta(days=3))["新浪财经－国內"]["recent"] == 0


def test_raw_pages_round_trip(archive: Archive) -> None:
    raw = "<html><meta charset=gbk>新闻</html>".encode("gb18030")
    [r] = archive.store([make_article(raw_html=raw, raw_charset="gbk")], now=NOW)
    [page] = list(archive.raw_pages())
    assert page == RawPage(id=r.id, url=make_article().url, feed="新浪财经－国內", raw=raw, charset="gbk")
    assert list(archive.raw_pages("other")) == []
    stored = archive.db.execute("select length(raw_zlib) from raw_pages").fetchone()[0]
    assert stored > 0


def test_optimize_keeps_search_working(archive: Archive) -> None:
    archive.store([make_article()], now=NOW)
    archive.optimize()
    assert [r["id"] for r in archive.search("招商引资")] and archive.verify().ok


def test_two_writers_at_once_queue_up(tmp_path: Path) -> None:
    """Daemon and a manual ``newsroll fetch`` may store at the same time (separate connections)."""
    import threading

    errors: list[BaseException] = []

    def writer(feed: str) -> None:
        try:
            with Archive(tmp_path / "a.db", tmp_path / "posts") as arch:
                for batch in range(5):
                    arch.store(
                        [make_article(feed=feed, guid=f"{feed}-{batch}-{i}", url=f"https://{feed}.example/{batch}/{i}",
                                      title=f"{feed} {batch} {i}", body_text=f"{feed} story {batch} {i}. " * 20)
                         for i in range(10)],
                        now=NOW,
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    Archive(tmp_path / "a.db", tmp_path / "posts").close()
    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Archive(tmp_path / "a.db", tmp_path / "posts") as arch:
        assert arch.count() == 100 and arch.verify().ok
