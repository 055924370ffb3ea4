"""archive.files: atomic post writes, one at a time and as a group with one file-system flush."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from archive import files


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


@pytest.fixture(params=["syncfs", "fsync each"])
def flush_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of making the temp files durable: Linux's syncfs, and the per-file fallback."""
    if request.param == "syncfs":
        if files._syncfs() is None:
            pytest.skip("no syncfs on this system")
    else:
        monkeypatch.setattr(files, "_syncfs", lambda: None)
    return str(request.param)


def test_syncfs_is_found_on_linux() -> None:
    if sys.platform.startswith("linux"):
        assert files._syncfs() is not None


def test_many_files_written_in_new_and_existing_folders(tmp_path: Path, flush_mode: str) -> None:
    (tmp_path / "2024/05/01").mkdir(parents=True)
    (tmp_path / "2024/05/01/a.md").write_text("old a", encoding="utf-8")
    items = [
        (tmp_path / "2024/05/01/a.md", "新 a\n"),
        (tmp_path / "2024/05/01/b.md", "b {x}\n"),
        (tmp_path / "2024/05/02/c.md", "c" * 100_000),
    ]
    files.write_atomic_many(items)
    assert tree(tmp_path) == {"2024/05/01/a.md": "新 a\n", "2024/05/01/b.md": "b {x}\n", "2024/05/02/c.md": "c" * 100_000}
    assert not [p for p in tmp_path.rglob(".*")]  # no temp file left


def test_nothing_to_write_is_fine(tmp_path: Path) -> None:
    files.write_atomic_many([])
    assert list(tmp_path.iterdir()) == []


def test_a_failure_before_the_renames_leaves_every_target_as_it_was(
    tmp_path: Path, flush_mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "d" / "a.md"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    real_write_new = files._write_new
    calls = {"n": 0}

    def failing_write_new(path: Path, text: str, *, fsync: bool) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_write_new(path, text, fsync=fsync)

    monkeypatch.setattr(files, "_write_new", failing_write_new)
    with pytest.raises(OSError, match="No space"):
        files.write_atomic_many([(target, "new"), (tmp_path / "d" / "b.md", "b")])
    assert tree(tmp_path) == {"d/a.md": "old"}  # the first target untouched, its temp file removed


def test_a_failing_flush_renames_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_syncfs(fd: int) -> int:
        return -1

    monkeypatch.setattr(files, "_syncfs", lambda: failing_syncfs)
    with pytest.raises(OSError, match="syncfs"):
        files.write_atomic_many([(tmp_path / "a.md", "a")])
    assert tree(tmp_path) == {}


def test_temp_names_are_dot_files_with_the_writer_pid(tmp_path: Path) -> None:
    temp = files._temp_for(tmp_path / "x.md")
    assert files.is_temp_name(temp.name) and temp.name.startswith(".x.md.")
    assert f".{os.getpid()}-" in temp.name


def test_single_write_atomic_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.md"
    files.write_atomic(target, "one")
    files.write_atomic(target, "two")
    assert tree(tmp_path) == {"a/b.md": "two"}
