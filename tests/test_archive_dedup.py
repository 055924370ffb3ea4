"""Each dedup layer on a real SQLite file, and the audit trail of its decisions."""

from __future__ import annotations

from datetime import timedelta

from archive import Archive
from tests.archive_support import BODY_EN, BODY_ZH, NOW, SEED_PUBLISHED, make_article


def audit(arch: Archive) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in arch.db.execute("select action, rule, at from audit order by seq").fetchall()]


def test_repeated_guid_is_one_article_within_a_listing_and_across_polls(archive: Archive) -> None:
    item = make_article(guid="weibo-1", url="https://weibo.com/1/abc")
    results = archive.store([item, item], now=NOW)
    assert [r.status for r in results] == ["new", "unchanged"]
    assert archive.store([item], now=NOW + timedelta(minutes=5))[0].status == "unchanged"
    assert archive.count() == 1


def test_distinct_guids_sharing_a_link_are_distinct_articles(archive: Archive) -> None:
    page = "https://example.com/live"
    a = make_article(guid="post-1", url=page, title="Live: rates decision", body_text=BODY_EN)
    b = make_article(guid="post-2", url=page, title="Live: rates decision", body_text=BODY_EN)
    c = make_article(guid="post-3", url=page, title="Live: markets react", body_text="Markets fell. " * 20)
    results = archive.store([a, b, c], now=NOW)
    assert len({r.id for r in results}) == 3
    assert archive.count() == 3
    # same page text in one feed: kept, but flagged as a copy of the first
    assert results[1].status == "duplicate" and results[1].duplicate_of == results[0].id
    assert results[2].status == "new"


def test_guid_repeated_for_different_links_falls_back_to_link_and_date(archive: Archive) -> None:
    broken = [
        make_article(
            guid="same",
            url=f"https://example.com/{n}",
            title=f"item {n}",
            body_text=f"text {n} " * 30,
            published=SEED_PUBLISHED + timedelta(minutes=n),
        )
        for n in range(3)
    ]
    results = archive.store(broken, now=NOW)
    assert [r.status for r in results] == ["new", "new", "new"]
    assert {r.rule for r in results} == {"new"}
    keys = [r[0] for r in archive.db.execute("select key from article_keys order by key")]
    assert all(k.startswith("l|") for k in keys)
    # the next poll with the same (broken) listing adds nothing
    assert [r.status for r in archive.store(broken, now=NOW)] == ["unchanged"] * 3


def test_guid_that_later_repeats_still_finds_its_article(archive: Archive) -> None:
    first = make_article(guid="g", url="https://example.com/a", body_text=BODY_EN)
    archive.store([first], now=NOW)
    second = make_article(guid="g", url="https://example.com/b", title="other", body_text="other text " * 30)
    results = archive.store([first, second], now=NOW)
    assert [r.status for r in results] == ["unchanged", "new"]
    assert archive.count() == 2


def test_missing_guids_use_link_and_date(archive: Archive) -> None:
    url = "https://example.com/daily"
    day1 = make_article(guid=None, url=url, title="Daily brief", body_text="Monday brief. " * 20)
    day2 = make_article(
        guid=None,
        url=url,
        title="Daily brief",
        body_text="Tuesday brief. " * 20,
        published=SEED_PUBLISHED + timedelta(days=1),
    )
    assert [r.status for r in archive.store([day1, day2], now=NOW)] == ["new", "new"]
    assert [r.rule for r in archive.store([day1], now=NOW)] == ["link_date"]
    assert archive.count() == 2


def test_canonical_url_merges_across_feeds(archive: Archive) -> None:
    base = make_article(
        feed="A", guid="a1", url="https://example.com/story?id=7&utm_source=rss#top", body_text=BODY_EN
    )
    same = make_article(
        feed="B",
        guid="b1",
        url="http://example.com/story?spm=x&id=7&from=timeline",
        body_text=BODY_EN + " Updated.",
    )
    [first] = archive.store([base], now=NOW)
    [merged] = archive.store([same], now=NOW)
    assert merged.status == "merged" and merged.rule == "url" and merged.id == first.id
    [hit] = archive.search("")
    assert hit["feeds"] == ["A", "B"] and hit["feed"] == "A"
    assert "feeds: \n - A\n - B\n" in (archive.posts_dir / str(first.path)).read_text(encoding="utf-8")


