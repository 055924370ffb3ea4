"""Raw pages: zstd with a dictionary per site, zlib pages of older archives still read, keep_raw."""

from __future__ import annotations

import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import Archive
from archive.errors import ArchiveError
from archive.rawpages import DICT_PAGES, parse_keep_raw, site_key
from tests.archive_support import NOW, SEED_PUBLISHED, make_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
SINA = sorted(PAGES.glob("gne_tests_sina_*.html")) + [PAGES / "sina_seed_era.html"]


def sina_articles(count: int, start: int = 0) -> list:
    """``count`` articles with real Sina pages (the saved ones in turn), distinct links and texts."""
    out = []
    for n in range(start, start + count):
        raw = SINA[n % len(SINA)].read_bytes().replace(b"</body>", f"<p>{n}</p></body>".encode(), 1)
        out.append(
            make_article(
                url=f"https://finance.sina.com.cn/roll/2022-02-08/doc-ikyakumy{n:07d}.shtml",
                guid=f"g{n}",
                title=f"第{n}条",
                body_text=f"正文第{n}条，" * 20 + str(n),
                published=SEED_PUBLISHED + timedelta(minutes=n),
                raw_html=raw,
                raw_charset="utf-8",
            )
        )
    return out


def codecs(archive: Archive) -> list[str | None]:
    return [r[0] for r in archive.db.execute("select codec from raw_pages order by rowid")]


def test_site_key_and_keep_raw_values() -> None:
    assert site_key("https://finance.sina.com.cn/a.shtml") == site_key("http://news.sina.com.cn/b") == "sina.com.cn"
    assert site_key("https://www.example.com/x") == "example.com"
    assert site_key("not a url") == ""
    assert parse_keep_raw("all") is None and parse_keep_raw("none") == 0 and parse_keep_raw(" 30 ") == 30
    for bad in ("0", "-3", "forever", "1.5"):
        with pytest.raises(ValueError, match="keep_raw"):
            parse_keep_raw(bad)


def test_pages_of_one_site_get_a_dictionary_and_read_back(tmp_path: Path) -> None:
    articles = sina_articles(DICT_PAGES + 6)
    with Archive(tmp_path / "a.db", tmp_path / "p") as archive:
        for start in range(0, len(articles), 3):  # several batches, as a pipeline stores them
            archive.store(articles[start : start + 3], now=NOW)
        assert archive.db.execute("select site, pages from raw_dicts").fetchall() == [("sina.com.cn", DICT_PAGES)]
        assert set(codecs(archive)) == {"zstd:1"}  # the first pages were recompressed with it
        pages = {p.url: p.raw for p in archive.raw_pages()}
        assert pages == {a.url: a.raw_html for a in articles}
        sizes = [r[0] for r in archive.db.execute("select length(raw_zlib) from raw_pages")]
    zlib_sizes = [len(zlib.compress(a.raw_html or b"", 1)) for a in articles]
    assert sum(sizes) * 4 < sum(zlib_sizes)


def test_a_site_with_few_pages_uses_zstd_without_dictionary(archive: Archive) -> None:
    [a] = sina_articles(1)
    archive.store([a], now=NOW)
    assert codecs(archive) == ["zstd"]
    assert [p.raw for p in archive.raw_pages()] == [a.raw_html]


def _make_pre_dictionary_archive(path: Path, articles: list) -> None:
    """An archive as newsroll wrote it before dictionaries: zlib pages, no codec column, no raw_dicts."""
    with Archive(path, path.parent / "p") as archive:
        archive.store([a for a in articles], now=NOW)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("drop table raw_dicts")
        conn.execute("drop index idx_raw_pages_stored_at")
        conn.execute(
            "create table raw_old (article_id text primary key, url text, charset text, raw_zlib blob, stored_at text)"
        )
        conn.executemany(
            "insert into raw_old values (?, ?, ?, ?, ?)",
            [
                (r[0], r[1], r[2], zlib.compress(a.raw_html, 1), r[3])
                for r, a in zip(
                    conn.execute("select article_id, url, charset, stored_at from raw_pages order by rowid").fetchall(),
                    articles,
                    strict=True,
                )
            ],
        )
        conn.execute("drop table raw_pages")
        conn.execute("alter table raw_old rename to raw_pages")
    conn.close()


def test_zlib_pages_of_an_older_archive_are_read_and_compacted(tmp_path: Path) -> None:
    articles = sina_articles(DICT_PAGES + 2)
    db = tmp_path / "old.db"
    _make_pre_dictionary_archive(db, articles)
    with Archive(db, tmp_path / "p") as archive:
        assert set(codecs(archive)) == {None}  # zlib rows, as written before
        assert [p.raw for p in archive.raw_pages()] == [a.raw_html for a in articles]
        # new pages are written with zstd next to the old zlib ones, both read back
        [extra] = sina_articles(1, start=100)
        archive.store([extra], now=NOW)
        assert codecs(archive) == [None] * len(articles) + ["zstd"]
        counts = archive.compact_raw_pages(now=NOW)
        assert counts["trained"] == 1 and counts["recompressed"] == len(articles) + 1
        assert set(codecs(archive)) == {"zstd:1"}
        assert [p.raw for p in archive.raw_pages()] == [a.raw_html for a in [*articles, extra]]


def test_reparse_reads_zlib_and_zstd_pages(tmp_path: Path) -> None:
    from jobs.config import load_settings
    from jobs.reparse import reparse_archive

    articles = sina_articles(3)
    db = tmp_path / "old.db"
    _make_pre_dictionary_archive(db, articles)
    config = tmp_path / "config.toml"
    config.write_text('[archive]\ndatabase = "old.db"\nposts_dir = "p"\n', encoding="utf-8")
    with Archive(db, tmp_path / "p") as archive:
        archive.store(sina_articles(2, start=50), now=NOW)
        assert codecs(archive) == [None, None, None, "zstd", "zstd"]
        report = reparse_archive(load_settings(config), archive)
    assert report.pages == 5 and not report.failed


def test_keep_raw_none_stores_no_page(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db", tmp_path / "p", keep_raw="none") as archive:
        archive.store(sina_articles(2), now=NOW)
        assert codecs(archive) == [] and archive.count() == 2


def test_keep_raw_days_prunes_old_pages_at_close(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db, tmp_path / "p") as archive:  # "all": nothing pruned
        today = datetime.now(UTC)
        archive.store(sina_articles(2), now=today - timedelta(days=400))
        archive.store(sina_articles(1, start=10), now=today)
    with Archive(db, tmp_path / "p") as archive:
        assert len(codecs(archive)) == 3
    with Archive(db, tmp_path / "p", keep_raw="30"):
        pass  # pruned when closed
    with Archive(db, tmp_path / "p") as archive:
        assert len(codecs(archive)) == 1 and archive.count() == 3
        assert archive.prune_raw_pages(now=NOW) == 0  # "all"


def test_invalid_keep_raw_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="keep_raw"):
        Archive(tmp_path / "a.db", tmp_path / "p", keep_raw="sometimes")
