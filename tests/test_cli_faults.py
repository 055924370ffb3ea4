"""Archive faults through the real CLI: a corrupt or foreign file, a locked, a read-only and a full
archive. Every command prints one line (``newsroll: …``) and exits 1 or 2 — never a traceback —
and one feed's failure never costs another feed its report.

The read-only and full-disk cases run the CLI in a private mount namespace (``unshare -rm``): a
read-only bind mount of the archive's folder, a small tmpfs. Nothing outside the test's folder is
touched.
"""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import Archive
from tests.archive_support import make_article
from tests.daemon_support import cli_env, rss_feed, run_cli, write_config
from tests.httpserver import Reply, TestServer

RSS = "application/rss+xml"
COMMANDS = [
    ("search",), ("search", "x"), ("show", "abc"), ("export",), ("feeds",), ("verify",), ("verify", "--repair"),
    ("fetch",), ("run", "--once"), ("reparse",), ("backfill", "a"),
]



def assert_one_line_failure(result: subprocess.CompletedProcess[str], *codes: int) -> str:
    assert result.returncode in codes, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("newsroll: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("content", [
    b"this is a text file, not a database\n" * 200,
    b"SQLite format 3\x00" + b"\xff" * 8000,  # a SQLite header over garbage: a damaged database
], ids=["foreign", "damaged"])
def test_every_command_on_a_corrupt_archive_prints_one_line(tmp_path: Path, content: bytes) -> None:
    config = write_config(tmp_path, [{"name": "a", "url": "http://127.0.0.1:9/a.xml"}])
    (tmp_path / "data").mkdir()
    database = tmp_path / "data" / "archive.db"
    database.write_bytes(content)
    (tmp_path / "old").mkdir()
    for command in [*COMMANDS, ("import", str(tmp_path / "old"))]:
        line = assert_one_line_failure(run_cli(config, *command), 2)
        assert "archive.db" in line and ("damaged" in line or "not a newsroll archive" in line), (command, line)
    assert database.read_bytes() == content  # nothing was written over it


def test_a_locked_archive_fails_each_feed_on_its_own_line(tmp_path: Path, server: TestServer) -> None:
    for name in ("a", "b"):
        server.routes[f"/{name}.xml"] = Reply(body=rss_feed(server.base_url, name, [1, 2]), content_type=RSS)
    config = write_config(tmp_path, [{"name": n, "url": server.url(f"/{n}.xml")} for n in ("a", "b")])
    config.write_text(config.read_text().replace('posts_dir = "data/posts"\n',
                                                 'posts_dir = "data/posts"\nbusy_timeout = "1s"\n'))
    assert run_cli(config, "fetch").returncode == 0  # the archive exists and has articles
    holder = sqlite3.connect(tmp_path / "data" / "archive.db")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing for longer than the busy timeout
    try:
        for name in ("a", "b"):
            server.routes[f"/{name}.xml"] = Reply(body=rss_feed(server.base_url, name, [1, 2, 3]), content_type=RSS)
        result = run_cli(config, "fetch")
        searched = run_cli(config, "search", "--format", "json")  # readers are not blocked (WAL)
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert sorted(line.split(":")[0] for line in failed) == ["a", "b"], result.stdout
    assert all("locked" in line for line in failed), result.stdout
    assert searched.returncode == 0 and len(__import__("json").loads(searched.stdout)) == 4
    again = run_cli(config, "fetch")  # the lock is gone: the two new stories are stored now
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 new" in again.stdout


