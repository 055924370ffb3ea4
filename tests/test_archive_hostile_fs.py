"""The archive against a hostile file system: many processes opening a new archive at once, and
posts tree entries that are not what they should be (a FIFO, a symlinked date folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from archive import Archive
from tests.archive_support import NOW, make_article
from tests.daemon_support import cli_env, run_cli, write_config

OPEN_NEW = "import sys; from pathlib import Path; from archive import Archive; " \
           "Archive(Path(sys.argv[1]), Path(sys.argv[2])).close()"


def test_many_processes_opening_a_brand_new_archive_at_once_all_succeed(tmp_path: Path) -> None:
    for round_ in range(4):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_NEW, str(folder / "archive.db"), str(folder / "posts")],
                                  stderr=subprocess.PIPE, text=True, env=cli_env()) for _ in range(6)]
        results = [(p.returncode, err) for p in procs for _, err in [p.communicate(timeout=120)]]
        assert all(code == 0 for code, _ in results), results
        with Archive(folder / "archive.db", folder / "posts") as archive:  # one good schema
            assert archive.count() == 0 and archive.verify().ok


def _archive_with_one_post(tmp_path: Path) -> tuple[Path, Path]:
    config = write_config(tmp_path, [{"name": "a", "url": "http://127.0.0.1:9/a.xml"}])
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        [result] = archive.store([make_article()], now=NOW)
    return config, tmp_path / "data" / "posts" / (result.path or "")


def test_verify_never_opens_a_fifo_where_a_post_should_be(tmp_path: Path) -> None:
    config, post = _archive_with_one_post(tmp_path)
    post.unlink()
    os.mkfifo(post)
    for args in (("verify",), ("verify", "--repair")):
        result = run_cli(config, *args, timeout=60)  # reading the FIFO would block for ever
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "not a regular file" in result.stdout, result.stdout
    assert post.is_fifo()  # left for a person to look at


def test_repair_never_writes_through_a_symlinked_date_folder(tmp_path: Path) -> None:
    config, post = _archive_with_one_post(tmp_path)
    posts = tmp_path / "data" / "posts"
    year = posts / post.relative_to(posts).parts[0]
    outside = tmp_path / "elsewhere"
    shutil.move(str(year), outside)
    year.symlink_to(outside, target_is_directory=True)
    (outside / post.relative_to(year)).unlink()  # the post is missing: a repair would rewrite it
    result = run_cli(config, "verify", "--repair", timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "symbolic link in the post's path" in result.stdout, result.stdout
    assert not (outside / post.relative_to(year)).exists()  # nothing written outside posts_dir
