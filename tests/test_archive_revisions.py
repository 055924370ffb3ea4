"""Revisions: an edit adds a version, the post shows the newest, history has dates and diffs."""

from __future__ import annotations

from datetime import timedelta

from archive import Archive
from tests.archive_support import BODY_ZH, NOW, make_article


def test_title_edit_makes_a_revision_and_the_post_shows_the_newest(archive: Archive) -> None:
    [first] = archive.store([make_article()], now=NOW)
    edited = make_article(title="浙江省政府发文：进一步加强招商引资（更新）")
    [second] = archive.store([edited], now=NOW + timedelta(hours=2))
    assert second.status == "updated" and second.id == first.id and second.path == first.path
    post = (archive.posts_dir / str(first.path)).read_text(encoding="utf-8")
    assert "title: '浙江省政府发文：进一步加强招商引资（更新）'" in post
    assert "updated: Wed, 01 May 2024 14:00:00 GMT" in post
    [hit] = archive.search("")
    assert hit["revisions"] == 2
    versions = archive.revisions(first.id)
    assert [v["rev"] for v in versions] == [1, 2]
    assert [v["stored_at"] for v in versions] == ["2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z"]
    assert versions[0]["diff"] == "" and versions[1]["current"] is True
    assert "-title: 10000亿元" in versions[1]["diff"] and "+title: 浙江省政府发文" in versions[1]["diff"]


def test_body_edit_diff_shows_the_changed_sentence(archive: Archive) -> None:
    [first] = archive.store([make_article()], now=NOW)
    archive.store(
        [make_article(body_text=BODY_ZH.replace("1000亿美元", "1200亿美元"))], now=NOW + timedelta(days=1)
    )
    archive.store([make_article(body_text=BODY_ZH + "本文已更正。")], now=NOW + timedelta(days=2))
    versions = archive.revisions(first.id)
    assert len(versions) == 3
    assert "+意见提出，到2025年，全省实际使用外资超过1200亿美元。" in versions[1]["diff"]
    assert "-意见提出，到2025年，全省实际使用外资超过1000亿美元。" in versions[1]["diff"]
    assert "+本文已更正。" in versions[2]["diff"]
    assert "1200亿美元" not in archive.post_text(first.id) and "本文已更正" in archive.post_text(first.id)
    assert [r["title"] for r in archive.search("本文已更正")] == [make_article().title]
    assert archive.search("1200亿美元") == []  # the search index follows the newest version


def test_unchanged_refetch_writes_nothing_even_with_new_metadata(archive: Archive) -> None:
    [first] = archive.store([make_article()], now=NOW)
    post = archive.posts_dir / str(first.path)
    mtime = post.stat().st_mtime_ns
    before = archive.db.conn.total_changes
    [again] = archive.store([make_article(summary="new teaser")], now=NOW + timedelta(days=1))
    assert again.status == "unchanged"
    assert archive.db.conn.total_changes == before and post.stat().st_mtime_ns == mtime
    assert len(archive.revisions(first.id)) == 1


def test_edit_back_and_forth_keeps_every_version(archive: Archive) -> None:
    a, b = make_article(title="v1"), make_article(title="v2")
    archive.store([a], now=NOW)
    archive.store([b], now=NOW + timedelta(hours=1))
    archive.store([a], now=NOW + timedelta(hours=2))
    [result] = archive.store([a], now=NOW + timedelta(hours=3))
    assert result.status == "unchanged"
    assert [v["title"] for v in archive.revisions(result.id)] == ["v1", "v2", "v1"]


def test_merged_feed_edits_do_not_ping_pong(archive: Archive) -> None:
    x = make_article(feed="X", guid="x", url="https://x.example/1")
    y = make_article(feed="Y", guid="y", url="https://y.example/1")
    archive.store([x, y], now=NOW)
    y2 = make_article(feed="Y", guid="y", url="https://y.example/1", title="Y edited the title")
    assert archive.store([y2], now=NOW + timedelta(hours=1))[0].status == "updated"
    # X keeps listing its unchanged copy, Y its edited one: no further revisions
    for hour in (2, 3):
        statuses = [r.status for r in archive.store([x, y2], now=NOW + timedelta(hours=hour))]
        assert statuses == ["unchanged", "unchanged"]
    assert archive.search("")[0]["revisions"] == 2
