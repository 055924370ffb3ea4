"""import, verify and verify --repair through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import GOOD, newsroll

SEED_SYSTEM = Path(__file__).parent / "fixtures" / "seed-system"


def test_import_then_verify_tamper_repair_and_orphans(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(GOOD, encoding="utf-8")
    imported = newsroll("--config", str(config), "import", str(SEED_SYSTEM))
    assert imported.returncode == 0, imported.stderr
    last = imported.stdout.strip().splitlines()[-1]
    assert last.startswith("imported ") and "[" not in last
    assert "skipped" in imported.stdout
    again = newsroll("--config", str(config), "import", str(SEED_SYSTEM))
    assert again.stdout.strip().splitlines()[-1].startswith("imported ")
    hits = json.loads(newsroll("--config", str(config), "search", "", "--format", "json").stdout)
    assert hits and all(h["revisions"] == 1 for h in hits)
    assert newsroll("--config", str(config), "verify").returncode == 0

    post = tmp_path / "data" / "posts" / hits[0]["path"]
    post.write_text(post.read_text(encoding="utf-8") + "tampered\n", encoding="utf-8")
    (tmp_path / "data" / "posts" / "stray.md").write_text("\n---\ntitle: 'x'\n---\n", encoding="utf-8")
    broken = newsroll("--config", str(config), "verify")
    assert broken.returncode == 1 and "problem" in broken.stdout
    repaired = newsroll("--config", str(config), "verify", "--repair")
    assert "stray.md" in repaired.stdout and repaired.returncode == 1  # the orphan is reported, not deleted
    assert "tampered" not in post.read_text(encoding="utf-8")
    (tmp_path / "data" / "posts" / "stray.md").unlink()
    assert newsroll("--config", str(config), "verify").returncode == 0
