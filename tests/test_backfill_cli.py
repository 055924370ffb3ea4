"""``newsroll backfill`` as users run it: a subprocess against a local roll API, killed and resumed."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from jobs.backfill.progress import BarProgress, PageLine, PlainProgress, Tally, make_progress
from tests.backfill_support import FEED, RollAPI, archived_urls, checkpoint, config_text, write_config
from tests.httpserver import Reply, RequestRecord, TestServer, serve

# Start newsroll with Ctrl-C at its default, even when this test run inherited it ignored (a shell
# starts background jobs with SIGINT ignored, and an exec'd program keeps that): the Ctrl-C tests
# must reach the backfill as a user's Ctrl-C would.
_DEFAULT_SIGINT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                   "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", _DEFAULT_SIGINT, "-m", "jobs", "--config", str(config), "backfill", *args]


def newsroll(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(config, *args), capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@pytest.mark.slow
def test_killed_mid_way_and_rerun_archives_every_item_exactly_once(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        api = RollAPI(base, 2000, delay=0.02)
        api.grow = lambda n: 5 if n and n % 4 == 0 else 0  # and the list drifts all along
        server.routes["/api/roll/get"] = api
        config = write_config(tmp_path, config_text(base))

        proc = subprocess.Popen(command(config, FEED), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONWARNINGS": "ignore"})
        try:
            wait_for(lambda: len(server.requests_for("/api/roll/get")) >= 20 or proc.poll() is not None)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        partial = archived_urls(config)
        assert 0 < len(partial) < 2000 and len(partial) == len(set(partial))
        saved = checkpoint(config)
        assert saved is not None and not saved.get("done")

        api.add(137)  # what arrived while it was down: more than two pages
        resumed = newsroll(config, FEED)
        assert resumed.returncode == 0, resumed.stderr
        assert "resuming an unfinished backfill at page" in resumed.stderr
        assert "backfill complete" in resumed.stdout
        urls = archived_urls(config)
        assert len(urls) == len(set(urls)), "an item was archived twice"
        assert set(urls) == api.urls(), f"{len(api.urls() - set(urls))} items missed"

        api.grow = lambda n: 0
        again = newsroll(config, FEED)
        assert again.returncode == 0 and " 0 new," in again.stdout
        assert len(archived_urls(config)) == len(urls)


def test_ctrl_c_saves_progress_and_the_same_command_continues(tmp_path: Path) -> None:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        api = RollAPI(base, 600)
        held = threading.Event()

        def roll(request: RequestRecord) -> Reply:
            if "page=4&" in request.path + "&":
                held.wait(30)  # page 4 hangs until the test has done its checks
            return api(request)

        server.routes["/api/roll/get"] = roll
        config = write_config(tmp_path, config_text(base))
        proc = subprocess.Popen(command(config, FEED), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONWARNINGS": "ignore"})
        try:
            wait_for(lambda: len(server.requests_for("/api/roll/get")) >= 4 or proc.poll() is not None)
            second = newsroll(config, FEED)  # one backfill of a feed at a time
            assert second.returncode == 2 and "another backfill of" in second.stderr
        finally:
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=20)
            held.set()
        assert proc.returncode == 130, stderr
        assert "interrupted; progress is saved" in stderr and "Traceback" not in stderr
        assert len(archived_urls(config)) == 150  # pages 1-3
        resumed = newsroll(config, FEED)
        assert resumed.returncode == 0 and "resuming an unfinished backfill at page 4" in resumed.stderr
        urls = archived_urls(config)
        assert len(urls) == len(set(urls)) and set(urls) == api.urls()


@pytest.fixture
def site(tmp_path: Path) -> tuple[TestServer, Path]:
    with serve({}) as server:
        base = server.url("").rstrip("/")
        server.routes["/api/roll/get"] = RollAPI(base, 120)
        server.routes["/plain.xml"] = Reply.file(Path(__file__).parent / "fixtures" / "feeds" / "ruanyifeng-atom.xml",
                                                 "application/atom+xml")
        config = write_config(tmp_path, config_text(base, extra_feeds=f"""
[[feeds]]
name = "Plain"
site = "Blog"
category = "科技"
kind = "feed"
url = "{base}/plain.xml"
full_text = false
"""))
        yield server, config


def test_summary_on_stdout_and_one_plain_line_per_page_on_stderr(site: tuple[TestServer, Path]) -> None:
    _, config = site
    result = newsroll(config, FEED)
    assert result.returncode == 0
    assert result.stdout.startswith(f"{FEED}: backfill complete: 4 pages, 120 items seen, 120 new, 0 updated, "
                                    "0 duplicates, 0 failed in ")
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ")[1] for line in lines] == ["page 1", "page 2", "page 3", "top page 1"]
    assert "Traceback" not in result.stderr


def test_a_relative_window_resumes_on_the_next_day_too(site: tuple[TestServer, Path]) -> None:
    _, config = site
    paused = newsroll(config, FEED, "--since", "20000d", "--max-pages", "2")
    assert paused.returncode == 0 and "paused after --max-pages" in paused.stdout
    resumed = newsroll(config, FEED, "--since", "20000d")  # "20000d" now means a later time
    assert resumed.returncode == 0 and "resuming an unfinished backfill at page 3" in resumed.stderr
    assert " 20 new," in resumed.stdout and len(archived_urls(config)) == 120


def test_feed_without_history_says_so_and_exits_0(site: tuple[TestServer, Path]) -> None:
    _, config = site
    result = newsroll(config, "Plain")
    assert result.returncode == 0
    assert result.stdout.startswith("Plain: no history to backfill (the feed offers no archive links)")


@pytest.mark.parametrize(("args", "needle"), [
    (["nope"], "unknown feed 'nope'"),
    ([FEED, "--since", "yesterday-ish"], "--since"),
    ([FEED, "--since", "2024-05-02", "--until", "2024-05-01"], "--since must be earlier than --until"),
    ([FEED, "--max-pages", "0"], "--max-pages"),
])
def test_bad_usage_exits_2_without_a_traceback(site: tuple[TestServer, Path], args: list[str], needle: str) -> None:
    server, config = site
    result = newsroll(config, *args)
    assert result.returncode == 2
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert not server.requests  # nothing was fetched


def test_a_page_that_keeps_failing_exits_1(site: tuple[TestServer, Path]) -> None:
    server, config = site
    server.routes["/api/roll/get"] = Reply(status=404, body="gone")
    result = newsroll(config, FEED)
    assert result.returncode == 1
    assert "backfill FAILED" in result.stdout and "404" in result.stdout
    assert "Traceback" not in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_a_pipe_gets_lines() -> None:
    assert isinstance(make_progress("f", io.StringIO()), PlainProgress)
    screen = _Terminal()
    bar = make_progress("f", screen)
    assert isinstance(bar, BarProgress)
    bar.close()
    out = io.StringIO()
    drawn = BarProgress("f", Console(file=out, force_terminal=True, width=160))
    drawn.page(PageLine("page 1", 50, 50, 50, 0, 0, 0), Tally(pages=1, items=50, new=50), done=50, total=200)
    drawn.close()
    text = out.getvalue()
    assert "50/200" in text and "1 pages" in text and "items/s" in text and "ETA" in text
