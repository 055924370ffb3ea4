"""``newsroll backfill`` and ``newsroll search`` on wire feeds, as users run them (subprocesses)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.httpserver import Reply, RequestRecord, serve
from tests.sources.support import fixture
from tests.sources.wire_support import cls_roll, json_reply, query

CLS_QUERY = "?app=CailianpressWeb&category=&os=web&sv=8.4.6"


def newsroll(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jobs", "--config", str(config), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def write_config(folder: Path, feeds: str) -> Path:
    path = folder / "config.toml"
    path.write_text(f"""
[archive]
database = "data/archive.db"
posts_dir = "data/posts"

[http]
timeout = 10.0
max_attempts = 1
per_host_interval = 0.0
{feeds}
""", encoding="utf-8")
    return path


def feed(name: str, kind: str, url: str) -> str:
    return f'\n[[feeds]]\nname = "{name}"\nsite = "站点"\ncategory = "金融"\nkind = "{kind}"\nurl = "{url}"\n'


def stored(config: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(config.parent / "data" / "archive.db") as conn:
        return sorted(conn.execute("select url, published from articles"))


def checkpoint(config: Path, name: str) -> dict[str, object]:
    with sqlite3.connect(config.parent / "data" / "archive.db") as conn:
        [value] = conn.execute("select value from checkpoints where key = ?", (f"backfill:{name}",)).fetchone()
    return json.loads(value)  # type: ignore[no-any-return]


def test_cls_telegraph_backfill_pages_back_to_since_and_resumes(tmp_path: Path) -> None:
    pages = {None: "cls-telegraph-page1.json", "1791271200": "cls-telegraph-page2.json"}
    with serve({"/v1/roll/get_roll_list": cls_roll(pages)}) as server:
        config = write_config(tmp_path, feed("电报", "cls_telegraph", server.url("/v1/roll/get_roll_list" + CLS_QUERY)))
        first = newsroll(config, "backfill", "电报", "--since", "2026-06-01", "--max-pages", "1")
        assert first.returncode == 0, first.stderr
        assert "paused" in first.stdout
        assert checkpoint(config, "电报")["cursor"] == "1791271200"
        second = newsroll(config, "backfill", "电报", "--since", "2026-06-01")
        assert second.returncode == 0, second.stderr
        assert "resuming an unfinished backfill" in second.stderr and "backfill complete" in second.stdout
        cursors = [query(r).get("last_time") for r in server.requests_for("/v1/roll/get_roll_list")]
        # page 2 holds an item older than --since: nothing further is asked for
        assert cursors == [None, "1791271200"]
    urls = [u for u, _ in stored(config)]
    assert urls == ["https://www.cls.cn/detail/2498191", "https://www.cls.cn/detail/2498320",
                    "https://www.cls.cn/detail/2498330"]  # 2380085 (May) is older than --since


def test_cls_signature_error_fails_the_backfill_in_one_line(tmp_path: Path) -> None:
    with serve({"/v1/roll/get_roll_list": json_reply("cls-sign-error.json")}) as server:
        config = write_config(tmp_path, feed("电报", "cls_telegraph", server.url("/v1/roll/get_roll_list" + CLS_QUERY)))
        result = newsroll(config, "backfill", "电报")
    assert result.returncode == 1
    assert "backfill FAILED" in result.stdout and "cls.cn API error 10012" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_wallstreetcn_and_jin10_backfill_follow_their_cursors(tmp_path: Path) -> None:
    def lives(request: RequestRecord) -> Reply:
        return json_reply({None: "wallstreetcn-lives-page1.json", "1791271146": "wallstreetcn-lives-2018.json"}
                          .get(query(request).get("cursor"), "wallstreetcn-lives-empty.json"))

    def flashes(request: RequestRecord) -> Reply:
        return json_reply({None: "jin10-flash-page1.json", "2026-10-06 15:20:00": "jin10-flash-page2.json"}
                          .get(query(request).get("max_time"), "jin10-flash-empty.json"))

    with serve({"/apiv1/content/lives": lives, "/get_flash_list": flashes}) as server:
        config = write_config(tmp_path, feed("w", "wallstreetcn_live", server.url("/apiv1/content/lives?channel=a-stock-channel"))
                              + feed("j", "jin10_flash", server.url("/get_flash_list?channel=-8200&vip=1")))
        for name in ("w", "j"):
            result = newsroll(config, "backfill", name, "--since", "2026-10-06")
            assert result.returncode == 0 and "backfill complete" in result.stdout, result.stderr
        assert [query(r).get("cursor") for r in server.requests_for("/apiv1/content/lives")] == [None, "1791271146"]
        assert [query(r).get("max_time") for r in server.requests_for("/get_flash_list")] == [None, "2026-10-06 15:20:00"]
    published = dict(stored(config))
    assert "https://wallstreetcn.com/livenews/1311554" not in published  # 2018: before --since
    assert published["https://flash.jin10.com/detail/20261006153010123400"] == "2026-10-06T07:30:10Z"  # UTC+8 read
    assert "https://flash.jin10.com/detail/20261005220000333300" not in published  # 10-05 22:00 +08


def test_cls_depth_backfill_reads_to_the_end_without_since(tmp_path: Path) -> None:
    def depth(request: RequestRecord) -> Reply:
        if "last_time" not in query(request):
            return json_reply("cls-depth-list.json")
        return Reply(body=b'{"errno": 0, "data": []}', content_type="application/json")  # constructed: the end

    with serve({"/v3/depth/list/1000": depth,
                "/detail/2498400": Reply(body=fixture("cls-detail-2498400.html"), content_type="text/html")}) as server:
        config = write_config(tmp_path, feed("深度", "cls_depth", server.url("/v3/depth/list/1000" + CLS_QUERY)))
        result = newsroll(config, "backfill", "深度")
        assert result.returncode == 0 and "backfill complete" in result.stdout, result.stderr
        times = [query(r).get("last_time") for r in server.requests_for("/v3/depth/list/1000")]
        assert times == [None, "1791259200000"]  # ms: the last row's ctime (2026-10-06 12:00 +08) × 1000
    assert [u for u, _ in stored(config)] == ["https://www.cls.cn/detail/2498400"]


def test_search_important_filter_and_json_field(tmp_path: Path) -> None:
    with serve({"/get_flash_list": json_reply("jin10-flash-page1.json")}) as server:
        config = write_config(tmp_path, feed("j", "jin10_flash", server.url("/get_flash_list?channel=-8200&vip=1")))
        assert newsroll(config, "fetch").returncode == 0
    every = json.loads(newsroll(config, "search", "--format", "json").stdout)
    assert sorted(r["important"] for r in every) == [False, True]
    only = json.loads(newsroll(config, "search", "--important", "--format", "json").stdout)
    assert [r["title"] for r in only] == ["欧洲央行行长：通胀前景仍存不确定性"] and only[0]["important"] is True
