"""Import gives the same rows and post files whether the front matter is read by the fast path or by PyYAML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive import Archive, frontmatter
from scraper.normalize import clean_article
from tests.archive_support import NOW

TREE = Path(__file__).parent / "fixtures" / "seed-system"
TRICKY = {  # front matter the fast path reads, each with a quirk; bodies with entities and markup
    "quotes.md": "title: 'It''s 10% off: \"really\" # not a comment'\ncategories: \n - 金融\n - 新浪财经\n"
                 " - 新浪财经－国內\ncomments: false\ndate: Tue, 08 Feb 2022 08:00:05 GMT\n",
    "invalid-date.md": "title: 无效日期的帖子\ncategories:\n- 金融\n- 财联社\ndate: Invalid Date\nauthor: 财联社\n",
    "blank-title.md": "title: ''\ncategories:\n    - 金融\n    - 格隆汇\nheadimg: ~\n"
                      "date: Wed, 09 Feb 2022 10:00:00 +0800\n",
    "double.md": 'title: "双引号 title"\r\ncategories: \r\n - 金融\r\n - 证券时报网\r\n - 快讯\r\n'
                 "date: Thu, 10 Feb 2022 01:02:03 GMT\r\nthumbnail: 'https://n.sinaimg.cn/a.png'\r\n",
}
BODY = "\n<div>   \n<p>　　第一句话。&#123;保留&#125; &amp; 更多</p><p>第二段<br/>换行</p>\n</div>\n"


def _tree(root: Path) -> Path:
    tree = root / "tree"
    shutil.copytree(TREE, tree)
    folder = tree / "tricky"
    folder.mkdir()
    for name, head in TRICKY.items():
        assert frontmatter.fast_load(head) is not None, name  # these go through the fast path
        (folder / name).write_text(f"---\n{head}---\n{BODY}", encoding="utf-8")
    return tree


def _import(tree: Path, where: Path) -> tuple[list[dict[str, object]], dict[str, str], list[tuple[str, str]]]:
    with Archive(where / "archive.db", where / "posts", background_index=False) as archive:
        report = archive.import_tree(tree, now=NOW, clean=clean_article)
        rows = sorted(archive.export(), key=lambda r: str(r["id"]))
    files = {p.relative_to(where / "posts").as_posix(): p.read_text(encoding="utf-8")
             for p in (where / "posts").rglob("*.md")}
    return rows, files, sorted(report.skipped)


def test_fast_path_and_pyyaml_store_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = _tree(tmp_path)
    fast = _import(tree, tmp_path / "fast")
    monkeypatch.setattr(frontmatter, "fast_load", lambda head: None)  # every document through PyYAML
    slow = _import(tree, tmp_path / "slow")
    assert len(fast[0]) >= len(TRICKY) + 5
    assert fast == slow
