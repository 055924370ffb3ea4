"""The CLI as users run it: a subprocess, one-line errors, exit codes, JSON contracts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

GOOD = """
[[feeds]]
name = "a"
site = "S"
category = "金融"
kind = "feed"
url = "http://127.0.0.1:9/feed.xml"
"""


def newsroll(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jobs", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, **(env or {})})


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[http]\ntimeout = 'x'\n", "http.timeout"),
        (GOOD + GOOD, "duplicate feed name"),
        (GOOD.replace('kind = "feed"', 'kind = "atom"'), ".kind"),
        ("nonsense = [", "invalid TOML"),
    ],
)
def test_bad_config_is_one_line_exit_2(tmp_path: Path, text: str, needle: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    result = newsroll("--config", str(config), "fetch")
    assert result.returncode == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_config_from_environment_and_unknown_feed(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(GOOD, encoding="utf-8")
    result = newsroll("fetch", "nope", env={"NEWSROLL_CONFIG": str(config)})
    assert result.returncode == 2
    assert "unknown feed 'nope'" in result.stderr


def test_missing_default_config(tmp_path: Path) -> None:
    result = newsroll("search", "x", cwd=tmp_path, env={"NEWSROLL_CONFIG": ""})
    assert result.returncode == 2 and "config file not found" in result.stderr


def test_unreachable_feed_fails_cleanly(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(GOOD.replace("[[feeds]]", "[http]\ntimeout = 2.0\nmax_attempts = 1\n\n[[feeds]]"), encoding="utf-8")
    result = newsroll("--config", str(config), "fetch")
    assert result.returncode == 1
    assert result.stdout.startswith("a: FAILED")
    assert "Traceback" not in result.stderr


def test_extract_command_json_contract(tmp_path: Path) -> None:
    page = FIXTURES / "pages" / "gne_tests_sina_3.html"
    missing = tmp_path / "missing.html"
    result = newsroll("extract", str(page), str(missing), "--url",
                      "https://finance.sina.com.cn/stock/usstock/c/2019-09-09/doc-iicezzrq4681677.shtml")
    assert result.returncode == 1  # one file was missing; the other is still extracted
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(page), str(missing)]
    first = records[0]
    for key in ("file", "title", "author", "published", "image", "body_html", "body_text"):
        assert key in first
    assert first["title"] == "债券市场是否存在泡沫？世界知名首席投资官们这么说"
    assert first["published"].startswith("2019-09-09T20:52:")  # printed in the page's own zone
    assert first["published"].endswith("+08:00")
    assert len(first["body_text"]) > 500
    assert records[1]["error"]


def test_search_malformed_query_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(GOOD, encoding="utf-8")
    result = newsroll("--config", str(config), "search", 'AND OR "unbalanced')
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    empty = newsroll("--config", str(config), "search", "", "--format", "json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
    bad_date = newsroll("--config", str(config), "search", "x", "--since", "yesterday-ish")
    assert bad_date.returncode == 2 and "--since" in bad_date.stderr
