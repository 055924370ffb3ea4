"""Real Hexo for the rendering tests, installed once from the npm registry into a cache folder.

``.ci/run`` installs it before the tests (``python -m tests.hexo_support``), so the test run
itself does no installing; on a developer's machine the first Hexo test installs it when it is
missing. The cache is ``NEWSROLL_HEXO_CACHE`` or ``~/.cache/newsroll/hexo-<hash of package.json>``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

SKELETON = Path(__file__).parent / "fixtures" / "hexo"


class HexoUnavailable(RuntimeError):
    """npm is missing, so Hexo cannot be installed."""


def install_hexo() -> Path:
    """Hexo's folder (node_modules/hexo inside), installed first if it is not there yet."""
    digest = hashlib.sha256((SKELETON / "package.json").read_bytes()).hexdigest()[:12]
    root = Path(os.environ.get("NEWSROLL_HEXO_CACHE") or Path.home() / ".cache" / "newsroll" / f"hexo-{digest}")
    if not (root / "node_modules" / "hexo").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            raise HexoUnavailable("npm is not installed: Hexo rendering cannot be checked on this machine")
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(SKELETON / "package.json", root / "package.json")
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root, check=True,
                       timeout=600, capture_output=True)
    return root


def hexo_home() -> Path:
    """For the tests: Hexo's folder, or a skip when npm is missing (reported as such, never passed)."""
    import pytest

    try:
        return install_hexo()
    except HexoUnavailable as exc:
        pytest.skip(str(exc))
        raise


if __name__ == "__main__":
    print(install_hexo())
    sys.exit(0)
