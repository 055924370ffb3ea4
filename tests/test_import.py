"""``import_tree`` on the real posts of the system newsroll replaces (tests/fixtures/seed-system)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from archive import Archive
from archive.errors import ImportTreeError
from archive.importer import html_to_text, split_front_matter, unwrap_body
from tests.archive_support import NOW

TREE = Path(__file__).parent / "fixtures" / "seed-system"
SEED = TREE / "金融/新浪财经/新浪财经－国內/10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作.md"
POSTS = 9  # .md posts in the tree that can be imported (see INDEX.tsv)


def test_imports_every_post_and_reports_every_skip(archive: Archive) -> None:
    report = archive.import_tree(TREE, now=NOW)
    assert len(report.imported) == POSTS and report.statuses == {"new": POSTS}
    reasons = dict(report.skipped)
    assert reasons == {
        "INDEX.tsv": "not a Markdown post (.tsv)",
        "_frontmatter_only_other_categories.md": "hidden or draft file (Hexo ignores it)",
        "金融/证券时报网/快讯/ .md": "blank title and empty body",
    }
    assert archive.verify().ok


def test_categories_come_from_the_front_matter(archive: Archive) -> None:
    archive.import_tree(TREE, now=NOW)
    rows = {r["title"]: r for r in archive.search("", limit=50)}
    seed = rows["10000亿元+1000亿美元！浙江省政府发文，进一步加强这项工作"]
    assert (seed["category"], seed["site"], seed["feed"]) == ("金融", "新浪财经", "新浪财经－国內")
    assert seed["published"] == "2022-02-08T08:00:05Z" and "imported" in seed["flags"]
    older = rows["AI戒毒：被机器监控的毒品_心瘾_"]  # older layout: 4-space list, two categories, no headimg
    assert (older["category"], older["site"], older["feed"]) == (
        "金融",
        "DT 财经 - 数据侠专栏",
        "DT 财经 - 数据侠专栏",
    )
    assert older["image"] == ""
    quoted = rows['"五一"假期国内游火爆："舍得花"成亲子游标签 4口之家4天花费约2万']
    assert quoted["feed"] == "新浪财经－国內"
    cls = rows["10余省份高速公路全部关闭？实际情况是这样的"]
    assert (cls["site"], cls["feed"]) == ("财联社", "深度")


def test_imported_seed_renders_the_seed_front_matter_and_body(archive: Archive) -> None:
    archive.import_tree(TREE, now=NOW)
    [hit] = archive.search("浙江省政府发文")
    ours = archive.post_text(hit["id"]).encode("utf-8")
    seed = SEED.read_bytes()
    cut = seed.index(b"\n", seed.index(b"\nthumbnail: ") + 1) + 1
    assert ours[:cut] == seed[:cut]
    # the body is the seed's, &#123; escapes included, up to the whitespace around the wrapper
    seed_body = seed.split(b"<div>   \n", 1)[1].rsplit(b"</div>", 1)[0].strip()
    assert ours.split(b"<div>   \n", 1)[1].rsplit(b"</div>", 1)[0].strip() == seed_body
    assert b"&#123;" in seed_body and b"{" not in ours


def test_reimport_rewrites_nothing(archive: Archive) -> None:
    archive.import_tree(TREE, now=NOW)
    mtimes = {p: p.stat().st_mtime_ns for p in archive.posts_dir.rglob("*.md")}
    changes = archive.db.conn.total_changes
    report = archive.import_tree(TREE, now=NOW + timedelta(days=1))
    assert report.imported == []
    assert sum("already archived as" in reason for _, reason in report.skipped) == POSTS
    assert archive.db.conn.total_changes == changes
    assert {p: p.stat().st_mtime_ns for p in archive.posts_dir.rglob("*.md")} == mtimes


def test_dedup_applies_to_imports(archive: Archive, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(TREE / "金融/新浪财经", tree / "a")
    shutil.copytree(TREE / "金融/新浪财经", tree / "b")  # the same posts twice in one tree
    report = archive.import_tree(tree, now=NOW)
    assert len(report.imported) == 4
    assert [reason.startswith("same post as one imported before it") for _, reason in report.skipped] == [
        True
    ] * 4


def test_quirks_invalid_date_blank_title_braces(archive: Archive, tmp_path: Path) -> None:
    post = tmp_path / "tree" / "金融" / "站" / "快讯" / " .md"
    post.parent.mkdir(parents=True)
    post.write_text(
        "\n---\ntitle: ' '\ncategories: \n - 金融\n - 站\n - 快讯\nheadimg: ''\nauthor: 站\ncomments: false\n"
        "date: Invalid Date\nthumbnail: ''\n---\n\n<div>   \n<p>央行今日开展逆回购操作&#123;x&#125;。后续内容</p>\n</div>\n   ",
        encoding="utf-8",
    )
    bad = tmp_path / "tree" / "broken.md"
    bad.write_text("---\ntitle: 'unclosed\n---\nbody", encoding="utf-8")
    report = archive.import_tree(tmp_path / "tree", now=NOW)
    assert len(report.imported) == 1
    assert dict(report.skipped)["broken.md"].startswith("front matter is not valid YAML")
    row = archive.get(report.imported[0])
    assert row is not None
    assert row["title"] == "央行今日开展逆回购操作{x}" and set(row["flags"]) >= {
        "date_unknown",
        "title_derived",
    }
    assert row["published"] == "2024-05-01T12:00:00Z"
    head, _, body = archive.post_text(row["id"]).partition("\n---\n\n<div>")
    assert "title: '央行今日开展逆回购操作{x}'" in head  # front matter keeps braces (quoted)
    assert "{" not in body and "&#123;x&#125;" in body


def test_missing_directory_is_an_error(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(ImportTreeError):
        archive.import_tree(tmp_path / "nope", now=NOW)


def test_helpers() -> None:
    assert split_front_matter("\n---\na: 1\n---\nbody") == ("a: 1\n", "\nbody")
    assert split_front_matter("no front matter") is None
    assert unwrap_body("\n<div>   \n<p>x</p>\n</div>\n            ") == "<p>x</p>"
    assert html_to_text("<p>a &#123;b&#125;</p><script>x()</script><p>c</p>") == "a {b}\nc"
