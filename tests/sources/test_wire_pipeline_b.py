"""sina_zhibo, eastmoney_fastnews, stcn_kuaixun, yicai_brief polled end to end (config → request → archive)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from archive import Archive
from tests.httpserver import serve
from tests.sources.wire_support import archive_rows, json_reply, poll, query, settings


def test_four_wires_polled_and_the_same_stories_merged(tmp_path: Path) -> None:
    with serve({}) as server:
        server.routes["/api/zhibo/feed"] = json_reply("sina-zhibo-page1.json")
        server.routes["/comm/web/getFastNewsList"] = json_reply("eastmoney-fastnews-page.json")
        server.routes["/article/list.html"] = json_reply("stcn-kx-list.json")
        server.routes["/api/ajax/getbrieflist"] = json_reply("yicai-brief.json")
        config = settings(tmp_path, [
            {"name": "新浪7x24", "site": "新浪财经", "category": "金融", "kind": "sina_zhibo",
             "url": server.url("/api/zhibo/feed?zhibo_id=152&pagesize=3&page=1")},
            {"name": "东方财富快讯", "site": "东方财富", "category": "金融", "kind": "eastmoney_fastnews",
             "url": server.url("/comm/web/getFastNewsList?client=web&biz=web_724&fastColumn=102&sortEnd=&pageSize=50"
                               "&req_trace=")},
            {"name": "快讯", "site": "证券时报网", "category": "金融", "kind": "stcn_kuaixun",
             "url": server.url("/article/list.html?type=kx")},
            {"name": "正在", "site": "第一财经", "category": "金融", "kind": "yicai_brief",
             "url": server.url("/api/ajax/getbrieflist?type=0&page=1&pagesize=50")},
        ])
        # the fixtures of these four wires are dated 2026-12-07 (UTC+8)
        reports = [poll(config, feed.name, now=datetime(2026, 12, 8, tzinfo=UTC)) for feed in config.feeds]
        assert [r.status for r in reports] == ["ok"] * 4, [r.line() for r in reports]
        assert len(server.requests) == 4  # listings only: flashes have no page
        by_path = {r.path.split("?")[0]: r for r in server.requests}
        assert by_path["/article/list.html"].headers["x-requested-with"] == "XMLHttpRequest"
        assert by_path["/comm/web/getFastNewsList"].headers["referer"] == "https://kuaixun.eastmoney.com/"
        assert len(query(by_path["/comm/web/getFastNewsList"])["req_trace"]) == 32
    rows = {r["title"]: r for r in archive_rows(config)}
    assert rows["贵州茅台：2026年前三季度净利润同比增长9.2%"]["published"] == "2026-12-07T01:58:03Z"
    with Archive(config.archive.database, config.archive.posts_dir) as archive:
        moutai = archive.get(rows["贵州茅台：2026年前三季度净利润同比增长9.2%"]["id"])
        assert moutai is not None
        codes = archive.db.execute("select s.code from article_stocks s join articles a on a.seq = s.seq "
                                   "where a.id = ?", [moutai["id"]]).fetchall()
        assert [c for (c,) in codes] == ["SH600519"]
        assert [s["feed"] for s in moutai["sources"]] == ["新浪7x24", "东方财富快讯"]
        pboc = archive.get(rows["央行今日开展1200亿元7天期逆回购操作，操作利率1.40%"]["id"])
        assert pboc is not None and [s["feed"] for s in pboc["sources"]] == ["新浪7x24", "快讯", "正在"]
