"""Long archive work through the real CLI: progress on stderr (plain lines off a terminal), a final
summary on stdout; ``optimize`` moves zlib pages onto a site dictionary; ``keep_raw`` in the config."""

from __future__ import annotations

import io
from pathlib import Path

from archive import Archive
from jobs.cli.workprogress import WorkProgress
from tests.test_cli import GOOD, newsroll
from tests.test_rawpages import _make_pre_dictionary_archive, sina_articles

SEED_SYSTEM = Path(__file__).parent / "fixtures" / "seed-system"


def test_import_shows_progress_lines_and_a_summary(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(GOOD, encoding="utf-8")
    result = newsroll("--config", str(config), "import", str(SEED_SYSTEM))
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("import: ")]
    files = sum(1 for p in SEED_SYSTEM.rglob("*") if p.is_file())
    assert progress and progress[-1].startswith(f"import: {files}/{files} files, ")
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("imported 9, skipped 3 in ") and summary.endswith(" files/s)")


def test_reparse_and_optimize_on_an_archive_with_zlib_pages(tmp_path: Path) -> None:
    articles = sina_articles(10)
    _make_pre_dictionary_archive(tmp_path / "data" / "archive.db", articles)
    config = tmp_path / "config.toml"
    config.write_text(GOOD, encoding="utf-8")
    optimized = newsroll("--config", str(config), "optimize")
    assert optimized.returncode == 0, optimized.stderr
    assert "10 recompressed, 0 pruned, 1 site dictionaries made" in optimized.stdout
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        codecs = {r[0] for r in archive.db.execute("select codec from raw_pages")}
        assert codecs == {"zstd:1"}
        assert sorted(p.raw for p in archive.raw_pages()) == sorted(a.raw_html for a in articles)
    reparsed = newsroll("--config", str(config), "reparse")  # reads the recompressed pages
    assert reparsed.returncode == 0, reparsed.stderr
    assert reparsed.stdout.strip().startswith("reparsed 10 page(s)") and " 0 failed" in reparsed.stdout
    assert any(line.startswith("reparse: 10/10 pages") for line in reparsed.stderr.splitlines())


def test_keep_raw_in_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[archive]\nkeep_raw = "weekly"\n' + GOOD, encoding="utf-8")
    bad = newsroll("--config", str(config), "feeds")
    assert bad.returncode == 2 and "archive.keep_raw" in bad.stderr
    _make_pre_dictionary_archive(tmp_path / "data" / "archive.db", sina_articles(2))
    config.write_text('[archive]\nkeep_raw = "none"\n' + GOOD, encoding="utf-8")
    assert newsroll("--config", str(config), "feeds").returncode == 0  # closing prunes
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        assert archive.db.execute("select count(*) from raw_pages").fetchone()[0] == 0
        assert archive.count() == 2


def test_plain_progress_lines_are_periodic() -> None:
    stream = io.StringIO()
    progress = WorkProgress("reparse", "pages", stream, plain_every=3600)
    for done in range(1, 101):
        progress.update(done, 100)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # the first update, then the end (no line per page)
    assert lines[0].startswith("reparse: 1/100 pages, ") and "ETA" in lines[0]
    assert lines[1].startswith("reparse: 100/100 pages, ")