def _in_namespace(script: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private user + mount namespace (mounts vanish with it)."""
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                          timeout=timeout, env=cli_env())


def _cli(config: Path, *args: str) -> str:
    return shlex.join([sys.executable, "-m", "jobs", "--config", str(config), *args])


def test_a_read_only_archive_can_be_searched_but_not_written(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "a", "url": "http://127.0.0.1:9/a.xml"}])
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        stored = archive.store([make_article(title="只读存档里的文章", body_text="只读存档里的正文内容")],
                               now=datetime(2024, 1, 1, tzinfo=UTC))
    article_id = stored[0].id
    data = shlex.quote(str(tmp_path / "data"))
    script = (f"mount --bind {data} {data} && mount -o remount,bind,ro {data} && "
              f"{_cli(config, 'search', '只读存档')}; echo rc=$?; "
              f"{_cli(config, 'show', article_id)} >/dev/null; echo rc=$?; "
              f"{_cli(config, 'export')} >/dev/null; echo rc=$?; "
              f"{_cli(config, 'fetch')}; echo rc=$?")
    result = _in_namespace(script)
    assert "Traceback" not in result.stderr, result.stderr
    codes = [line for line in result.stdout.splitlines() if line.startswith("rc=")]
    assert codes == ["rc=0", "rc=0", "rc=0", "rc=2"], result.stdout + result.stderr
    assert "只读存档里的文章" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("newsroll: cannot open archive"), result.stderr


def test_a_full_disk_fails_feeds_on_their_own_lines_and_keeps_the_archive_readable(
    tmp_path: Path, server: TestServer
) -> None:
    body = "<p>" + "满" * 30_000 + "</p>"
    for name in ("a", "b", "c"):
        items = "".join(
            f"<item><title>{name} {n}</title><link>{server.base_url}/{name}/{n}.html</link>"
            f"<guid>{name}-{n}</guid><pubDate>Mon, 06 May 2024 01:0{n % 10}:00 GMT</pubDate>"
            f"<description><![CDATA[{body}{name}{n}]]></description></item>" for n in range(12))
        server.routes[f"/{name}.xml"] = Reply(
            body=f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>'
                 f"{items}</channel></rss>".encode(), content_type=RSS)
    config = write_config(tmp_path, [{"name": n, "url": server.url(f"/{n}.xml")} for n in ("a", "b", "c")])
    data = tmp_path / "data"
    data.mkdir()
    quoted = shlex.quote(str(data))
    script = (f"mount -t tmpfs -o size=1200k tmpfs {quoted} && "
              f"{_cli(config, 'fetch')}; echo rc=$?; "
              f"{_cli(config, 'search', '--format', 'json')} >/dev/null; echo rc=$?; "
              f"{_cli(config, 'feeds')} >/dev/null; echo rc=$?")
    result = _in_namespace(script)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    codes = [line for line in result.stdout.splitlines() if line.startswith("rc=")]
    assert codes[0] == "rc=1", result.stdout + result.stderr  # some feed could not be stored
    assert codes[1:] == ["rc=0", "rc=0"], result.stdout + result.stderr  # still readable
    reports = [line for line in result.stdout.splitlines() if line[:2] in ("a:", "b:", "c:")]
    assert sorted(line[0] for line in reports) == ["a", "b", "c"], result.stdout  # every feed reported
    assert any("FAILED" in line and "full" in line for line in reports), result.stdout


@pytest.mark.parametrize("args", [
    ("search", "(" * 500 + "x" + ")" * 500),
    ("search", "x", "--limit", str(2**70)),
    ("search", "x", "--since", "1000000000d"),
    ("search", "x", "--until", "9999-12-31"),
    ("search", "x", "--since", "0001-01-01"),
    ("export", "--since", "1000000000d", "--until", "9999-12-31"),
    ("search", "x", "--since", "not a date"),
], ids=["nested", "huge-limit", "huge-days", "last-day", "first-day", "export-range", "bad-date"])
def test_edge_input_on_the_command_line_never_gives_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    config = write_config(tmp_path, [{"name": "a", "url": "http://127.0.0.1:9/a.xml"}])
    with Archive(tmp_path / "data" / "archive.db", tmp_path / "data" / "posts") as archive:
        archive.store([make_article(title="x marks the spot", body_text="x marks the spot, again x")],
                      now=datetime(2024, 1, 1, tzinfo=UTC))
    result = run_cli(config, *args)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode in (0, 2), (result.returncode, result.stderr)
    if result.returncode == 2:
        assert result.stderr.strip() and "\n" not in result.stderr.strip().splitlines()[-1]
    else:
        assert result.stdout.strip(), "a search that ran prints its rows or '(no results)'"
