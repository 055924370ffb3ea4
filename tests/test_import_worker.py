"""Import with its parsing worker (``workers=1``, as the CLI runs it): the same report, rows and post
files as parsing in-process; bad posts reported with their reason; the worker's log messages kept;
a worker that dies or a Ctrl-C in the importing process loses nothing already stored."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest

from archive import Archive, importer
from archive.errors import ImportTreeError
from scraper.models import Article
from scraper.normalize import clean_article
from tests.archive_support import NOW
from tests.test_cli import GOOD, newsroll

SEED_TREE = Path(__file__).parent / "fixtures" / "seed-system"
GENERATED = 40


def _post(title: str, day: int, feed: str = "快讯", date: str | None = None) -> str:
    when = date or f"Wed, {day:02d} Feb 2022 10:{day:02d}:00 +0800"
    return (f"---\ntitle: '{title}'\ncategories:\n - 金融\n - 证券时报网\n - {feed}\ndate: {when}\n---\n"
            f"<div>   \n<p>　　{title}：沪深两市今日共有{day}只个股涨停，成交额放大至{day}千亿元。</p>\n</div>\n")


def _tree(root: Path) -> Path:
    """The real seed tree, GENERATED more posts, a copy of one of them, a broken and a misdated one."""
    tree = root / "tree"
    shutil.copytree(SEED_TREE, tree)
    folder = tree / "金融" / "证券时报网" / "生成"
    folder.mkdir(parents=True)
    for n in range(GENERATED):
        (folder / f"post-{n:03d}.md").write_text(_post(f"第{n}条快讯", n % 28 + 1), encoding="utf-8")
    shutil.copy(folder / "post-005.md", folder / "post-005b.md")
    (folder / "post-broken.md").write_text("---\ntitle: 'unclosed\n---\nbody", encoding="utf-8")
    (folder / "post-future.md").write_text(_post("来自未来", 3, date="Wed, 01 Feb 2090 10:00:00 +0800"),
                                           encoding="utf-8")
    return tree


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many chunks and batches from a small tree (the worker is forked: it sees these too)."""
    monkeypatch.setattr(importer, "CHUNK", 4)
    monkeypatch.setattr(importer, "BATCH", 7)
    monkeypatch.setattr(importer, "AHEAD", 3)


def _import(tree: Path, where: Path, workers: int) -> tuple[object, ...]:
    with Archive(where / "archive.db", where / "posts", background_index=False) as archive:
        report = archive.import_tree(tree, now=NOW, clean=clean_article, workers=workers)
        rows = sorted(archive.export(), key=lambda r: str(r["id"]))
        assert archive.verify().ok
        pending = archive.db.execute("select count(*) from pending_files").fetchone()[0]
        found = archive.search("快讯")
    files = {p.relative_to(where / "posts").as_posix(): p.read_text(encoding="utf-8")
             for p in (where / "posts").rglob("*.md")}
    for row in rows:
        row.pop("first_seen", None)
        row.pop("last_changed", None)
    return report, rows, files, pending, sorted(r["id"] for r in found)


@pytest.mark.usefixtures("small_batches")
def test_worker_parsing_stores_what_in_process_parsing_stores(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    inline = _import(tree, tmp_path / "inline", workers=0)
    worker = _import(tree, tmp_path / "worker", workers=1)
    assert worker == inline
    report = worker[0]
    assert isinstance(report, importer.ImportReport)
    reasons = dict(report.skipped)
    assert reasons["金融/证券时报网/生成/post-broken.md"].startswith("front matter is not valid YAML")
    assert reasons["金融/证券时报网/生成/post-005b.md"].startswith("same post as one imported before it")
    assert len(report.imported) == 9 + GENERATED + 1  # the seed's posts, the generated, the misdated
    order = [p.relative_to(tree).as_posix() for p in importer._files(tree)]  # noqa: SLF001
    skipped = [file for file, _reason in report.skipped]
    assert skipped == sorted(skipped, key=order.index)  # reported in the tree's order
    assert worker[3] == 0  # every post file written, none left pending
    assert worker[4]  # the search index was built


@pytest.mark.usefixtures("small_batches")
def test_the_workers_log_messages_are_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    tree = _tree(tmp_path)
    with caplog.at_level(logging.WARNING, logger="archive.importer"), \
            Archive(tmp_path / "a.db", tmp_path / "posts", background_index=False) as archive:
        archive.import_tree(tree, now=NOW, clean=clean_article, workers=1)
    warned = [r for r in caplog.records if "outside 1900" in r.getMessage()]
    assert len(warned) == 1 and "post-future.md" in warned[0].getMessage()
    assert warned[0].process != os.getpid()  # made in the worker, handled here


def dying_clean(article: Article) -> Article:
    """The scraper's cleaning, except that the worker process dies at post 17 (like an OOM kill)."""
    if article.title == "第17条快讯":
        os._exit(3)
    return clean_article(article)


def _plain_tree(root: Path) -> Path:
    """GENERATED distinct posts, nothing else."""
    tree = root / "tree"
    folder = tree / "金融" / "证券时报网" / "快讯"
    folder.mkdir(parents=True)
    for n in range(GENERATED):
        (folder / f"post-{n:03d}.md").write_text(_post(f"第{n}条快讯", n % 28 + 1), encoding="utf-8")
    return tree


@pytest.mark.usefixtures("small_batches")
def test_a_worker_that_dies_loses_nothing_stored(tmp_path: Path) -> None:
    tree = _plain_tree(tmp_path)
    with Archive(tmp_path / "a.db", tmp_path / "posts", background_index=False) as archive:
        with pytest.raises(ImportTreeError, match="the parsing worker stopped"):
            archive.import_tree(tree, now=NOW, clean=dying_clean, workers=1)
        stored = archive.count()
        assert stored == 16  # every chunk of 4 before the one with post 17, its batch stored too
        assert archive.verify().ok
        assert not multiprocessing.active_children()
        again = archive.import_tree(tree, now=NOW, clean=clean_article, workers=1)
        assert len(again.imported) == GENERATED - stored
        assert sum("already archived as" in reason for _file, reason in again.skipped) == stored
        assert archive.count() == GENERATED


@pytest.mark.usefixtures("small_batches")
def test_ctrl_c_keeps_the_stored_batches_and_stops_the_worker(tmp_path: Path) -> None:
    tree = _plain_tree(tmp_path)
    seen: list[int] = []

    def interrupt(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with Archive(tmp_path / "a.db", tmp_path / "posts", background_index=False) as archive:
        with pytest.raises(KeyboardInterrupt):
            archive.import_tree(tree, now=NOW, clean=clean_article, workers=1, on_progress=interrupt)
        assert archive.count() == 14  # two batches of 7
        assert archive.db.execute("select count(*) from pending_files").fetchone()[0] == 0
        assert archive.verify().ok
        assert not multiprocessing.active_children()
        rest = archive.import_tree(tree, now=NOW, clean=clean_article, workers=1)
    assert len(rest.imported) == GENERATED - 14


def test_cli_prints_the_store_and_index_phases(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(GOOD, encoding="utf-8")
    result = newsroll("--config", str(config), "import", str(SEED_TREE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-2].startswith("stored 9 posts in ") and " articles built in " in lines[-2]
    assert lines[-1].startswith("imported 9, skipped 3 in ")
    assert any(line.startswith("search index: ") for line in result.stderr.splitlines())
