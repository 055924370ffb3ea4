"""verify / verify --repair, and recovery of posts a crash left unwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

import archive.archive as archive_module
from archive import Archive
from tests.archive_support import BODY_EN, NOW, make_article


def stored(arch: Archive, count: int = 3) -> list[str]:
    results = arch.store(
        [
            make_article(
                guid=f"g{n}", url=f"https://e.example/{n}", title=f"t{n}", body_text=f"{BODY_EN} {n}"
            )
            for n in range(count)
        ],
        now=NOW,
    )
    return [str(r.path) for r in results]


def test_clean_archive_verifies(archive: Archive) -> None:
    stored(archive)
    report = archive.verify()
    assert report.ok and report.problems == [] and report.checked == 3


def test_missing_and_stale_posts_are_found_and_repaired(archive: Archive) -> None:
    paths = stored(archive)
    (archive.posts_dir / paths[0]).unlink()
    (archive.posts_dir / paths[1]).write_text("edited by hand", encoding="utf-8")
    report = archive.verify()
    assert not report.ok
    assert any("missing" in p and paths[0] in p for p in report.problems)
    assert any("stale" in p and paths[1] in p for p in report.problems)
    repaired = archive.verify(repair=True)
    assert repaired.ok and len(repaired.repaired) == 2
    assert archive.verify().ok
    assert (archive.posts_dir / paths[1]).read_text(encoding="utf-8").startswith("\n---\ntitle: 't1'")


def test_temp_files_are_problems_and_repair_removes_them(archive: Archive) -> None:
    paths = stored(archive)
    temp = archive.posts_dir / Path(paths[0]).parent / f".{Path(paths[0]).name}.dead.tmp"
    temp.write_text("half a post", encoding="utf-8")
    assert not archive.verify().ok
    assert archive.verify(repair=True).ok
    assert not temp.exists()


def test_orphans_are_reported_not_deleted_and_fail_verify(archive: Archive) -> None:
    stored(archive)
    orphan = archive.posts_dir / "2020/01/01/someone-elses.md"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("mine", encoding="utf-8")
    report = archive.verify(repair=True)
    assert report.orphans == ["2020/01/01/someone-elses.md"]
    assert not report.ok and report.repaired_all
    assert orphan.exists()


def test_damaged_search_index_is_found_and_rebuilt(archive: Archive) -> None:
    stored(archive)
    archive.index_pending()
    assert archive.pending_index() == 0  # indexed (here or by the background thread)
    archive.db.execute("delete from articles_fts_data where id > 10")  # corrupt the FTS index
    archive.db.conn.commit()
    assert not archive.verify().ok
    assert archive.verify(repair=True).ok
    assert archive.search("rates")


def test_crash_between_commit_and_files_is_finished_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic counterpart of the kill -9 test: the process dies after writing one post."""
    db, posts = tmp_path / "a.db", tmp_path / "posts"
    real_write_many = archive_module.write_atomic_many

    def dying_write_many(items: list[tuple[Path, str]]) -> None:
        real_write_many(items[:1])
        # leave what a kill in the middle of the batch leaves: a temp file, no target
        target, text = items[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / f".{target.name}.abcd.tmp").write_text(text[:10], encoding="utf-8")
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(archive_module, "write_atomic_many", dying_write_many)
    arch = Archive(db, posts)
    with pytest.raises(KeyboardInterrupt):
        stored(arch)
    arch.close()
    monkeypatch.setattr(archive_module, "write_atomic_many", real_write_many)
    assert len(list(posts.rglob("*.md"))) == 1
    with Archive(db, posts) as reopened:
        assert reopened.count() == 3  # committed before the files: nothing lost
        report = reopened.verify()
        assert report.ok, report.problems
    assert not [p for p in posts.rglob("*") if p.name.startswith(".")]
