"""`newsroll reparse`: stored raw pages re-extracted with today's rules, as new revisions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from archive import Archive
from jobs.config import load_settings
from jobs.reparse import reparse_archive
from scraper.models import Article

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://finance.sina.com.cn/stock/usstock/c/2019-09-09/doc-iicezzrq4681677.shtml"


def test_reparse_repairs_a_bad_extraction_without_refetching(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("""
[[feeds]]
name = "新浪财经－美股"
site = "新浪财经"
category = "金融"
kind = "sina_roll"
url = "https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686"
rules = "sina"
""", encoding="utf-8")
    settings = load_settings(config)
    raw = (FIXTURES / "pages" / "gne_tests_sina_3.html").read_bytes()
    bad = Article(feed="新浪财经－美股", site="新浪财经", category="金融", url=URL,
                  title="债券市场是否存在泡沫？世界知名首席投资官们这么说",
                  published=datetime(2019, 9, 9, 12, 52, 38, tzinfo=UTC),
                  body_html="<p>分享到微博 登录 注册 (a template change broke the old rules)</p>",
                  body_text="分享到微博 登录 注册 (a template change broke the old rules)",
                  raw_html=raw, raw_charset="utf-8", flags=("rules_missed",))
    with Archive(settings.archive.database, settings.archive.posts_dir) as archive:
        [stored] = archive.store([bad], now=datetime(2019, 9, 9, 13, tzinfo=UTC))
        report = reparse_archive(settings, archive)
        assert (report.pages, report.updated, report.failed) == (1, 1, 0)
        row = archive.get(stored.id)
        assert row is not None
        assert row["revisions"] == 2
        assert "分享到微博" not in row["body_text"] and len(row["body_text"]) > 500
        assert "rules_missed" not in row["flags"]
        assert "分享到微博" not in archive.post_text(stored.id)
        again = reparse_archive(settings, archive)
        assert (again.updated, again.unchanged) == (0, 1)


def test_an_article_comes_back_as_a_record(tmp_path: Path) -> None:
    from archive import Archive, StoredArticle
    from tests.archive_support import NOW, make_article

    with Archive(tmp_path / "a.db", tmp_path / "posts") as archive:
        [result] = archive.store([make_article(guid="g-1", author="记者 王五")], now=NOW)
        stored = archive.article(result.id)
        assert isinstance(stored, StoredArticle)
        assert stored.id == result.id and stored.guid == "g-1" and stored.author == "记者 王五"
        assert stored.published == make_article().published and stored.flags == ()
        assert archive.article("0" * 16) is None