def test_sina_mobile_and_desktop_pages_are_one_story(archive: Archive) -> None:
    desktop = make_article(
        feed="新浪财经－国內",
        guid="d",
        url="https://finance.sina.com.cn/roll/2022-02-08/doc-ikyakumy4713046.shtml",
    )
    mobile = make_article(
        feed="新浪财经－宏观",
        guid="m",
        url="https://finance.sina.cn/2022-02-08/detail-ikyakumy4713046.d.html?from=wap",
        title="不同的标题",
        body_text="完全不同的移动版正文。" * 20,
    )
    results = archive.store([desktop, mobile], now=NOW)
    assert results[1].status == "merged" and results[1].rule == "url" and results[1].id == results[0].id


def test_rel_canonical_merges(archive: Archive) -> None:
    a = make_article(
        feed="A",
        guid="1",
        url="https://m.example.com/x/1",
        canonical_url="https://example.com/news/1",
        body_text=BODY_EN,
    )
    b = make_article(feed="B", guid="2", url="https://example.com/news/1", body_text="different " * 40)
    results = archive.store([a, b], now=NOW)
    assert results[1].status == "merged" and results[1].rule == "url"


def test_same_story_through_two_feeds_is_one_article_listing_both(archive: Archive) -> None:
    a = make_article(feed="新浪财经－国內", guid="x1", url="https://finance.sina.com.cn/a.shtml")
    b = make_article(
        feed="财联社",
        site="财联社",
        guid="y1",
        url="https://www.cls.cn/detail/1",
        title="浙江：进一步加强招商引资",
    )
    results = archive.store([a, b], now=NOW)
    assert results[1].status == "merged" and results[1].rule == "content_hash"
    assert archive.count() == 1
    assert archive.search("招商引资")[0]["feeds"] == ["新浪财经－国內", "财联社"]
    # re-polling either feed changes nothing, and the merged feed's edits don't ping-pong
    assert [r.status for r in archive.store([a, b], now=NOW)] == ["unchanged", "unchanged"]


def test_near_duplicate_is_flagged_not_dropped(archive: Archive) -> None:
    a = make_article(feed="A", guid="1", url="https://a.example/1")
    b = make_article(
        feed="B",
        guid="2",
        url="https://b.example/2",
        title="转载：浙江招商引资",
        body_text=BODY_ZH + "（来源：浙江发布）",
    )
    results = archive.store([a, b], now=NOW)
    assert results[1].status == "duplicate" and results[1].rule == "minhash"
    assert results[1].duplicate_of == results[0].id
    assert archive.count() == 2
    row = archive.get(results[1].id)
    assert row is not None and row["duplicate_of"] == results[0].id
    assert f"duplicate_of: {results[0].id}" in archive.post_text(results[1].id)


def test_every_decision_is_audited(archive: Archive) -> None:
    a = make_article(feed="A", guid="1", url="https://a.example/1")
    archive.store([a], now=NOW)
    archive.store([make_article(feed="B", guid="2", url="https://b.example/2")], now=NOW + timedelta(hours=1))
    archive.store(
        [make_article(feed="A", guid="1", url="https://a.example/1", title="edited")],
        now=NOW + timedelta(hours=2),
    )
    assert audit(archive) == [
        ("new", "new", "2024-05-01T12:00:00Z"),
        ("merged", "content_hash", "2024-05-01T13:00:00Z"),
        ("updated", "guid", "2024-05-01T14:00:00Z"),
    ]


def test_guidless_item_redated_on_every_poll_stays_one_article(archive: Archive) -> None:
    url = "https://example.com/always-now"
    polls = [make_article(guid=None, url=url, title="Same story", body_text=BODY_EN,
                          published=SEED_PUBLISHED + timedelta(hours=h)) for h in range(3)]
    statuses = [archive.store([p], now=NOW + timedelta(hours=h))[0].status for h, p in enumerate(polls)]
    assert statuses == ["new", "unchanged", "unchanged"]
    assert archive.count() == 1
