"""The companies of each article in the archive: written on store, searched, exported, counted,
shown in posts (when asked), migrated into an existing archive."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive import Archive
from scraper.models import StockTag
from tests.archive_support import NOW, make_article

MOUTAI = StockTag("SH600519", "贵州茅台", "name")
CATL = StockTag("SZ300750", "宁德时代", "code")
TENCENT = StockTag("HK00700", "腾讯控股", "source")


def article(n: int, tags: tuple[StockTag, ...], days_ago: int = 0, **changes: object):  # type: ignore[no-untyped-def]
    return make_article(url=f"https://finance.sina.com.cn/roll/doc-{n}.shtml", guid=f"g{n}",
                        title=f"第{n}条新闻", body_text=f"正文{n}：" + "内容" * 20 + str(n),
                        published=NOW - timedelta(days=days_ago), stock_tags=tags, **changes)


def stored_tags(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("select code, name, how from article_stocks order by seq, code").fetchall()


def test_search_and_export_by_company(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        archive.store([article(1, (MOUTAI, CATL)), article(2, (TENCENT,)), article(3, ())], now=NOW)
        assert [r["title"] for r in archive.search("", stock="SH600519")] == ["第1条新闻"]
        assert [r["title"] for r in archive.search("", stock="腾讯控股")] == ["第2条新闻"]  # by stored name
        assert archive.search("", stock="SZ000001") == []
        rows = {r["title"]: r["stocks"] for r in archive.search("")}
        assert rows == {"第1条新闻": ["SZ300750", "SH600519"], "第2条新闻": ["HK00700"], "第3条新闻": []}
        [exported] = list(archive.export(stock="SZ300750"))
        assert exported["stocks"] == ["SZ300750", "SH600519"] and exported["body_text"].startswith("正文1")
        assert archive.stock_codes("贵州茅台") == ["SH600519"]


def test_codes_only_articles_are_tagged_as_the_sources(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        archive.store([article(1, (), stocks=("SH601390",))], now=NOW)
    assert stored_tags(tmp_path / "a.db") == [("SH601390", "", "source")]


def test_tags_are_added_and_keep_the_most_reliable_origin(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        archive.store([article(1, (MOUTAI,))], now=NOW)
        # the same story again (unchanged text) now also tagged from the source's list
        archive.store([article(1, (StockTag("SH600519", "", "source"), CATL))], now=NOW)
        archive.store([article(1, (StockTag("SH600519", "", "name"),))], now=NOW)
    assert stored_tags(tmp_path / "a.db") == [("SH600519", "贵州茅台", "source"), ("SZ300750", "宁德时代", "code")]


def test_most_mentioned_companies_since(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        archive.store([
            article(1, (MOUTAI, CATL), days_ago=10), article(2, (MOUTAI,), days_ago=1),
            article(3, (MOUTAI, TENCENT), days_ago=0), article(4, (TENCENT,), days_ago=2),
            article(5, (MOUTAI,), days_ago=3),
        ], now=NOW)
        assert archive.top_stocks() == [
            {"code": "SH600519", "name": "贵州茅台", "count": 4},
            {"code": "HK00700", "name": "腾讯控股", "count": 2},
            {"code": "SZ300750", "name": "宁德时代", "count": 1},
        ]
        recent = archive.top_stocks(since=NOW - timedelta(days=7), limit=1, names={"SH600519": "茅台"})
        assert recent == [{"code": "SH600519", "name": "茅台", "count": 3}]
        ties = archive.top_stocks(since=NOW - timedelta(days=2, hours=1))  # 2 each: by code
        assert [(r["code"], r["count"]) for r in ties] == [("HK00700", 2), ("SH600519", 2)]


def test_posts_show_tags_only_when_asked(tmp_path: Path) -> None:
    plain = Archive(tmp_path / "a.db", tmp_path / "posts")
    [result] = plain.store([article(1, (MOUTAI, TENCENT))], now=NOW)
    text = (tmp_path / "posts" / str(result.path)).read_text(encoding="utf-8")
    assert "tags:" not in text  # off by default: the seed's format, byte for byte
    plain.close()
    untagged = Archive(tmp_path / "b.db", tmp_path / "posts_b")
    [same] = untagged.store([article(1, ())], now=NOW)
    assert (tmp_path / "posts_b" / str(same.path)).read_text(encoding="utf-8") == text
    untagged.close()
    with Archive(tmp_path / "c.db", tmp_path / "posts_c", post_tags=True) as tagged:
        [result] = tagged.store([article(1, (TENCENT, MOUTAI))], now=NOW)
        post = (tmp_path / "posts_c" / str(result.path)).read_text(encoding="utf-8")
        assert post.split("---\n")[1].endswith("tags: \n - 腾讯控股\n - 贵州茅台\n")
        # a new tag on a known article rewrites its post; verify agrees with the files
        tagged.store([article(1, (CATL,))], now=NOW)
        assert " - 宁德时代\n" in (tmp_path / "posts_c" / str(result.path)).read_text(encoding="utf-8")
        assert tagged.verify().ok


def test_existing_archive_gets_the_table_and_deletes_drop_tags(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        archive.store([article(1, ())], now=NOW)
    with sqlite3.connect(tmp_path / "a.db") as conn:  # an archive made before stocks existed
        conn.execute("drop table article_stocks")
        conn.execute("drop trigger if exists articles_stocks_ad")
    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        archive.store([article(2, (MOUTAI,))], now=datetime(2024, 5, 2, tzinfo=UTC))
        assert [r["title"] for r in archive.search("", stock="SH600519")] == ["第2条新闻"]
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute("delete from articles where title = '第2条新闻'")
    assert stored_tags(tmp_path / "a.db") == []


def test_retag_drops_stale_text_tags_and_keeps_source_and_link_tags(tmp_path: Path) -> None:
    link = StockTag("SH601008", "连云港", "link")
    stale_code = StockTag("SZ000001", "平安银行", "code")
    with Archive(tmp_path / "a.db", tmp_path / "posts", post_tags=True) as archive:
        [result] = archive.store([article(1, (MOUTAI, stale_code, TENCENT, link))], now=NOW)
        # a plain store only adds
        archive.store([article(1, (CATL,))], now=NOW)
        assert len(stored_tags(tmp_path / "a.db")) == 5
        # a re-tagging finds 宁德时代 and 贵州茅台 in the text: 平安银行 (code) goes, source and link stay
        archive.store([article(1, (CATL, MOUTAI))], now=NOW, retag=True)
        assert sorted(stored_tags(tmp_path / "a.db")) == [
            ("HK00700", "腾讯控股", "source"), ("SH600519", "贵州茅台", "name"),
            ("SH601008", "连云港", "link"), ("SZ300750", "宁德时代", "code")]
        post = (tmp_path / "posts" / str(result.path)).read_text(encoding="utf-8")
        assert " - 平安银行\n" not in post and " - 宁德时代\n" in post  # the post follows
        # a re-tagging that finds nothing in the text keeps only source and link
        archive.store([article(1, ())], now=NOW, retag=True)
        assert sorted(stored_tags(tmp_path / "a.db")) == [("HK00700", "腾讯控股", "source"),
                                                          ("SH601008", "连云港", "link")]
        assert archive.verify().ok
